"""Buttons under an answer card: next candidate, whole section, and 👍/👎 feedback.

The asker pages their own answer in place; anyone else who pages it gets a private copy, so a
public answer never changes under the people reading it.

The buttons carry what they need in their custom ids (`kiji:<action>:<key>:<arg>`) and are
discord.py dynamic items: no view object is kept per answer, and they keep working after a
restart. A vote needs only the log row's id, which is the key. Paging and the whole section
need the answer itself, held in `AnswerCache`, bounded: an answer pushed out of it (or from
before a restart) says its buttons have expired instead of failing.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.answers import Answer
from bot.answers.model import AnswerKind
from bot.discordbot import cards
from bot.querylog.writes import REASONS
from bot.strings import t

if TYPE_CHECKING:
    from bot.discordbot.client import AnswerBot

log = logging.getLogger(__name__)
# Answers whose buttons can page and open sections: a few kilobytes each, so a few megabytes
# in all, whatever the number of answers served.
CACHED_ANSWERS = 2_000


@dataclass(frozen=True)
class Shown:
    """An answer as it was shown: the question, the answer, the asker and their language."""

    question: str
    answer: Answer
    locale: str
    asker_id: int


class AnswerCache:
    """The most recent `size` answers by key, oldest dropped first."""

    def __init__(self, size: int = CACHED_ANSWERS) -> None:
        self.size = size
        self._items: OrderedDict[int, Shown] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def put(self, key: int, shown: Shown) -> None:
        self._items[key] = shown
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def get(self, key: int) -> Shown | None:
        return self._items.get(key)


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"kiji:(?P<action>next|section|vote|why):(?P<key>\d+):(?P<arg>-?\d+)",
):
    """One button of an answer card; `arg` is the candidate shown (next, section), the vote, or
    the reason given for a down vote (an index into `REASONS`)."""

    def __init__(self, action: str, key: int, arg: int, **button: Any) -> None:
        super().__init__(discord.ui.Button(custom_id=f"kiji:{action}:{key}:{arg}", **button))
        self.action, self.key, self.arg = action, key, arg

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> AnswerButton:
        return cls(match["action"], int(match["key"]), int(match["arg"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot: AnswerBot = interaction.client  # type: ignore[assignment]
        locale = bot.locale_of(interaction)
        try:
            if self.action == "vote":
                await _vote(bot, interaction, self.key, self.arg, locale)
                return
            if self.action == "why":
                await _why(bot, interaction, self.key, self.arg, locale)
                return
            shown = bot.answers.get(self.key)
            if shown is None:
                await interaction.response.send_message(
                    t("buttons_expired", locale), ephemeral=True
                )
            elif self.action == "next":
                index = (self.arg + 1) % len(shown.answer.passages)
                owns = _owns(interaction, shown)
                # Someone else's answer: their own copy, in their language; the shared message
                # stays as it is for everyone reading it.
                asker = interaction.user.id == shown.asker_id
                card = shown if asker else dataclasses.replace(shown, locale=locale)
                embed = cards.answer_embed(card.question, card.answer, index, card.locale)
                view = answer_view(self.key, card, index)
                if owns:
                    await interaction.response.edit_message(embed=embed, view=view)
                else:
                    await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
            else:
                await _whole_section(bot, interaction, shown.answer, self.arg, locale)
        except Exception:
            log.exception("button %s failed", self.item.custom_id)
            await bot.send_error(interaction)


def answer_view(key: int, shown: Shown, index: int = 0) -> discord.ui.View:
    """The buttons for candidate `index` of an answer: a view kept by no one (timeout None, all
    items dynamic), so sending it costs no memory after the message is sent."""
    view = discord.ui.View(timeout=None)
    answer, locale = shown.answer, shown.locale
    if answer.shows_passages and answer.kind != AnswerKind.METADATA:
        secondary = discord.ButtonStyle.secondary
        if len(answer.passages) > 1:
            label = t("next_candidate", locale)
            view.add_item(AnswerButton("next", key, index, label=label, emoji="▶️", style=secondary))
        label = t("whole_section", locale)
        view.add_item(AnswerButton("section", key, index, label=label, emoji="📄", style=secondary))
    view.add_item(AnswerButton("vote", key, 1, emoji="👍", style=discord.ButtonStyle.success))
    view.add_item(AnswerButton("vote", key, -1, emoji="👎", style=discord.ButtonStyle.danger))
    return view


def answer_card(bot: AnswerBot, key: int, shown: Shown) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and buttons of a new answer, which is remembered for its buttons."""
    bot.answers.put(key, shown)
    if shown.answer.shows_passages:
        embed = cards.answer_embed(shown.question, shown.answer, 0, shown.locale)
    else:
        embed = cards.refusal_embed(shown.question, shown.answer, bot.kb.library, shown.locale)
    return embed, answer_view(key, shown)


