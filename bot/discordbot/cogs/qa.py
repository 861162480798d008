"""Asking: /ask, mentions of the bot, and question-like messages in Q&A channels."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, NamedTuple

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers.questions import looks_like_question, question_problem
from bot.asking import Asked
from bot.discordbot.conversations import Turn
from bot.discordbot.errors import reply_ephemeral
from bot.discordbot.limits import NO_PINGS
from bot.discordbot.ratelimit import Busy
from bot.discordbot.translator import text
from bot.discordbot.views import Shown, answer_card
from bot.querylog import Source
from bot.querylog.entry import BUSY, RATE_LIMITED, STOPPED, new_query_id
from bot.strings import t

if TYPE_CHECKING:
    from bot.discordbot.client import AnswerBot

log = logging.getLogger(__name__)
THREAD_NAME_LIMIT = 100  # Discord's limit on a thread's name


class Card(NamedTuple):
    """An answer laid out: its embed, its buttons, and its log row."""

    embed: discord.Embed
    view: discord.ui.View
    query_id: int | None


MENTION = re.compile(r"<@!?(\d+)>")


class QA(commands.Cog):
    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot

    @app_commands.command(name=text("ask"), description=text("ask.description"))
    @app_commands.rename(question=text("ask.question"), public=text("ask.public"))
    @app_commands.describe(
        question=text("ask.question.description"), public=text("ask.public.description")
    )
    async def ask(
        self, interaction: discord.Interaction, question: str, public: bool = True
    ) -> None:
        locale = self.bot.locale_of(interaction)
        who = self._who(interaction.user, interaction.guild_id, interaction.channel_id, "slash")
        refusal = self._refusal(question, locale, who)
        if refusal:
            await reply_ephemeral(interaction, refusal)
            return
        card: Card | None = None

        async def apologise() -> None:
            if card is not None:  # answered and logged; only sending it was cut short
                await interaction.edit_original_response(
                    embed=card[0], view=card[1], allowed_mentions=NO_PINGS
                )
                return
            self.bot.asker.turned_away(question, STOPPED, **who)
            await reply_ephemeral(interaction, t("stopping", locale), replace=True)

        # Registered before acknowledging, in the same step as the check above that the bot is
        # not stopping: a stop then either turns this question away or waits for it.
        async with self.bot.answering(apologise):
            # Acknowledged before anything that may wait (Discord drops an interaction not
            # acknowledged within 3 s, and lets a deferred one be answered for 15 minutes): a
            # burst queues for a slot instead of being turned away; the answer is an edit.
            await interaction.response.defer(ephemeral=not public, thinking=True)
            try:
                async with self.bot.slots.hold():
                    card = await self._card(question, locale, who)
                    sent = await interaction.edit_original_response(
                        embed=card[0], view=card[1], allowed_mentions=NO_PINGS
                    )
                    self._remember(sent.id, question, card, locale, None)
            except Busy:
                self.bot.cooldown.forgive(interaction.user.id)
                self.bot.asker.turned_away(question, BUSY, **who)
                await interaction.edit_original_response(content=t("busy", locale))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.bot.user is None:
            return
        question = self._question_in(message)
        if question is None:
            return
        try:
            await self._reply(message, question)
        except Exception:
            log.exception("answering message %s failed", message.id)
            await message.reply(
                t("error", self.bot.settings.default_locale),
                allowed_mentions=NO_PINGS,
                mention_author=False,
            )

    def _mentions_me(self, message: discord.Message) -> bool:
        """A written mention of the bot. A reply to the bot with "ping" on also lists it in
        `message.mentions`, but a 「ありがとう」 under an answer is not a question."""
        me = self._my_id()
        return any(int(m[1]) == me for m in MENTION.finditer(message.content))

    def _qa_channels(self, message: discord.Message) -> set[int]:
        """The configured Q&A channels this message is in (a thread counts as its parent)."""
        channel = message.channel
        ids = {channel.id}
        parent_id: int | None = getattr(channel, "parent_id", None)
        if parent_id is not None:
            ids.add(parent_id)
        return ids & set(self.bot.settings.qa_channel_ids)

    def _my_id(self) -> int:
        """The bot's user id; `on_message` returns before this is asked if not logged in yet."""
        if self.bot.user is None:
            raise RuntimeError("the bot is not logged in yet")
        return self.bot.user.id

    def _follows(self, message: discord.Message) -> Turn | None:
        """The conversation a message continues: a reply (with the ping, so Discord delivers
        its text without the privileged intent) to one of the bot's recent answers, or any
        message in a thread the bot opened for a question."""
        reference = message.reference
        if reference is not None and reference.message_id is not None:
            pinged = any(m.id == self._my_id() for m in message.mentions)
            turn = self.bot.conversations.earlier(reference.message_id) if pinged else None
            if turn is not None:
                return turn
        if self._in_my_thread(message):
            return self.bot.conversations.earlier(message.channel.id)
        return None

    def _in_my_thread(self, message: discord.Message) -> bool:
        return isinstance(message.channel, discord.Thread) and (
            self.bot.conversations.earlier(message.channel.id) is not None
        )

    async def _thread_for(
        self, message: discord.Message, question: str, earlier: Turn | None
    ) -> discord.Thread | None:
        """With DISCORD_ANSWER_IN_THREADS, a new question in a server's text channel is answered
        in a thread started from it, named after it."""
        if (
            not self.bot.settings.answer_in_threads
            or earlier is not None
            or not isinstance(message.channel, discord.TextChannel)
        ):
            return None
        name = (
            question
            if len(question) <= THREAD_NAME_LIMIT
            else question[: THREAD_NAME_LIMIT - 1] + "…"
        )
        try:
            return await message.create_thread(name=name)
        except discord.HTTPException as e:  # no right to, or the message went: answer in place
            log.warning("cannot start a thread for message %s: %s", message.id, e)
            return None

    def _question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't one for us."""
        me = self._my_id()
        if self._follows(message) is not None:
            text = MENTION.sub(lambda m: "" if int(m[1]) == me else m[0], message.content).strip()
            # A reply saying 「ありがとう」 under an answer is not a question.
            return text if looks_like_question(text) else None
        if self._mentions_me(message):
            return MENTION.sub(lambda m: "" if int(m[1]) == me else m[0], message.content).strip()
        if message.guild is None:
            return message.content.strip()  # a direct message to the bot is a question for it
        if self._qa_channels(message) and looks_like_question(message.content):
            return message.content.strip()
        return None

    async def _reply(self, message: discord.Message, question: str) -> None:
        earlier = self._follows(message)
        # Messages carry no locale: a follow-up keeps the conversation's language.
        locale = earlier.locale if earlier else self.bot.settings.default_locale
        in_qa_channel = bool(message.guild and self._qa_channels(message))
        source: Source = (
            "channel" if in_qa_channel and not self._mentions_me(message) else "mention"
        )
        who = self._who(
            message.author,
            message.guild.id if message.guild is not None else None,
            message.channel.id,
            source,
        )
        refusal = self._refusal(question, locale, who)
        if refusal:
            await message.reply(refusal, allowed_mentions=NO_PINGS, mention_author=False)
            return

        card: Card | None = None

        async def apologise() -> None:
            if card is not None:  # answered and logged; only sending it was cut short
                await message.reply(
                    embed=card[0], view=card[1], allowed_mentions=NO_PINGS, mention_author=False
                )
                return
            self.bot.asker.turned_away(question, STOPPED, **who)
            await message.reply(
                t("stopping", locale), allowed_mentions=NO_PINGS, mention_author=False
            )

        async with self.bot.answering(apologise):
            try:
                async with self.bot.slots.hold():
                    async with message.channel.typing():
                        card = await self._card(question, locale, who, earlier)
                    thread = await self._thread_for(message, question, earlier)
                    if thread is not None:  # a new conversation, in its own thread
                        sent = await thread.send(
                            embed=card[0], view=card[1], allowed_mentions=NO_PINGS
                        )
                    else:
                        sent = await message.reply(
                            embed=card[0],
                            view=card[1],
                            allowed_mentions=NO_PINGS,
                            mention_author=False,
                        )
                    self._remember(sent.id, question, card, locale, earlier)
                    # In a thread, every later message continues the conversation.
                    where = thread or (message.channel if self._in_my_thread(message) else None)
                    if where is not None:
                        self._remember(where.id, question, card, locale, earlier)
            except Busy:
                self.bot.cooldown.forgive(message.author.id)
                self.bot.asker.turned_away(question, BUSY, **who)
                await message.reply(
                    t("busy", locale), allowed_mentions=NO_PINGS, mention_author=False
                )

    def _refusal(self, question: str, locale: str, who: dict[str, Any]) -> str | None:
        """Why this question can't be asked now, in the user's language: the bot is stopping,
        the question is empty or too long, or the user asked too many too fast. A real question
        turned away is logged with that kind, so moderators see it among the unanswered."""
        if self.bot.stopping:
            self.bot.asker.turned_away(question, STOPPED, **who)
            return t("stopping", locale)
        problem = question_problem(question)
        if problem:
            key, params = problem
            return t(key, locale, **params)
        wait = self.bot.cooldown.retry_after(who["user_id"])
        if wait > 0:
            self.bot.asker.turned_away(question, RATE_LIMITED, **who)
            return t("cooldown", locale, seconds=max(1, round(wait)))
        return None

    async def _card(
        self, question: str, locale: str, who: dict[str, Any], earlier: Turn | None = None
    ) -> Card:
        """Answer (off the loop, logged; a follow-up with the turn it continues) and lay the
        answer out with its buttons."""
        asked = await self.bot.asker.ask(
            question,
            earlier=earlier.context if earlier else None,
            continues=earlier.query_id if earlier else None,
            **who,
        )
        shown = Shown(question, asked.answer, locale, who["user_id"])
        return Card(*answer_card(self.bot, _key(asked), shown), asked.query_id)

    def _remember(
        self, message_id: int, question: str, card: Card, locale: str, earlier: Turn | None
    ) -> None:
        """A reply to this answer is a follow-up of `question` (and of what it followed)."""
        self.bot.conversations.remember(message_id, question, card.query_id, locale, earlier)

    @staticmethod
    def _who(
        user: discord.abc.User, guild_id: int | None, channel_id: int | None, source: Source
    ) -> dict[str, Any]:
        """Who asked where: the keyword arguments of `Asker.ask` and `Asker.turned_away`."""
        return {
            "source": source,
            "user_id": user.id,
            "user_name": user.display_name,
            "guild_id": guild_id,
            "channel_id": channel_id,
        }


def _key(asked: Asked) -> int:
    """What the answer's buttons are keyed by: its log row (votes land there), or a fresh id."""
    return asked.query_id if asked.query_id is not None else new_query_id()


async def setup(bot: AnswerBot) -> None:
    await bot.add_cog(QA(bot))
