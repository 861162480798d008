"""One handler for every slash-command error: a friendly ephemeral reply, a logged traceback."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.discordbot.limits import NO_PINGS
from bot.strings import t

log = logging.getLogger(__name__)
# Discord's error code for a second response to one interaction.
ALREADY_ACKNOWLEDGED = 40060


class NotModerator(app_commands.CheckFailure):
    """The user lacks Manage Messages and the moderator role."""


async def reply_ephemeral(
    interaction: discord.Interaction, text: str, *, replace: bool = False
) -> None:
    """Reply whether or not the interaction was already answered or deferred; with `replace`,
    an acknowledged one has its response replaced (no "thinking…" left behind).

    An acknowledgement whose request was cut short (a stop cancels the task awaiting it) may
    have reached Discord without the interaction knowing: the reply Discord then refuses
    (40060) becomes the edit it should have been, or the member is left "thinking…" for good.
    """
    if not interaction.response.is_done():
        try:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        except discord.HTTPException as e:
            if e.code != ALREADY_ACKNOWLEDGED:
                raise
            replace = True
    if replace:
        await interaction.edit_original_response(
            content=text, embed=None, view=None, allowed_mentions=NO_PINGS
        )
    else:
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def report_command_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError, locale: str
) -> None:
    """What the bot's `@tree.error` handler does: the user hears why, the log gets the trace."""
    if interaction.type == discord.InteractionType.autocomplete:
        # Autocomplete can only be answered with choices; a message would be refused.
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("autocomplete of /%s failed", name, exc_info=error)
        return
    if isinstance(error, NotModerator | app_commands.MissingPermissions):
        text = t("moderators_only", locale)
    else:
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error("command /%s failed", command, exc_info=error)
        text = t("error", locale)
    try:
        await reply_ephemeral(interaction, text)
    except discord.HTTPException:
        log.exception("could not tell the user about the error")
