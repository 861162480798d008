"""What Discord allows, named once: field lengths, choices, and who a message may ping.

Every module that builds a message, an embed or a choice list reads its limits here, so a limit
Discord changes is changed in one place (https://discord.com/developers/docs/resources/message).
"""

from __future__ import annotations

import discord

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
MESSAGE_LIMIT = 2000
AUTOCOMPLETE_LIMIT = 25  # choices an autocomplete may offer
# Nothing the bot sends pings anyone: a question quoting 「@everyone」 is shown, never obeyed.
NO_PINGS = discord.AllowedMentions.none()