def _owns(interaction: discord.Interaction, shown: Shown) -> bool:
    """Whether pressing a button may change the message itself: the asker's own answer, or a
    private copy (only the person who asked for it sees an ephemeral message)."""
    message = interaction.message
    private = message is not None and message.flags.ephemeral
    return private or interaction.user.id == shown.asker_id


async def _vote(
    bot: AnswerBot, interaction: discord.Interaction, query_id: int, vote: int, locale: str
) -> None:
    if bot.query_log is not None and vote in (1, -1):
        url = interaction.message.jump_url if interaction.message else None
        await bot.query_log.vote(query_id, interaction.user.id, vote, url)
    thanks = t("thanks_feedback", locale, vote="👍" if vote > 0 else "👎")
    if vote > 0 or bot.query_log is None:
        await interaction.response.send_message(thanks, ephemeral=True)
        return
    # A down vote asks, optionally, what was wrong: moderators can act on a reason.
    view = discord.ui.View(timeout=None)
    for code, reason in enumerate(REASONS):
        label = t(f"reason_{reason}", locale)
        view.add_item(AnswerButton("why", query_id, code, label=label))
    await interaction.response.send_message(
        f"{thanks}\n{t('what_was_wrong', locale)}", view=view, ephemeral=True
    )


async def _why(
    bot: AnswerBot, interaction: discord.Interaction, query_id: int, code: int, locale: str
) -> None:
    if not 0 <= code < len(REASONS) or bot.query_log is None:
        await interaction.response.send_message(t("buttons_expired", locale), ephemeral=True)
        return
    reason = REASONS[code]
    if reason == "other":  # says what, in their own words
        await interaction.response.send_modal(ReasonModal(bot, query_id, locale))
        return
    bot.query_log.vote_reason(query_id, interaction.user.id, reason, None)
    await interaction.response.edit_message(content=t("reason_thanks", locale), view=None)


class ReasonModal(discord.ui.Modal):
    """「何が問題でしたか？」 in the voter's words, stored with their down vote."""

    def __init__(self, bot: AnswerBot, query_id: int, locale: str) -> None:
        super().__init__(title=t("what_was_wrong", locale), timeout=600)
        self.bot, self.query_id, self.locale = bot, query_id, locale
        self.detail: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            label=t("reason_detail", locale),
            custom_id="reason-detail",
            style=discord.TextStyle.paragraph,
            max_length=1000,
        )
        self.add_item(self.detail)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if self.bot.query_log is not None:
            self.bot.query_log.vote_reason(
                self.query_id, interaction.user.id, "other", self.detail.value
            )
        await interaction.response.send_message(t("reason_thanks", self.locale), ephemeral=True)


async def _whole_section(
    bot: AnswerBot, interaction: discord.Interaction, answer: Answer, index: int, locale: str
) -> None:
    passage = answer.passages[index % len(answer.passages)]
    article = bot.kb.library.get(passage.article)
    section = article.section(passage.section_index) if article else None
    if article is None or section is None:  # the article went away in a reload
        await interaction.response.send_message(t("section_gone", locale), ephemeral=True)
        return
    await interaction.response.send_message(
        embed=cards.section_embed(article, section, locale), ephemeral=True
    )
