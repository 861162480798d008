"""Asking: /ask, mentions of the bot, and question-like messages in Q&A channels."""

from __future__ import annotations

import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers.questions import looks_like_question, question_problem
from bot.asking import Asked
from bot.discordbot.client import NO_PINGS, AnswerBot
from bot.discordbot.errors import reply_ephemeral
from bot.discordbot.translator import text
from bot.discordbot.views import AnswerView
from bot.ratelimit import Busy
from bot.strings import t

log = logging.getLogger(__name__)
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
        refusal = self._refusal(question, interaction.user.id, locale)
        if refusal:
            await reply_ephemeral(interaction, refusal)
            return
        await interaction.response.defer(ephemeral=not public, thinking=True)
        asked = await self._answer(
            question, "slash", interaction.user, interaction.guild_id, interaction.channel_id
        )
        if asked is None:
            await interaction.followup.send(
                t("busy", locale), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        view = AnswerView(self.bot, question, asked, locale)
        await interaction.edit_original_response(
            embed=view.embed(), view=view, allowed_mentions=NO_PINGS
        )

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

    def _question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't one for us."""
        me = self.bot.user
        if any(u.id == me.id for u in message.mentions):
            return MENTION.sub(
                lambda m: "" if int(m[1]) == me.id else m[0], message.content
            ).strip()
        if message.guild is None:
            return message.content.strip()  # a direct message is always for us
        channel = message.channel
        channel_ids = {channel.id, getattr(channel, "parent_id", None)}
        if channel_ids & set(self.bot.settings.qa_channel_ids) and looks_like_question(
            message.content
        ):
            return message.content.strip()
        return None

    async def _reply(self, message: discord.Message, question: str) -> None:
        locale = self.bot.settings.default_locale
        refusal = self._refusal(question, message.author.id, locale)
        if refusal:
            await message.reply(refusal, allowed_mentions=NO_PINGS, mention_author=False)
            return
        source = "mention" if any(u.id == self.bot.user.id for u in message.mentions) else "channel"
        async with message.channel.typing():
            asked = await self._answer(
                question,
                source,
                message.author,
                message.guild and message.guild.id,
                message.channel.id,
            )
        if asked is None:
            await message.reply(t("busy", locale), allowed_mentions=NO_PINGS, mention_author=False)
            return
        view = AnswerView(self.bot, question, asked, locale)
        await message.reply(
            embed=view.embed(), view=view, allowed_mentions=NO_PINGS, mention_author=False
        )

    def _refusal(self, question: str, user_id: int, locale: str) -> str | None:
        """Why this question can't be asked now (empty, too long, cooldown), in the user's language."""
        problem = question_problem(question)
        if problem:
            key, params = problem
            return t(key, locale, **params)
        wait = self.bot.cooldown.retry_after(user_id)
        if wait > 0:
            return t("cooldown", locale, seconds=max(1, round(wait)))
        return None

    async def _answer(
        self,
        question: str,
        source: str,
        user: discord.abc.User,
        guild_id: int | None,
        channel_id: int | None,
    ) -> Asked | None:
        try:
            async with self.bot.slots:
                return await self.bot.asker.ask(
                    question,
                    source=source,
                    user_id=user.id,
                    user_name=user.display_name,
                    guild_id=guild_id,
                    channel_id=channel_id,
                )
        except Busy:
            return None
