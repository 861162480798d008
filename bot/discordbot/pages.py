"""Paged embeds with ◀ ▶ buttons, for reports longer than one embed."""

from __future__ import annotations

import logging

import discord

from bot.discordbot.cards import ANSWER_COLOUR, fit
from bot.discordbot.limits import DESCRIPTION_LIMIT, TITLE_LIMIT
from bot.strings import t

log = logging.getLogger(__name__)
PAGE_TIMEOUT = 14 * 60  # an interaction token, needed to edit an ephemeral reply, lives 15 min


def paginate(lines: list[str], per_page: int = 10, limit: int = DESCRIPTION_LIMIT) -> list[str]:
    """Group lines into pages of at most `per_page` lines and `limit` characters."""
    pages: list[str] = []
    current: list[str] = []
    for line in lines:
        line = line[: limit // 2]
        if current and (len(current) == per_page or len("\n".join([*current, line])) > limit):
            pages.append("\n".join(current))
            current = []
        current.append(line)
    if current:
        pages.append("\n".join(current))
    return pages


class ExpiringView(discord.ui.View):
    """A view whose buttons are greyed out when it times out, instead of failing when clicked.

    The sender sets `message` to the message the view is attached to.
    """

    message: discord.Message | discord.InteractionMessage | None = None

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                log.info("could not disable the buttons of an expired message")


class PagedView(ExpiringView):
    """Shows one page at a time; the buttons only appear when there is more than one page."""

    def __init__(self, title: str, pages: list[str], locale: str) -> None:
        super().__init__(timeout=PAGE_TIMEOUT)
        self.title = title
        self.pages = pages or [t("no_rows", locale)]
        self.locale = locale
        self.index = 0
        if len(self.pages) < 2:
            self.clear_items()

    def embed(self) -> discord.Embed:
        embed = discord.Embed(
            title=fit(self.title, TITLE_LIMIT),
            description=self.pages[self.index],
            colour=ANSWER_COLOUR,
        )
        if len(self.pages) > 1:
            embed.set_footer(text=t("page", self.locale, i=self.index + 1, n=len(self.pages)))
        return embed

    @discord.ui.button(emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.index = (self.index - 1) % len(self.pages)
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.index = (self.index + 1) % len(self.pages)
        await interaction.response.edit_message(embed=self.embed(), view=self)
