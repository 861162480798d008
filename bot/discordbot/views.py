"""Buttons under an answer card: next candidate, whole section, and 👍/👎 feedback."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.answers.model import AnswerKind
from bot.asking import Asked
from bot.discordbot import cards
from bot.discordbot.pages import ExpiringView
from bot.strings import t

if TYPE_CHECKING:
    from bot.discordbot.client import AnswerBot

log = logging.getLogger(__name__)
VIEW_TIMEOUT = 30 * 60


class AnswerView(ExpiringView):
    """Holds one answer; buttons page through its candidates and collect ratings."""

    def __init__(self, bot: AnswerBot, question: str, asked: Asked, locale: str) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.bot = bot
        self.question = question
        self.asked = asked
        self.locale = locale
        self.index = 0
        self.next_candidate.label = t("next_candidate", locale)
        self.whole_section.label = t("whole_section", locale)
        many = (
            len(asked.answer.passages) > 1 and asked.answer.kind != AnswerKind.METADATA
        )  # one card
        if not asked.answer.shows_passages or not many:
            self.remove_item(self.next_candidate)
        if not asked.answer.shows_passages or asked.answer.kind == AnswerKind.METADATA:
            self.remove_item(self.whole_section)

    def embed(self) -> discord.Embed:
        kb = self.bot.kb
        if self.asked.answer.shows_passages:
            return cards.answer_embed(self.question, self.asked.answer, self.index, self.locale)
        return cards.refusal_embed(self.question, self.asked.answer, kb.library, self.locale)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary, emoji="▶️")
    async def next_candidate(
        self, interaction: discord.Interaction, button: discord.ui.Button
    ) -> None:
        self.index = (self.index + 1) % len(self.asked.answer.passages)
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="§", style=discord.ButtonStyle.secondary, emoji="📄")
    async def whole_section(
        self, interaction: discord.Interaction, button: discord.ui.Button
    ) -> None:
        passage = self.asked.answer.passages[self.index]
        article = self.bot.kb.library.get(passage.article)
        section = article.section(passage.section_index) if article else None
        locale = self.bot.locale_of(interaction)
        if article is None or section is None:  # the article went away in a reload
            await interaction.response.send_message(t("section_gone", locale), ephemeral=True)
            return
        await interaction.response.send_message(
            embed=cards.section_embed(article, section, locale), ephemeral=True
        )

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.success)
    async def thumbs_up(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, +1)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.danger)
    async def thumbs_down(
        self, interaction: discord.Interaction, button: discord.ui.Button
    ) -> None:
        await self._vote(interaction, -1)

    async def _vote(self, interaction: discord.Interaction, vote: int) -> None:
        locale = self.bot.locale_of(interaction)
        if self.bot.query_log is not None and self.asked.query_id is not None:
            await self.bot.query_log.vote(self.asked.query_id, interaction.user.id, vote)
        await interaction.response.send_message(
            t("thanks_feedback", locale, vote="👍" if vote > 0 else "👎"), ephemeral=True
        )

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        log.error("button %s failed", item, exc_info=error)
        await self.bot.send_error(interaction)
