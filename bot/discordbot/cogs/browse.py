"""Reading the collection: /summary, /articles, /help, and the moderators' /reload."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discordbot import cards
from bot.discordbot.errors import NotModerator, reply_ephemeral
from bot.discordbot.limits import AUTOCOMPLETE_LIMIT, MESSAGE_LIMIT, NO_PINGS
from bot.discordbot.pages import PagedView, paginate
from bot.discordbot.translator import text
from bot.presentation import section_name, summary_error_text
from bot.strings import t
from bot.summaries import SummaryError, find_article, find_section, summarize

if TYPE_CHECKING:
    from bot.discordbot.client import AnswerBot


# The value of the section hint shown before an article is chosen (a choice needs a value).
NO_SECTION = "-"


class Browse(commands.Cog):
    def __init__(self, bot: AnswerBot) -> None:
        self.bot = bot

    @app_commands.command(name=text("summary"), description=text("summary.description"))
    @app_commands.rename(
        article=text("summary.article"),
        section=text("summary.section"),
        length=text("summary.length"),
    )
    @app_commands.describe(
        article=text("summary.article.description"),
        section=text("summary.section.description"),
        length=text("summary.length.description"),
    )
    @app_commands.choices(
        length=[
            app_commands.Choice(name=text("length.short"), value="short"),
            app_commands.Choice(name=text("length.long"), value="long"),
            app_commands.Choice(name=text("length.outline"), value="outline"),
        ]
    )
    async def summary(
        self,
        interaction: discord.Interaction,
        article: str | None = None,
        section: str | None = None,
        length: str = "short",
    ) -> None:
        locale = self.bot.locale_of(interaction)
        kb = self.bot.kb
        if section == NO_SECTION:  # the hint "choose an article first" was picked
            section = None
        try:  # what was asked for exists (cheap), so a mistake is told privately
            target = find_article(kb.library, article)
            if section:
                find_section(target, section)
        except SummaryError as e:
            await reply_ephemeral(interaction, summary_error_text(e, locale))
            return
        wait = self.bot.cooldown.retry_after(interaction.user.id)
        if wait > 0:
            await reply_ephemeral(interaction, t("cooldown", locale, seconds=max(1, round(wait))))
            return
        # A long article takes seconds to summarise: acknowledged first, the summary is an edit.
        await interaction.response.defer(thinking=True)
        try:
            result = await self.bot.asker.run(
                lambda: summarize(target, section=section, length=length, analyzer=kb.analyzer)
            )
        except SummaryError as e:
            await interaction.edit_original_response(content=summary_error_text(e, locale))
            return
        # With several articles and none chosen, say which one this is and how to pick another.
        note = (
            t("summary_which", locale, title=cards.plain(target.title), n=len(kb.library.articles))
            if article is None and len(kb.library.articles) > 1
            else None
        )
        await interaction.edit_original_response(
            content=note,
            embed=cards.summary_embed(result, kb.library, locale),
            allowed_mentions=NO_PINGS,
        )

    @summary.autocomplete("article")
    async def article_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower()
        out = []
        for a in self.bot.kb.library.articles:
            if needle in a.id or needle in a.title.lower():
                out.append(
                    app_commands.Choice(name=cards.fit(f"{a.title} ({a.id})", 100), value=a.id)
                )
                if len(out) == AUTOCOMPLETE_LIMIT:  # an archive has thousands: stop at what shows
                    break
        return out

    @summary.autocomplete("section")
    async def section_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        library = self.bot.kb.library
        chosen = getattr(interaction.namespace, "article", None)
        article = (
            library.get(chosen)
            if chosen
            else (library.articles[0] if len(library.articles) == 1 else None)
        )
        locale = self.bot.locale_of(interaction)
        if article is None:  # several articles and none chosen yet: say so, not an empty list
            return [app_commands.Choice(name=t("choose_article_first", locale), value=NO_SECTION)]
        needle = current.strip()
        out = []
        for s in article.sections:
            heading = section_name(s.index, s.heading, locale)
            if needle in heading or needle == str(s.index):
                out.append(
                    app_commands.Choice(
                        name=cards.fit(f"{s.index}. {heading}", 100), value=str(s.index)
                    )
                )
        return out[:AUTOCOMPLETE_LIMIT]

    @app_commands.command(name=text("articles"), description=text("articles.description"))
    async def articles(self, interaction: discord.Interaction) -> None:
        locale = self.bot.locale_of(interaction)
        library = self.bot.kb.library
        # An archive of thousands of articles takes tens of milliseconds to lay out: off the loop.
        blocks = await self.bot.asker.run(cards.article_blocks, library, locale)
        pages = paginate(blocks, per_page=5) or [t("no_articles", locale)]
        view = PagedView(t("articles_title", locale), pages, locale)
        await interaction.response.send_message(embed=view.embed(), view=view, ephemeral=True)
        view.message = await interaction.original_response()

    @app_commands.command(name=text("help"), description=text("help.description"))
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            embed=cards.help_embed(self.bot.locale_of(interaction)), ephemeral=True
        )

    @app_commands.command(name=text("reload"), description=text("reload.description"))
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reload(self, interaction: discord.Interaction) -> None:
        if not self.bot.is_moderator(interaction.user):
            raise NotModerator
        locale = self.bot.locale_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        ok, errors = await self.bot.reload_knowledge()
        if ok:
            kb = self.bot.kb
            sentences = sum(a.sentence_count for a in kb.library.articles)
            message = t("reloaded", locale, articles=len(kb.library.articles), sentences=sentences)
            if errors:
                message += "\n" + t("reload_skipped", locale, errors=cards.plain(errors))
        else:
            message = t("reload_failed", locale, errors=cards.plain(errors))
        await interaction.followup.send(cards.fit(message, MESSAGE_LIMIT, locale), ephemeral=True)


async def setup(bot: AnswerBot) -> None:
    await bot.add_cog(Browse(bot))
