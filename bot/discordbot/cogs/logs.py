"""/logs: the query log for moderators. Every reply is ephemeral; access is checked twice, and
every read and `forget` is scoped to the server the command is used in (`Scope`)."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discordbot.cards import fit, plain
from bot.discordbot.errors import NotModerator
from bot.discordbot.limits import FIELD_LIMIT, NO_PINGS
from bot.discordbot.pages import PagedView, paginate
from bot.discordbot.translator import text
from bot.presentation import logged_section_name, rate_text, row_mark
from bot.querylog import Downvote, QueryLog, QueryRow, Scope
from bot.querylog.chart import render_daily_chart
from bot.querylog.entry import parse_utc
from bot.strings import t

if TYPE_CHECKING:
    from bot.discordbot.client import AnswerBot

WRITE_TIMEOUT = 10.0


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Logs(commands.GroupCog, group_name=text("logs"), group_description=text("logs.description")):
    def __init__(self, bot: AnswerBot, log: QueryLog) -> None:
        self.bot = bot
        self.log = log
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """The second gate: `default_permissions` can be changed by server admins, this can't."""
        if not self.bot.is_moderator(interaction.user):
            raise NotModerator
        return True

    async def _scope(self, interaction: discord.Interaction) -> Scope:
        """This server's rows; the bot's owner also sees direct messages."""
        assert interaction.guild_id is not None  # guild_only
        owner = await self.bot.is_owner(interaction.user)
        return Scope.server(interaction.guild_id, owner=owner)

    def _health(self, locale: str) -> list[str]:
        """A warning line when the log is not being written: moderators should know at once."""
        failing = self.log.failing_for
        if failing is None:
            return []
        return [
            t("log_failing", locale, minutes=max(1, round(failing / 60)), queued=self.log.queued)
        ]

    async def _show(self, interaction: discord.Interaction, title: str, lines: list[str]) -> None:
        locale = self.bot.locale_of(interaction)
        view = PagedView(title, paginate(self._health(locale) + lines), locale)
        view.message = await interaction.followup.send(
            embed=view.embed(),
            view=view,
            ephemeral=True,
            allowed_mentions=NO_PINGS,
            # What an interaction's followup always does; said here so the type is the message.
            wait=True,
        )

    def _audit(self, interaction: discord.Interaction, action: str, detail: str = "") -> None:
        self.log.record_action(
            interaction.guild_id,
            interaction.user.id,
            interaction.user.display_name,
            action,
            detail[:500],
        )

    @app_commands.command(name=text("logs.recent"), description=text("logs.recent.description"))
    @app_commands.rename(
        count=text("logs.count"), user=text("logs.user"), channel=text("logs.channel")
    )
    @app_commands.describe(
        count=text("logs.count.description"),
        user=text("logs.user.description"),
        channel=text("logs.channel.description"),
    )
    async def recent(
        self,
        interaction: discord.Interaction,
        count: app_commands.Range[int, 1, 200] = 20,
        user: discord.User | None = None,
        channel: discord.TextChannel | discord.Thread | None = None,
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        rows = await self.log.recent(
            await self._scope(interaction),
            count,
            user_id=user.id if user is not None else None,
            channel_id=channel.id if channel is not None else None,
        )
        locale = self.bot.locale_of(interaction)
        await self._show(
            interaction, t("logs_recent_title", locale), [row_line(r, locale) for r in rows]
        )

    @app_commands.command(
        name=text("logs.unanswered"), description=text("logs.unanswered.description")
    )
    @app_commands.rename(days=text("logs.days"))
    @app_commands.describe(days=text("logs.days.description"))
    async def unanswered(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = 7
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.log.unanswered(await self._scope(interaction), days)
        lines = [
            f"**{g.count}×** {plain(g.question)} — {when(g.last_asked, 'd')}" for g in report.groups
        ]
        if not report.complete:
            lines.append(t("logs_partial", self.bot.locale_of(interaction)))
        await self._show(
            interaction,
            t("logs_unanswered_title", self.bot.locale_of(interaction), days=days),
            lines,
        )

    @app_commands.command(
        name=text("logs.downvoted"), description=text("logs.downvoted.description")
    )
    @app_commands.rename(days=text("logs.days"))
    @app_commands.describe(days=text("logs.days.description"))
    async def downvoted(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = 30
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        locale = self.bot.locale_of(interaction)
        votes = await self.log.downvoted(await self._scope(interaction), days)
        await self._show(
            interaction,
            t("logs_downvoted_title", locale, days=days),
            [downvote_line(v, locale) for v in votes],
        )

    @app_commands.command(name=text("logs.search"), description=text("logs.search.description"))
    @app_commands.rename(text_=text("logs.text"))
    @app_commands.describe(text_=text("logs.text.description"))
    async def search(self, interaction: discord.Interaction, text_: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        self._audit(interaction, "search", f"chars={len(text_)}")
        rows = await self.log.search(await self._scope(interaction), text_, 100)
        locale = self.bot.locale_of(interaction)
        title = t("logs_search_title", locale, text=plain(text_[:100]))
        await self._show(interaction, title, [row_line(r, locale) for r in rows])

    @app_commands.command(name=text("logs.stats"), description=text("logs.stats.description"))
    @app_commands.rename(days=text("logs.days"))
    @app_commands.describe(days=text("logs.days.description"))
    async def stats(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        locale = self.bot.locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        self._audit(interaction, "stats", f"days={days}")
        s = await self.log.stats(await self._scope(interaction), days)
        rate = rate_text(s.answer_rate)
        embed = discord.Embed(
            title=t("logs_stats_title", locale, days=days),
            description="".join(f"{line}\n" for line in self._health(locale))
            + t(
                "logs_stats_body",
                locale,
                total=s.total,
                answered=s.answered,
                refused=s.refused,
                rate=rate,
                up=s.thumbs_up,
                down=s.thumbs_down,
            ),
        )
        if s.top_questions:
            value = "\n".join(f"{g.count}× {plain(g.question)}" for g in s.top_questions)
            if not s.top_questions_complete:
                value += "\n" + t("logs_partial", locale)
            embed.add_field(
                name=t("logs_top_questions", locale),
                value=fit(value, FIELD_LIMIT, locale),
                inline=False,
            )
        if s.top_sections:
            value = "\n".join(
                f"{c.count}× {plain(logged_section_name(c.section, locale))}"
                for c in s.top_sections
            )
            embed.add_field(
                name=t("logs_top_sections", locale),
                value=fit(value, FIELD_LIMIT, locale),
                inline=False,
            )
        png = await self.bot.asker.run(
            render_daily_chart, s.daily, t("logs_stats_title", locale, days=days)
        )
        embed.set_image(url="attachment://stats.png")
        await interaction.followup.send(
            embed=embed,
            file=discord.File(io.BytesIO(png), "stats.png"),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @app_commands.command(name=text("logs.export"), description=text("logs.export.description"))
    @app_commands.rename(days=text("logs.days"))
    @app_commands.describe(days=text("logs.days.description"))
    async def export(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] | None = None
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        self._audit(interaction, "export", f"days={days}")
        locale = self.bot.locale_of(interaction)
        data = await self.log.export_csv(await self._scope(interaction), days)
        if len(data) > interaction.filesize_limit:
            # Larger than Discord takes as an attachment: the shell export has no limit.
            text = t("logs_export_too_big", locale, mb=len(data) // 1_000_000)
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        rows = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig")))) - 1
        await interaction.followup.send(
            t("logs_exported", locale, n=rows),
            file=discord.File(io.BytesIO(data), "queries.csv"),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    @app_commands.command(name=text("logs.forget"), description=text("logs.forget.description"))
    @app_commands.rename(user=text("logs.user"))
    @app_commands.describe(user=text("logs.user.description"))
    async def forget(self, interaction: discord.Interaction, user: discord.User) -> None:
        locale = self.bot.locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            async with asyncio.timeout(WRITE_TIMEOUT):
                n = await self.log.forget(
                    user.id,
                    await self._scope(interaction),
                    interaction.user.id,
                    interaction.user.display_name,
                )
        except TimeoutError:
            await interaction.followup.send(t("logs_busy", locale), ephemeral=True)
            return
        await interaction.followup.send(
            t("logs_forgot", locale, user=plain(user.display_name), n=n),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )


def row_line(r: QueryRow, locale: str | None) -> str:
    mark = row_mark(r.answered, r.kind, emoji=True)
    who = plain(r.user_name or str(r.user_id or "-"))
    where = ""
    if r.top_section:
        section = plain(logged_section_name(r.top_section, locale))
        # A refused question's best candidate is what came closest, not an answer.
        where = (
            f" → {section}" if r.answered else f" ({t('logged_nearest', locale, section=section)})"
        )
    votes = f" 👍{r.thumbs_up} 👎{r.thumbs_down}" if r.thumbs_up or r.thumbs_down else ""
    return f"{when(r.time)} {mark} **{who}** [{r.source}] {plain(r.question[:200])}{where}{votes}"


def downvote_line(v: Downvote, locale: str) -> str:
    """When, the question, the quote that was shown, the reason, and a link to the message."""
    quote = f" → 「{plain(v.row.top_quote[:120])}」" if v.row.top_quote else ""
    reason = t(f"reason_{v.reason}", locale) if v.reason else t("reason_none", locale)
    if v.detail:
        reason += f": {plain(v.detail[:200])}"
    link = f" [{t('go_to_message', locale)}]({v.message_url})" if v.message_url else ""
    return f"{when(v.time)} 👎 **{plain(v.row.question[:150])}**{quote} — {reason}{link}"


def when(stored: str, style: str = "f") -> str:
    """A logged time as a Discord timestamp: each reader sees it in their own time zone."""
    return f"<t:{int(parse_utc(stored).timestamp())}:{style}>"


async def setup(bot: AnswerBot) -> None:
    """Loaded only when there is a query log (`AnswerBot.setup_hook`)."""
    assert bot.query_log is not None
    await bot.add_cog(Logs(bot, bot.query_log))
