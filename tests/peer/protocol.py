"""Discord's numbers as the peer uses them: intents, permission bits, message flags, interaction
and callback types, and the deterministic ids of the default world.

Why one module: every other module of the peer reasons with these, and a test asserting on a
payload (``msg["flags"] & FLAG_EPHEMERAL``) imports them from the same place.
"""

from __future__ import annotations

DISCORD_EPOCH_MS = 1420070400000
API_PREFIX = "/api/v10"

# Gateway intents (https://discord.com/developers/docs/events/gateway#gateway-intents).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
GUILD_MESSAGE_TYPING = 1 << 11
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
DIRECT_MESSAGE_TYPING = 1 << 14
MESSAGE_CONTENT = 1 << 15

# Permission bits the peer reasons about.
ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
MANAGE_GUILD = 1 << 5
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)

# Message flags.
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_COMPONENTS_V2 = 1 << 15

# Channel types that are threads (announcement, public, private).
THREAD_TYPES = (10, 11, 12)

# Interaction types and callback types.
IX_PING, IX_COMMAND, IX_COMPONENT, IX_AUTOCOMPLETE, IX_MODAL = 1, 2, 3, 4, 5
CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE, CB_MODAL = 4, 5, 6, 7, 8, 9

# Deterministic default snowflakes, so tests and standalone scripts can hardcode them.
DEFAULT_APP_ID = 1300000000000000001
DEFAULT_GUILD_ID = 1300000000000000100
DEFAULT_CHANNEL_ID = 1300000000000000110
DEFAULT_MOD_ROLE_ID = 1300000000000000120
DEFAULT_BOT_ROLE_ID = 1300000000000000121
DEFAULT_OWNER_ID = 1300000000000000200
DEFAULT_MODERATOR_ID = 1300000000000000201
DEFAULT_MEMBER_ID = 1300000000000000202
