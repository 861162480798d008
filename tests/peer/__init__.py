"""A local Discord protocol peer: REST API v10 + gateway on 127.0.0.1, for driving a real bot.

Why this exists: dpytest fakes discord.py's internals and cannot exercise slash commands,
autocomplete, buttons or views. This peer instead speaks the wire protocol, so an *unmodified*
``discord.Client`` / ``commands.Bot`` logs in, opens the gateway websocket, syncs its application
commands and answers interactions exactly as it would against discord.com. Tests inject events
(slash commands, clicks, messages) and assert on the REST calls the bot made.

It models what a Q&A bot touches and enforces the Discord rules that bite in production
(2000-char content, embed limits, 25 autocomplete choices, an interaction can be acknowledged
once, followups only after acknowledging, MESSAGE_CONTENT intent, channel permissions), answering
with Discord-shaped errors so discord.py raises the same ``HTTPException`` it would in production.

In a test (the bot and the peer share the test's event loop)::

    async with run_bot(MyBot(), DiscordPeer()) as peer:
        ix = await peer.slash("ask", {"question": "誰が書いた?"}, locale="ja")
        call = await ix.callback()                 # POST /interactions/{id}/{token}/callback
        assert call.json["data"]["embeds"][0]["title"]
        msg = await ix.wait_original()             # what the user finally sees, after defer/edit

Standalone (for a bot started in another process)::

    python -m tests.peer --port 8765               # or: python tests/peer --port 8765
    DISCORD_API_BASE=http://127.0.0.1:8765/api/v10 \\
    DISCORD_GATEWAY_URL=ws://127.0.0.1:8765/gateway/ python -m bot run
    curl -XPOST localhost:8765/_peer/interaction -d '{"name":"ask","options":{"question":"?"}}'
    curl localhost:8765/_peer/requests?since=0

REST calls are then printed to stdout as JSON lines; ``/_peer/*`` is the control API
(see ``control.py``).

One concern per module: ``protocol`` (Discord's numbers), ``models`` (the world's dataclasses
and the records), ``limits`` (validation and error payloads), ``world`` (lookups, permissions,
payloads), ``records`` (request/frame logs and waiting), ``gateway``, ``messages``, ``commands``,
``interactions``, ``rest``, ``control``, ``peer`` (``DiscordPeer`` and its lifecycle),
``runner`` (``run_bot``) and ``__main__`` (standalone mode).
"""

from tests.peer.interactions import InteractionHandle
from tests.peer.limits import validate_message
from tests.peer.models import (
    GatewayFrame,
    PeerChannel,
    PeerGuild,
    PeerMember,
    PeerOverwrite,
    PeerRole,
    PeerUser,
    Request,
    UploadedFile,
    default_guild,
)
from tests.peer.peer import DiscordPeer
from tests.peer.protocol import (
    DEFAULT_APP_ID,
    DEFAULT_CHANNEL_ID,
    DEFAULT_GUILD_ID,
    FLAG_EPHEMERAL,
)
from tests.peer.records import PeerError
from tests.peer.runner import run_bot

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_CHANNEL_ID",
    "DEFAULT_GUILD_ID",
    "FLAG_EPHEMERAL",
    "DiscordPeer",
    "GatewayFrame",
    "InteractionHandle",
    "PeerChannel",
    "PeerError",
    "PeerGuild",
    "PeerMember",
    "PeerOverwrite",
    "PeerRole",
    "PeerUser",
    "Request",
    "UploadedFile",
    "default_guild",
    "run_bot",
    "validate_message",
]
