"""Japanese and English names and descriptions for the slash commands."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.strings import COMMAND_TEXT, language


def text(key: str) -> app_commands.locale_str:
    """A command string whose default is the English text and whose key the translator looks up."""
    return app_commands.locale_str(COMMAND_TEXT[key]["en"], key=key)


class Translator(app_commands.Translator):
    """Gives Discord the Japanese text for the `ja` locale and English for the English ones."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if key is None or key not in COMMAND_TEXT:
            return None
        lang = language(locale.value)
        return COMMAND_TEXT[key][lang] if lang else None
