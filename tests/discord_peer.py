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

    python -m tests.discord_peer --port 8765     # or: python tests/discord_peer.py --port 8765
    DISCORD_API_BASE=http://127.0.0.1:8765/api/v10 \\
    DISCORD_GATEWAY_URL=ws://127.0.0.1:8765/gateway/ python -m bot run
    curl -XPOST localhost:8765/_peer/interaction -d '{"name":"ask","options":{"question":"?"}}'
    curl localhost:8765/_peer/requests?since=0

REST calls are then printed to stdout as JSON lines; ``/_peer/*`` is the control API
(see ``DiscordPeer._control_routes``).
"""

# Waits take ``timeout=`` (the brief's API, and it feeds the failure message), not asyncio.timeout.
# ruff: noqa: ASYNC109

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any, TypeVar

from aiohttp import WSMsgType, web

__all__ = [
    "DiscordPeer",
    "GatewayFrame",
    "InteractionHandle",
    "PeerChannel",
    "PeerGuild",
    "PeerMember",
    "PeerOverwrite",
    "PeerRole",
    "PeerUser",
    "Request",
    "UploadedFile",
    "default_guild",
    "run_bot",
]

_log = logging.getLogger("tests.discord_peer")
T = TypeVar("T")

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
FLAG_HAS_THREAD = 1 << 5
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_COMPONENTS_V2 = 1 << 15

# Interaction types and callback types.
IX_PING, IX_COMMAND, IX_COMPONENT, IX_AUTOCOMPLETE, IX_MODAL = 1, 2, 3, 4, 5
CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE, CB_MODAL = 4, 5, 6, 7, 8, 9

# Deterministic default snowflakes, so tests and standalone scripts can hardcode them.
DEFAULT_APP_ID = 1300000000000000001
DEFAULT_GUILD_ID = 1300000000000000100
# Where `python -m bot` finds the package when the peer starts the bot as a subprocess.
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CHANNEL_ID = 1300000000000000110
DEFAULT_MOD_ROLE_ID = 1300000000000000120
DEFAULT_BOT_ROLE_ID = 1300000000000000121
DEFAULT_OWNER_ID = 1300000000000000200
DEFAULT_MODERATOR_ID = 1300000000000000201
DEFAULT_MEMBER_ID = 1300000000000000202

_MENTION_USER = re.compile(r"<@!?(\d+)>")
_MENTION_ROLE = re.compile(r"<@&(\d+)>")


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


# --------------------------------------------------------------------------------------------
# World configuration: plain dataclasses a test can build; the peer renders them as payloads.
# --------------------------------------------------------------------------------------------


@dataclass
class PeerUser:
    """A Discord user. ``name`` doubles as a lookup key (``peer.user("moderator")``)."""

    id: int
    name: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class PeerRole:
    """A guild role; the role whose id equals the guild id is @everyone, as on Discord."""

    id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class PeerOverwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int = 0
    allow: int = 0
    deny: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass
class PeerChannel:
    """A channel. Types: 0 text, 1 DM, 2 voice, 4 category, 5 news, 11 public thread, 15 forum."""

    id: int
    name: str
    type: int = 0
    parent_id: int | None = None
    topic: str | None = None
    position: int = 0
    nsfw: bool = False
    overwrites: list[PeerOverwrite] = field(default_factory=list)
    owner_id: int | None = None  # threads
    recipient_id: int | None = None  # DMs
    guild_id: int | None = None  # filled in by the peer


@dataclass
class PeerMember:
    """A guild member: a user plus role ids (@everyone is implicit, as on Discord)."""

    user: PeerUser
    roles: list[int] = field(default_factory=list)
    nick: str | None = None


@dataclass
class PeerGuild:
    """A guild with its channels, roles (including @everyone) and members."""

    id: int
    name: str
    owner_id: int
    channels: list[PeerChannel] = field(default_factory=list)
    roles: list[PeerRole] = field(default_factory=list)
    members: list[PeerMember] = field(default_factory=list)
    preferred_locale: str = "en-US"

    def member(self, user_id: int) -> PeerMember | None:
        return next((m for m in self.members if m.user.id == user_id), None)

    def role(self, role_id: int) -> PeerRole | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def channel(self, channel_id: int) -> PeerChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)


def default_guild() -> PeerGuild:
    """One guild, one text channel, an owner, a moderator (manage_messages) and a plain member."""
    owner = PeerUser(DEFAULT_OWNER_ID, "owner")
    moderator = PeerUser(DEFAULT_MODERATOR_ID, "moderator")
    member = PeerUser(DEFAULT_MEMBER_ID, "member")
    return PeerGuild(
        id=DEFAULT_GUILD_ID,
        name="Peer Guild",
        owner_id=owner.id,
        channels=[PeerChannel(DEFAULT_CHANNEL_ID, "general", topic="記事について質問")],
        roles=[
            PeerRole(DEFAULT_GUILD_ID, "@everyone", DEFAULT_EVERYONE_PERMISSIONS),
            PeerRole(DEFAULT_MOD_ROLE_ID, "Moderator", MANAGE_MESSAGES | MANAGE_THREADS, 2),
        ],
        members=[
            PeerMember(owner),
            PeerMember(moderator, roles=[DEFAULT_MOD_ROLE_ID]),
            PeerMember(member),
        ],
    )


# --------------------------------------------------------------------------------------------
# What the peer records.
# --------------------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    """One ``files[N]`` part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
        }
        try:
            out["text"] = self.data.decode("utf-8")
        except UnicodeDecodeError:
            out["text"] = None
        return out


@dataclass
class Request:
    """One REST call the bot made, with what the peer answered.

    ``path`` is relative to the API base (``/channels/1/messages``); ``json`` is the JSON body or,
    for multipart uploads, the parsed ``payload_json``; ``route`` is the matched template
    (``"POST /channels/{channel_id}/messages"``), or ``""`` for routes the peer does not know.
    """

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[UploadedFile]
    route: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    response: Any = None

    @property
    def known(self) -> bool:
        return bool(self.route)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "route": self.route,
            "json": self.json,
            "files": [f.to_dict() for f in self.files],
            "status": self.status,
            "response": self.response,
        }


@dataclass
class GatewayFrame:
    """A gateway frame received from (``direction="recv"``) or sent to the bot."""

    index: int
    connection: int
    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any


class PeerError(RuntimeError):
    """Raised in a waiting test when the bot task died or discord.py logged an error."""


class _ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors


def _form_error(problems: Mapping[str, tuple[str, str]]) -> _ApiError:
    """Build discord's nested ``Invalid Form Body`` error from ``{"embeds.0.title": (code, msg)}``."""
    errors: dict[str, Any] = {}
    for dotted, (code, message) in problems.items():
        node = errors
        for part in dotted.split("."):
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return _ApiError(400, 50035, "Invalid Form Body", errors)


def _max_len(problems: dict[str, tuple[str, str]], key: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems[key] = ("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def validate_message(payload: Mapping[str, Any], files: Sequence[UploadedFile] = ()) -> None:
    """Apply Discord's message limits; raise the 400 Discord would send.

    Why: a Q&A bot quoting articles easily overflows 2000/4096/1024-character limits, which only
    fails against the real API. Raising here makes the bot's own error path run in tests too.
    """
    problems: dict[str, tuple[str, str]] = {}
    v2 = bool(int(payload.get("flags") or 0) & FLAG_COMPONENTS_V2)
    _max_len(problems, "content", payload.get("content"), 2000)
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        problems["embeds"] = ("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        base = f"embeds.{i}"
        _max_len(problems, f"{base}.title", embed.get("title"), 256)
        _max_len(problems, f"{base}.description", embed.get("description"), 4096)
        _max_len(problems, f"{base}.footer.text", (embed.get("footer") or {}).get("text"), 2048)
        _max_len(problems, f"{base}.author.name", (embed.get("author") or {}).get("name"), 256)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems[f"{base}.fields"] = ("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                if not fld.get(key):
                    problems[f"{base}.fields.{j}.{key}"] = (
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                _max_len(problems, f"{base}.fields.{j}.{key}", fld.get(key), limit)
            total += len(fld.get("name") or "") + len(fld.get("value") or "")
        total += len(embed.get("title") or "") + len(embed.get("description") or "")
        total += len((embed.get("footer") or {}).get("text") or "")
        total += len((embed.get("author") or {}).get("name") or "")
    if total > 6000:
        problems["embeds"] = ("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
    rows = payload.get("components") or []
    if not v2 and len(rows) > 5:
        problems["components"] = ("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for path, comp in _walk_components(rows):
        custom_id = comp.get("custom_id")
        if custom_id is not None:
            _max_len(problems, f"{path}.custom_id", custom_id, 100)
            if custom_id in seen:
                problems[f"{path}.custom_id"] = (
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            seen.add(custom_id)
        if comp.get("type") == 1 and len(comp.get("components") or []) > 5:
            problems[f"{path}.components"] = (
                "BASE_TYPE_MAX_LENGTH",
                "Must be 5 or fewer in length.",
            )
        if comp.get("type") == 2:
            _max_len(problems, f"{path}.label", comp.get("label"), 80)
            if comp.get("style") == 5 and not comp.get("url"):
                problems[f"{path}.url"] = ("BASE_TYPE_REQUIRED", "This field is required")
    if problems:
        raise _form_error(problems)
    has_body = any(
        payload.get(key)
        for key in ("content", "embeds", "components", "sticker_ids", "poll", "attachments")
    )
    if not has_body and not files:
        raise _ApiError(400, 50006, "Cannot send an empty message")


def _walk_components(
    components: Iterable[Mapping[str, Any]], prefix: str = "components"
) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for i, comp in enumerate(components):
        path = f"{prefix}.{i}"
        yield path, comp
        if comp.get("components"):
            yield from _walk_components(comp["components"], f"{path}.components")
        if comp.get("component"):
            yield from _walk_components([comp["component"]], f"{path}.component")
        if comp.get("accessory"):
            yield from _walk_components([comp["accessory"]], f"{path}.accessory")


# --------------------------------------------------------------------------------------------
# Interactions.
# --------------------------------------------------------------------------------------------


@dataclass
class _Interaction:
    id: str
    token: str
    type: int
    payload: dict[str, Any]
    channel_id: str
    guild_id: str | None
    source_message_id: str | None = None
    callback: Request | None = None
    response_type: int | None = None
    original_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    choices: list[dict[str, Any]] | None = None
    modal: dict[str, Any] | None = None


class InteractionHandle:
    """What ``slash``/``click``/``submit_modal`` return: the injected interaction and its fate.

    Waiting on a handle is scoped to its token, so two commands in one test never get confused.
    """

    def __init__(self, peer: DiscordPeer, state: _Interaction) -> None:
        self._peer = peer
        self._state = state

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self.type} token={self.token[:12]}…>"

    @property
    def id(self) -> str:
        return self._state.id

    @property
    def token(self) -> str:
        return self._state.token

    @property
    def type(self) -> int:
        return self._state.type

    @property
    def payload(self) -> dict[str, Any]:
        """The INTERACTION_CREATE ``d`` that was sent to the bot."""
        return self._state.payload

    @property
    def response_type(self) -> int | None:
        """Callback type the bot used (4 message, 5 defer, 6/7 component update, 8, 9)."""
        return self._state.response_type

    @property
    def requests(self) -> list[Request]:
        """Every REST call made with this interaction's token (callback, followups, edits)."""
        return [r for r in self._peer.requests if self.token in r.path]

    @property
    def original(self) -> dict[str, Any] | None:
        """The current state of the ``@original`` response message, if any."""
        mid = self._state.original_id
        return self._peer.messages.get(mid) if mid else None

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Current state of followup messages (not counting a followup that filled a defer)."""
        return [
            self._peer.messages[m] for m in self._state.followup_ids if m in self._peer.messages
        ]

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """Autocomplete choices, once the bot answered with callback type 8."""
        return self._state.choices

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened with callback type 9."""
        return self._state.modal

    async def callback(self, timeout: float = 5.0) -> Request:
        """Wait for the bot's ``POST /interactions/{id}/{token}/callback`` and return it."""
        return await self._peer.wait_until(
            lambda: self._state.callback,
            timeout=timeout,
            what=f"interaction callback for {self.id}",
        )

    async def wait_original(
        self, pred: Callable[[dict[str, Any]], bool] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait until the original response exists, is no longer 'thinking', and matches ``pred``.

        Why: a bot may answer directly, or defer and edit later; the test asserts on what the user
        ends up seeing without caring which path the bot took.
        """

        def ready() -> dict[str, Any] | None:
            msg = self.original
            if msg is None or msg["flags"] & FLAG_LOADING:
                return None
            return msg if pred is None or pred(msg) else None

        return await self._peer.wait_until(ready, timeout=timeout, what=f"original of {self.id}")

    async def wait_followup(
        self, pred: Callable[[dict[str, Any]], bool] | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """Wait for a followup message (``POST /webhooks/{app}/{token}``) matching ``pred``."""

        def found() -> dict[str, Any] | None:
            return next((m for m in self.followups if pred is None or pred(m)), None)

        return await self._peer.wait_until(found, timeout=timeout, what=f"followup of {self.id}")


# --------------------------------------------------------------------------------------------
# Gateway sessions.
# --------------------------------------------------------------------------------------------


@dataclass
class _Conn:
    index: int
    ws: web.WebSocketResponse


@dataclass
class _Session:
    id: str
    intents: int
    shard: list[int] | None
    conn: _Conn | None
    seq: int = 0
    frames: list[dict[str, Any]] = field(default_factory=list)
    resumable: bool = True


_Handler = Callable[..., Any]

_EVENT_INTENTS: list[tuple[str, int, int]] = [
    # (event prefix, intent needed in a guild, intent needed in a DM); order matters.
    ("MESSAGE_REACTION_", GUILD_MESSAGE_REACTIONS, DIRECT_MESSAGE_REACTIONS),
    ("MESSAGE_", GUILD_MESSAGES, DIRECT_MESSAGES),
    ("TYPING_START", GUILD_MESSAGE_TYPING, DIRECT_MESSAGE_TYPING),
    ("GUILD_MEMBER_", GUILD_MEMBERS, GUILD_MEMBERS),
    ("GUILD_", GUILDS, GUILDS),
    ("CHANNEL_", GUILDS, GUILDS),
    ("THREAD_", GUILDS, GUILDS),
]


class DiscordPeer:
    """An aiohttp server on 127.0.0.1 speaking Discord REST v10 and the gateway.

    Construct, ``await start()``, point discord.py at it with ``install()`` (in-process) or
    ``env()`` (subprocess), run the bot, then inject events and wait on recorded requests.

    Args:
        guilds: the world; defaults to ``[default_guild()]``. The bot is added as a member of every
            guild (with a managed role) if the guild does not list it.
        bot_user_id / app_id: the bot's user and application ids (equal on Discord by default).
            The application's owner (``is_owner``) is the first guild's owner.
        bot_name: the bot's username.
        token: if set, REST calls and IDENTIFY must use it (else 401 / close 4004, as Discord).
        strict_commands: ``slash``/``autocomplete`` refuse commands the bot never synced and check
            option names against the synced schema (a user cannot invoke an unsynced command).
        echo_bot_messages: dispatch MESSAGE_CREATE/UPDATE/DELETE for the bot's own non-ephemeral
            messages, as Discord does (a bot that does not ignore itself will see them).
        log_stream: write one JSON line per REST call / gateway session event (standalone mode).
    """

    def __init__(
        self,
        guilds: Sequence[PeerGuild] | None = None,
        *,
        bot_user_id: int | None = None,
        app_id: int = DEFAULT_APP_ID,
        bot_name: str = "kiji-bot",
        token: str | None = None,
        strict_commands: bool = True,
        echo_bot_messages: bool = True,
        heartbeat_interval_ms: int = 41250,
        log_stream: IO[str] | None = None,
    ) -> None:
        self.app_id = app_id
        self.bot_user = PeerUser(bot_user_id or app_id, bot_name, bot=True)
        self.guilds: list[PeerGuild] = list(guilds) if guilds is not None else [default_guild()]
        self.token = token
        self.strict_commands = strict_commands
        self.echo_bot_messages = echo_bot_messages
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.log_stream = log_stream

        self.requests: list[Request] = []
        self.gateway_frames: list[GatewayFrame] = []
        self.filtered_events: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.deleted_messages: dict[str, dict[str, Any]] = {}
        self.reactions: list[tuple[str, str, str]] = []  # (message_id, emoji, user_id)
        self.attachments: dict[str, bytes] = {}
        # (guild_id or None for global) -> {command name -> command payload with id}
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self.interactions: list[InteractionHandle] = []
        self.bot_task: asyncio.Task[Any] | None = None  # set by run_bot

        self._users: dict[int, PeerUser] = {self.bot_user.id: self.bot_user}
        self._channels: dict[int, PeerChannel] = {}
        self._dm_channels: dict[int, PeerChannel] = {}
        self._ix_by_token: dict[str, _Interaction] = {}
        self._session: _Session | None = None
        self._conns: list[_Conn] = []
        self._conn_counter = itertools.count(1)
        self._send_lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._watched: list[asyncio.Task[Any]] = []
        self._failures: list[str] = []
        self._last_snowflake = 0
        self._undo_install: Callable[[], None] | None = None
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.port: int | None = None
        self._routes = self._compile_routes()
        for guild in self.guilds:
            self._adopt_guild(guild)

    # ------------------------------------------------------------------ lifecycle / wiring

    async def start(self, port: int = 0) -> DiscordPeer:
        """Bind 127.0.0.1 (``port=0``: a free port) and serve. Returns self for chaining."""
        self._loop = asyncio.get_running_loop()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_get("/gateway/", self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api_handler)
        app.router.add_get("/attachments/{attachment_id}/{filename}", self._attachment_handler)
        for method, path, handler in self._control_routes():
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close gateway connections (1000) and the server; undo ``install()`` if still active."""
        self.uninstall()
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1000)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordPeer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("DiscordPeer not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE`` / ``DISCORD_API_BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` / ``DISCORD_GATEWAY_URL``."""
        return f"ws://127.0.0.1:{self.port}/gateway/"

    def env(self) -> dict[str, str]:
        """Environment for a bot subprocess (``python -m bot run``) that honours these variables."""
        return {"DISCORD_API_BASE": self.api_base, "DISCORD_GATEWAY_URL": self.gateway_url}

    async def start_bot_process(
        self, token: str, log_db: str, *, stdout: int | None = None, **settings: str
    ) -> asyncio.subprocess.Process:
        """``python -m bot run`` as a user starts it, pointed at this peer and its guild, with no
        cooldown; `settings` add or override environment variables (BOT_KNOWLEDGE_DIR=...)."""
        env = {
            **os.environ,
            **self.env(),
            "DISCORD_TOKEN": token,
            "DISCORD_GUILD_IDS": str(DEFAULT_GUILD_ID),
            "BOT_LOG_DB": log_db,
            "BOT_USER_COOLDOWN_SECONDS": "0",
            **settings,
        }
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=REPO_ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE if stdout is None else stdout,
            stderr=asyncio.subprocess.PIPE,
        )

    def install(self, discord: ModuleType | None = None) -> Callable[[], None]:
        """Point an in-process discord.py at this peer; returns the undo (also ``uninstall()``).

        Both knobs are class attributes read when a Route / websocket is created, so this must
        happen before ``bot.start()``; webhooks and interaction callbacks use the same ``Route``.
        """
        if discord is None:
            import discord

        import yarl

        route_cls = discord.http.Route
        ws_cls = discord.gateway.DiscordWebSocket
        old_base, old_gateway = route_cls.BASE, ws_cls.DEFAULT_GATEWAY
        route_cls.BASE = self.api_base
        ws_cls.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

        def undo() -> None:
            route_cls.BASE = old_base
            ws_cls.DEFAULT_GATEWAY = old_gateway
            self._undo_install = None

        self.uninstall()
        self._undo_install = undo
        return undo

    def uninstall(self) -> None:
        if self._undo_install is not None:
            self._undo_install()

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Make every wait fail fast (``PeerError``) if ``task`` (the bot) ends."""
        self._watched.append(task)

    def report_failure(self, message: str) -> None:
        """Make current and future waits fail fast with ``message`` (used by ``run_bot``)."""
        self._failures.append(message)
        self._notify()

    # ------------------------------------------------------------------ world lookups

    def _adopt_guild(self, guild: PeerGuild) -> None:
        if guild.role(guild.id) is None:
            guild.roles.insert(0, PeerRole(guild.id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS))
        if guild.member(self.bot_user.id) is None:
            role_id = guild.id + 21 if guild.id == DEFAULT_GUILD_ID else self._snowflake()
            guild.roles.append(PeerRole(role_id, self.bot_user.name, 0, 1, managed=True))
            guild.members.append(PeerMember(self.bot_user, roles=[role_id]))
        for member in guild.members:
            self._users.setdefault(member.user.id, member.user)
        for channel in guild.channels:
            channel.guild_id = guild.id
            self._channels[channel.id] = channel

    def user(self, who: int | str | PeerUser) -> PeerUser:
        """Resolve a user by id, by name, or pass a ``PeerUser`` through."""
        if isinstance(who, PeerUser):
            return who
        if isinstance(who, int) or (isinstance(who, str) and who.isdigit()):
            found = self._users.get(int(who))
        else:
            found = next((u for u in self._users.values() if u.name == who), None)
        if found is None:
            raise LookupError(
                f"unknown user {who!r}; known: {[u.name for u in self._users.values()]}"
            )
        return found

    @property
    def guild(self) -> PeerGuild:
        """The first guild (the default one unless ``guilds=`` was given)."""
        return self.guilds[0]

    @property
    def channel(self) -> PeerChannel:
        """The first text channel of the first guild."""
        return next(c for c in self.guild.channels if c.type in (0, 5))

    @property
    def owner(self) -> PeerUser:
        return self.user(self.guild.owner_id)

    @property
    def moderator(self) -> PeerUser:
        return self.user("moderator")

    @property
    def member(self) -> PeerUser:
        return self.user("member")

    @property
    def bot_mention(self) -> str:
        return f"<@{self.bot_user.id}>"

    def _guild_of(self, channel: PeerChannel) -> PeerGuild | None:
        return next((g for g in self.guilds if g.id == channel.guild_id), None)

    def _get_channel(self, channel_id: int | str) -> PeerChannel:
        cid = int(channel_id)
        channel = self._channels.get(cid)
        if channel is None:
            raise _ApiError(404, 10003, "Unknown Channel")
        return channel

    def dm_channel(self, who: int | str | PeerUser) -> PeerChannel:
        """The DM channel between the bot and a user (created on first use, as on Discord)."""
        user = self.user(who)
        channel = self._dm_channels.get(user.id)
        if channel is None:
            channel = PeerChannel(self._snowflake(), "", type=1, recipient_id=user.id)
            self._dm_channels[user.id] = channel
            self._channels[channel.id] = channel
        return channel

    def permissions(
        self, who: int | str | PeerUser, channel: PeerChannel | int | None = None
    ) -> int:
        """Discord's permission algorithm: @everyone, roles, admin/owner, then channel overwrites."""
        user = self.user(who)
        if isinstance(channel, int):
            channel = self._get_channel(channel)
        if channel is not None and channel.type == 1:
            return DEFAULT_EVERYONE_PERMISSIONS
        guild = self._guild_of(channel) if channel is not None else self.guild
        if guild is None:
            return 0
        if user.id == guild.owner_id:
            return ALL_PERMISSIONS
        member = guild.member(user.id)
        if member is None:
            return 0
        everyone = guild.role(guild.id)
        perms = everyone.permissions if everyone else 0
        for rid in member.roles:
            role = guild.role(rid)
            perms |= role.permissions if role else 0
        if perms & ADMINISTRATOR:
            return ALL_PERMISSIONS
        if channel is not None and channel.type in (10, 11, 12) and channel.parent_id:
            channel = self._channels.get(channel.parent_id, channel)
        if channel is not None:
            overwrites = {o.id: o for o in channel.overwrites}
            if guild.id in overwrites:
                perms = (perms & ~overwrites[guild.id].deny) | overwrites[guild.id].allow
            allow = deny = 0
            for rid in member.roles:
                if rid in overwrites:
                    allow |= overwrites[rid].allow
                    deny |= overwrites[rid].deny
            perms = (perms & ~deny) | allow
            if user.id in overwrites:
                perms = (perms & ~overwrites[user.id].deny) | overwrites[user.id].allow
        return perms

    # ------------------------------------------------------------------ payload rendering

    def _snowflake(self) -> int:
        now = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        self._last_snowflake = max(now, self._last_snowflake + 1)
        return self._last_snowflake

    def _member_payload(
        self, guild: PeerGuild, member: PeerMember, *, user: bool = True
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "roles": [str(r) for r in member.roles],
            "nick": member.nick,
            "avatar": None,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if user:
            out["user"] = member.user.payload()
        return out

    def channel_payload(self, channel: PeerChannel) -> dict[str, Any]:
        """The channel object as ``GET /channels/{id}`` and GUILD_CREATE render it."""
        out: dict[str, Any] = {"id": str(channel.id), "type": channel.type, "flags": 0}
        if channel.type == 1:
            recipient = self.user(channel.recipient_id or 0)
            out.update(last_message_id=None, recipients=[recipient.payload()])
            return out
        out.update(
            guild_id=str(channel.guild_id),
            name=channel.name,
            position=channel.position,
            parent_id=str(channel.parent_id) if channel.parent_id else None,
            permission_overwrites=[o.payload() for o in channel.overwrites],
            nsfw=channel.nsfw,
        )
        if channel.type in (0, 5, 15):
            out.update(topic=channel.topic, rate_limit_per_user=0, last_message_id=None)
        if channel.type == 15:
            out.update(available_tags=[], default_reaction_emoji=None, default_sort_order=None)
        if channel.type == 2:
            out.update(bitrate=64000, user_limit=0, rtc_region=None)
        if channel.type in (10, 11, 12):
            out.update(
                owner_id=str(channel.owner_id) if channel.owner_id else None,
                rate_limit_per_user=0,
                message_count=0,
                member_count=1,
                total_message_sent=0,
                applied_tags=[],
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _now_iso(),
                    "locked": False,
                    "create_timestamp": _now_iso(),
                },
            )
        return out

    def guild_create_payload(
        self, guild: PeerGuild, intents: int = GUILD_MEMBERS
    ) -> dict[str, Any]:
        """A full GUILD_CREATE, complete enough that member/channel/role caches are populated.

        Without the GUILD_MEMBERS intent Discord only includes the bot's own member, so a bot
        relying on ``guild.get_member`` without that intent fails here as it would in production.
        """
        threads = [c for c in guild.channels if c.type in (10, 11, 12)]
        members = [
            m for m in guild.members if intents & GUILD_MEMBERS or m.user.id == self.bot_user.id
        ]
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "preferred_locale": guild.preferred_locale,
            "features": [],
            "roles": [r.payload() for r in guild.roles],
            "emojis": [],
            "stickers": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "members": [self._member_payload(guild, m) for m in members],
            "channels": [self.channel_payload(c) for c in guild.channels if c not in threads],
            "threads": [self.channel_payload(c) for c in threads],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "max_members": 500000,
            "max_video_channel_users": 25,
            "application_id": None,
        }

    def _author_fields(self, user: PeerUser, channel: PeerChannel) -> dict[str, Any]:
        out: dict[str, Any] = {"author": user.payload()}
        guild = self._guild_of(channel)
        if guild is not None:
            out["guild_id"] = str(guild.id)
            member = guild.member(user.id)
            if member is not None:
                out["member"] = self._member_payload(guild, member, user=False)
        return out

    def _mentions(
        self, content: str, allowed: Mapping[str, Any] | None, replied_to: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Resolve ``<@id>``/``<@&id>``/@everyone the way Discord applies ``allowed_mentions``."""
        parse = (
            ["users", "roles", "everyone"] if allowed is None else list(allowed.get("parse", []))
        )
        allowed_users = (
            None if "users" in parse else {str(u) for u in (allowed or {}).get("users", [])}
        )
        allowed_roles = (
            None if "roles" in parse else {str(r) for r in (allowed or {}).get("roles", [])}
        )
        users: list[dict[str, Any]] = []
        for uid in dict.fromkeys(_MENTION_USER.findall(content)):
            if (allowed_users is None or uid in allowed_users) and int(uid) in self._users:
                users.append(self._users[int(uid)].payload())
        replied = True if allowed is None else bool(allowed.get("replied_user", False))
        if (
            replied_to is not None
            and replied
            and replied_to["author"]["id"] not in {u["id"] for u in users}
        ):
            users.append(replied_to["author"])
        roles = [
            r
            for r in dict.fromkeys(_MENTION_ROLE.findall(content))
            if allowed_roles is None or r in allowed_roles
        ]
        everyone = ("@everyone" in content or "@here" in content) and "everyone" in parse
        return {"mentions": users, "mention_roles": roles, "mention_everyone": everyone}

    def _attachments(
        self,
        channel_id: str,
        specs: list[dict[str, Any]] | None,
        files: Sequence[UploadedFile],
        existing: Sequence[dict[str, Any]] = (),
    ) -> list[dict[str, Any]]:
        """Turn ``payload_json.attachments`` + ``files[N]`` into attachment objects served here."""
        by_index = {}
        for upload in files:
            match = re.fullmatch(r"files\[(\d+)\]", upload.field)
            if match:
                by_index[match.group(1)] = upload
        if specs is None:
            specs = [{"id": k, "filename": f.filename} for k, f in by_index.items()]
            if not files:
                return list(existing)
        keep = {a["id"]: a for a in existing}
        out: list[dict[str, Any]] = []
        for spec in specs:
            sid = str(spec.get("id"))
            if sid in by_index:
                upload = by_index[sid]
                aid = str(self._snowflake())
                filename = spec.get("filename") or upload.filename or f"file{sid}"
                self.attachments[aid] = upload.data
                url = f"{self.base_url}/attachments/{aid}/{filename}"
                out.append(
                    {
                        "id": aid,
                        "filename": filename,
                        "size": len(upload.data),
                        "url": url,
                        "proxy_url": url,
                        "content_type": upload.content_type or "application/octet-stream",
                        "description": spec.get("description"),
                        "ephemeral": False,
                    }
                )
            elif sid in keep:
                out.append(keep[sid])
        return out

    def _new_message(
        self,
        channel: PeerChannel,
        author: PeerUser,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile] = (),
        message_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Create and store a message object as Discord would return it."""
        mid = str(message_id or self._snowflake())
        ref = body.get("message_reference")
        replied_to = self.messages.get(str(ref.get("message_id"))) if ref else None
        content = body.get("content") or ""
        msg: dict[str, Any] = {
            "id": mid,
            "channel_id": str(channel.id),
            "type": 19 if ref else 0,
            "content": content,
            "tts": bool(body.get("tts", False)),
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "pinned": False,
            "flags": int(body.get("flags") or 0),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "components": list(body.get("components") or []),
            "attachments": self._attachments(str(channel.id), body.get("attachments"), files),
            "reactions": [],
            **self._author_fields(author, channel),
            **self._mentions(content, body.get("allowed_mentions"), replied_to),
        }
        if ref:
            msg["message_reference"] = {"type": 0, "channel_id": str(channel.id), **ref}
            msg["referenced_message"] = replied_to
        if body.get("poll"):
            msg["poll"] = body["poll"]
        msg.update(extra)
        self.messages[mid] = msg
        return msg

    def _edit_message(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[UploadedFile] = ()
    ) -> dict[str, Any]:
        """Apply a PATCH the way Discord does: only the given fields change; validate first."""
        edited = dict(msg)
        self._apply_edit(edited, body, files)
        validate_message(edited)
        msg.update(edited)
        return msg

    def _apply_edit(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[UploadedFile]
    ) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = list(body["components"] or [])
        if "attachments" in body or files:
            msg["attachments"] = self._attachments(
                msg["channel_id"], body.get("attachments"), files, msg["attachments"]
            )
        if body.get("flags") is not None:
            keep = msg["flags"] & ~(FLAG_SUPPRESS_EMBEDS | FLAG_LOADING)
            msg["flags"] = keep | (int(body["flags"]) & FLAG_SUPPRESS_EMBEDS)
        if "content" in body or "allowed_mentions" in body:
            msg.update(self._mentions(msg["content"], body.get("allowed_mentions"), None))
        msg["flags"] &= ~FLAG_LOADING
        msg["edited_timestamp"] = _now_iso()

    def channel_messages(
        self, channel_id: int | str | None = None, *, ephemeral: bool = False
    ) -> list[dict[str, Any]]:
        """Current (non-deleted) messages of a channel, oldest first, as a user would see them."""
        cid = str(channel_id or self.channel.id)
        return [
            m
            for m in self.messages.values()
            if m["channel_id"] == cid and (ephemeral or not m["flags"] & FLAG_EPHEMERAL)
        ]

    # ------------------------------------------------------------------ waiting

    def _notify(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if self._loop is not None and loop is not self._loop:
            # e.g. discord.py's heartbeat thread logging an error: hop onto the peer's loop.
            self._loop.call_soon_threadsafe(self._notify)
            return
        self._changed.set()
        self._changed = asyncio.Event()

    def mark(self) -> int:
        """Index to pass as ``since=`` so a later wait only sees requests made after now."""
        return len(self.requests)

    async def wait_until(
        self, condition: Callable[[], T | None], *, timeout: float = 5.0, what: str = "condition"
    ) -> T:
        """Re-check ``condition`` whenever the peer records something; return its first truthy value.

        Fails fast with ``PeerError`` if a watched bot task ends or a failure was reported, and
        with a ``TimeoutError`` that lists the latest requests (what the bot did instead).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = condition()
            if value:
                return value
            self._raise_if_failed()
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n".join(
                    f"  {r.method} {r.path} -> {r.status}" for r in self.requests[-8:]
                )
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {what}; last requests:\n{recent}"
                )
            changed = asyncio.ensure_future(self._changed.wait())
            pending = {changed, *[t for t in self._watched if not t.done()]}
            try:
                await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                changed.cancel()

    def _raise_if_failed(self) -> None:
        if self._failures:
            raise PeerError("bot reported an error:\n" + "\n".join(self._failures))
        for task in self._watched:
            if task.done():
                exc = None if task.cancelled() else task.exception()
                raise PeerError(f"bot task ended early: {exc!r}") from exc

    async def wait_for(
        self, pred: Callable[[Request], bool], *, timeout: float = 5.0, since: int = 0
    ) -> Request:
        """First recorded request (index >= ``since``) matching ``pred``, waiting if needed."""
        return await self.wait_until(
            lambda: next((r for r in self.requests[since:] if pred(r)), None),
            timeout=timeout,
            what="a matching request",
        )

    def find(self, pred: Callable[[Request], bool], *, since: int = 0) -> list[Request]:
        """All recorded requests matching ``pred`` (no waiting)."""
        return [r for r in self.requests[since:] if pred(r)]

    @property
    def unknown_requests(self) -> list[Request]:
        """Requests to routes the peer does not implement (answered 404)."""
        return [r for r in self.requests if not r.known]

    async def wait_gateway(
        self, pred: Callable[[GatewayFrame], bool], *, timeout: float = 5.0, since: int = 0
    ) -> GatewayFrame:
        """First gateway frame (index >= ``since``) matching ``pred``."""
        return await self.wait_until(
            lambda: next((f for f in self.gateway_frames[since:] if pred(f)), None),
            timeout=timeout,
            what="a matching gateway frame",
        )

    async def wait_identified(self, timeout: float = 10.0) -> dict[str, Any]:
        """Wait until the bot sent IDENTIFY and got READY; returns the IDENTIFY ``d``."""
        await self.wait_gateway(lambda f: f.t == "READY", timeout=timeout)
        frame = next(f for f in self.gateway_frames if f.op == 2)
        return frame.d

    @property
    def identify_count(self) -> int:
        return sum(1 for f in self.gateway_frames if f.direction == "recv" and f.op == 2)

    @property
    def resume_count(self) -> int:
        return sum(1 for f in self.gateway_frames if f.t == "RESUMED")

    @property
    def connected(self) -> bool:
        return bool(self._session and self._session.conn and not self._session.conn.ws.closed)

    # ------------------------------------------------------------------ gateway

    def _record_frame(
        self, conn: _Conn | None, direction: str, frame: Mapping[str, Any]
    ) -> GatewayFrame:
        rec = GatewayFrame(
            len(self.gateway_frames),
            conn.index if conn else 0,
            direction,
            frame.get("op", -1),
            frame.get("t"),
            frame.get("s"),
            frame.get("d"),
        )
        self.gateway_frames.append(rec)
        if self.log_stream and (rec.op in (2, 6, 9) or rec.t in ("READY", "RESUMED")):
            d = (
                {k: v for k, v in (rec.d or {}).items() if k != "token"}
                if isinstance(rec.d, dict)
                else rec.d
            )
            self._emit(
                {
                    "event": "gateway",
                    "dir": direction,
                    "op": rec.op,
                    "t": rec.t,
                    "d": d if rec.op != 0 else None,
                }
            )
        self._notify()
        return rec

    async def _send(self, conn: _Conn, frame: dict[str, Any]) -> None:
        self._record_frame(conn, "send", frame)
        if not conn.ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await conn.ws.send_str(json.dumps(frame, ensure_ascii=False))

    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = _Conn(next(self._conn_counter), ws)
        self._conns.append(conn)
        try:
            await self._send(
                conn, {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_frame(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.BINARY:
                    await self._on_gateway_frame(conn, json.loads(msg.data.decode()))
        finally:
            self._conns.remove(conn)
            if self._session is not None and self._session.conn is conn:
                self._session.conn = None
            self._notify()
        return ws

    async def _on_gateway_frame(self, conn: _Conn, frame: dict[str, Any]) -> None:
        self._record_frame(conn, "recv", frame)
        op, d = frame.get("op"), frame.get("d")
        if op == 1:
            await self._send(conn, {"op": 11})
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})
        elif op == 8:
            await self._request_members(conn, d or {})

    async def _identify(self, conn: _Conn, d: dict[str, Any]) -> None:
        if self.token is not None and d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        async with self._send_lock:
            session = _Session(
                id=f"peer-session-{self._snowflake()}",
                intents=int(d.get("intents", 0)),
                shard=d.get("shard"),
                conn=conn,
            )
            self._session = session
            ready = {
                "v": 10,
                "user": {
                    **self.bot_user.payload(),
                    "verified": True,
                    "mfa_enabled": False,
                    "flags": 0,
                },
                "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds],
                "session_id": session.id,
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "user_settings": {},
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "session_type": "normal",
                "auth": {},
            }
            if session.shard is not None:
                ready["shard"] = session.shard
            await self._dispatch_locked("READY", ready)
            for guild in self.guilds:
                await self._dispatch_locked(
                    "GUILD_CREATE", self.guild_create_payload(guild, session.intents)
                )

    async def _resume(self, conn: _Conn, d: dict[str, Any]) -> None:
        async with self._send_lock:
            session = self._session
            ok = (
                session is not None
                and session.resumable
                and d.get("session_id") == session.id
                and (self.token is None or d.get("token") == self.token)
            )
            if not ok or session is None:
                await self._send(conn, {"op": 9, "d": False})
                return
            session.conn = conn
            last = int(d.get("seq") or 0)
            for frame in session.frames:
                if frame["s"] > last:
                    await self._send(conn, frame)
            await self._dispatch_locked("RESUMED", {})

    async def _request_members(self, conn: _Conn, d: dict[str, Any]) -> None:
        guild = next((g for g in self.guilds if str(g.id) == str(d.get("guild_id"))), None)
        if guild is None:
            return
        wanted = {str(u) for u in d.get("user_ids") or []}
        query = (d.get("query") or "").lower()
        members = [
            self._member_payload(guild, m)
            for m in guild.members
            if (not wanted or str(m.user.id) in wanted) and m.user.name.lower().startswith(query)
        ]
        chunk = {"guild_id": str(guild.id), "members": members, "chunk_index": 0, "chunk_count": 1}
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        async with self._send_lock:
            await self._dispatch_locked("GUILD_MEMBERS_CHUNK", chunk)

    def _intent_allows(self, event: str, data: Mapping[str, Any], intents: int) -> bool:
        in_guild = bool(data.get("guild_id")) or event.startswith(("GUILD_", "CHANNEL_", "THREAD_"))
        for prefix, guild_bit, dm_bit in _EVENT_INTENTS:
            if event.startswith(prefix) and event != "GUILD_MEMBERS_CHUNK":
                return bool(intents & (guild_bit if in_guild else dm_bit))
        return True

    def _visible(self, event: str, data: dict[str, Any], intents: int) -> dict[str, Any]:
        """Blank message content as Discord does without the MESSAGE_CONTENT intent."""
        if not event.startswith("MESSAGE_") or "content" not in data or intents & MESSAGE_CONTENT:
            return data
        mentioned = any(u["id"] == str(self.bot_user.id) for u in data.get("mentions", []))
        own = data.get("author", {}).get("id") == str(self.bot_user.id)
        if mentioned or own or not data.get("guild_id"):
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    async def dispatch(self, event: str, data: dict[str, Any]) -> bool:
        """Send a DISPATCH event to the bot (buffered for RESUME while disconnected).

        Returns False when the bot's intents mean Discord would not deliver it; such events are
        kept in ``filtered_events`` so a test can tell "bot ignored it" from "never delivered".
        """
        async with self._send_lock:
            return await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: dict[str, Any]) -> bool:
        session = self._session
        if session is None:
            raise RuntimeError("no gateway session yet: await peer.wait_identified() first")
        if not self._intent_allows(event, data, session.intents):
            self.filtered_events.append((event, data))
            _log.info("not delivering %s: bot lacks the intent", event)
            return False
        session.seq += 1
        frame = {
            "op": 0,
            "t": event,
            "s": session.seq,
            "d": self._visible(event, data, session.intents),
        }
        session.frames.append(frame)
        if session.conn is not None:
            await self._send(session.conn, frame)
        return True

    async def drop_gateway(
        self, code: int = 4000, *, resumable: bool = True, wait: bool = True, timeout: float = 10.0
    ) -> GatewayFrame | None:
        """Close the bot's websocket from the server side, like a Discord gateway restart.

        ``code`` 4000 lets discord.py RESUME; ``resumable=False`` makes the peer answer the RESUME
        with INVALID_SESSION so the bot must IDENTIFY again (a new session, READY again); codes such
        as 4004 are fatal for discord.py. With ``wait``, returns the RESUME (op 6) or IDENTIFY (op 2)
        frame of the new connection once the peer answered it.
        """
        session = self._session
        conn = session.conn if session else None
        if session is None or conn is None:
            raise RuntimeError("bot is not connected")
        mark = len(self.gateway_frames)
        async with self._send_lock:
            session.resumable = resumable
            session.conn = None
        await conn.ws.close(code=code, message=b"peer drop")
        if not wait:
            return None
        await self.wait_gateway(
            lambda f: f.direction == "send" and f.t in ("READY", "RESUMED"),
            since=mark,
            timeout=timeout,
        )
        return next(
            f
            for f in reversed(self.gateway_frames)
            if f.index >= mark and f.direction == "recv" and f.op in (2, 6)
        )

    # ------------------------------------------------------------------ injection

    def _command_schema(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        if guild_id is not None and name in self.commands.get(guild_id, {}):
            return self.commands[guild_id][name]
        return self.commands.get(None, {}).get(name)

    def _option_value(
        self, otype: int, value: Any, resolved: dict[str, dict[str, Any]], channel: PeerChannel
    ) -> Any:
        guild = self._guild_of(channel)
        if otype == 4:
            return int(value)
        if otype == 10:
            return float(value)
        if otype == 5:
            return bool(value)
        if otype in (6, 9) and not (otype == 9 and isinstance(value, PeerRole)):
            user = self.user(value)
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            member = guild.member(user.id) if guild else None
            if member is not None and guild is not None:
                resolved.setdefault("members", {})[str(user.id)] = {
                    **self._member_payload(guild, member, user=False),
                    "permissions": str(self.permissions(user, channel)),
                }
            return str(user.id)
        if otype in (8, 9):
            role = (
                value if isinstance(value, PeerRole) else guild.role(int(value)) if guild else None
            )
            if role is None:
                raise LookupError(f"unknown role {value!r}")
            resolved.setdefault("roles", {})[str(role.id)] = role.payload()
            return str(role.id)
        if otype == 7:
            target = value if isinstance(value, PeerChannel) else self._get_channel(value)
            payload = self.channel_payload(target)
            resolved.setdefault("channels", {})[str(target.id)] = {
                **{
                    k: payload[k]
                    for k in ("id", "type", "name", "parent_id", "thread_metadata")
                    if k in payload
                },
                "permissions": str(ALL_PERMISSIONS),
            }
            return str(target.id)
        if otype == 11:
            filename, data, *ctype = value
            aid = str(self._snowflake())
            self.attachments[aid] = data
            url = f"{self.base_url}/attachments/{aid}/{filename}"
            resolved.setdefault("attachments", {})[aid] = {
                "id": aid,
                "filename": filename,
                "size": len(data),
                "url": url,
                "proxy_url": url,
                "content_type": ctype[0] if ctype else "text/plain; charset=utf-8",
                "ephemeral": True,
            }
            return aid
        return str(value)

    def _build_options(
        self,
        path: list[str],
        schema: dict[str, Any] | None,
        options: Mapping[str, Any],
        channel: PeerChannel,
        resolved: dict[str, dict[str, Any]],
        focused: str | None,
    ) -> list[dict[str, Any]]:
        """Render ``{"name": value}`` as interaction options, nesting subcommand (group) levels."""
        defs = (schema or {}).get("options") or []
        if path:
            sub = next((o for o in defs if o["name"] == path[0]), None)
            if sub is None and schema is not None:
                raise ValueError(f"no subcommand {path[0]!r} in {schema['name']!r}")
            sub_type = sub["type"] if sub else (2 if len(path) > 1 else 1)
            inner = self._build_options(path[1:], sub, options, channel, resolved, focused)
            return [{"name": path[0], "type": sub_type, "options": inner}]
        by_name = {o["name"]: o for o in defs}
        if any(o.get("type") in (1, 2) for o in defs):
            raise ValueError(f"{schema and schema['name']!r} needs a subcommand: {sorted(by_name)}")
        if schema is not None:
            unknown = set(options) - set(by_name)
            if unknown:
                raise ValueError(
                    f"unknown option(s) {sorted(unknown)} for {schema['name']!r}; has {sorted(by_name)}"
                )
            missing = [n for n, o in by_name.items() if o.get("required") and n not in options]
            if missing and focused is None:
                raise ValueError(f"missing required option(s) {missing} for {schema['name']!r}")
        out = []
        for name, value in options.items():
            if name in by_name:
                otype = by_name[name]["type"]
                allowed = [c["value"] for c in by_name[name].get("choices") or []]
                if allowed and name != focused and value not in allowed:
                    raise ValueError(f"{value!r} is not one of the choices {allowed} of {name!r}")
            else:
                otype = {bool: 5, int: 4, float: 10}.get(
                    type(value), 6 if isinstance(value, PeerUser) else 3
                )
            if name == focused:
                out.append({"name": name, "type": otype, "value": str(value), "focused": True})
            else:
                out.append(
                    {
                        "name": name,
                        "type": otype,
                        "value": self._option_value(otype, value, resolved, channel),
                    }
                )
        return out

    def _target(
        self, user: int | str | PeerUser | None, channel_id: int | str | None, guild: bool
    ) -> tuple[PeerUser, PeerChannel]:
        """Who acts where: default user ``member``; default channel the first text channel or DM."""
        who = self.user(user) if user is not None else self.member
        if channel_id:
            return who, self._get_channel(channel_id)
        return who, self.channel if guild else self.dm_channel(who)

    def _interaction(
        self,
        itype: int,
        data: dict[str, Any],
        *,
        who: PeerUser,
        channel: PeerChannel,
        locale: str,
        message: dict[str, Any] | None = None,
    ) -> _Interaction:
        peer_guild = self._guild_of(channel)
        iid = str(self._snowflake())
        token = f"peer-ix-{iid}-token"
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": str(self.permissions(self.bot_user, channel)),
            "channel_id": str(channel.id),
            "channel": {
                **self.channel_payload(channel),
                "permissions": str(self.permissions(who, channel)),
            },
        }
        if peer_guild is not None:
            member = peer_guild.member(who.id)
            if member is None:
                raise LookupError(f"{who.name} is not a member of guild {peer_guild.id}")
            payload.update(
                guild_id=str(peer_guild.id),
                guild_locale=peer_guild.preferred_locale,
                guild={
                    "id": str(peer_guild.id),
                    "locale": peer_guild.preferred_locale,
                    "features": [],
                },
                member={
                    **self._member_payload(peer_guild, member),
                    "permissions": str(self.permissions(who, channel)),
                },
                context=0,
                authorizing_integration_owners={"0": str(peer_guild.id)},
            )
        else:
            payload.update(user=who.payload(), context=1, authorizing_integration_owners={"0": "0"})
        if message is not None:
            payload["message"] = message
        state = _Interaction(
            iid,
            token,
            itype,
            payload,
            str(channel.id),
            str(peer_guild.id) if peer_guild else None,
            source_message_id=message["id"] if message else None,
        )
        self._ix_by_token[token] = state
        handle = InteractionHandle(self, state)
        self.interactions.append(handle)
        return state

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        channel: PeerChannel,
        focused: str | None,
    ) -> dict[str, Any]:
        root, *path = name.split()
        guild_id = channel.guild_id
        guild = guild_id is not None
        schema = self._command_schema(root, guild_id)
        if schema is None and self.strict_commands:
            synced = {str(k): sorted(v) for k, v in self.commands.items()}
            raise LookupError(f"command {root!r} was never synced by the bot (synced: {synced})")
        if schema is not None and self.strict_commands:
            contexts = schema.get("contexts")
            if contexts is not None and (0 if guild else 1) not in contexts:
                raise LookupError(
                    f"command {root!r} is not available in {'guilds' if guild else 'DMs'}"
                )
        resolved: dict[str, dict[str, Any]] = {}
        data: dict[str, Any] = {
            "id": (schema or {}).get("id") or str(self._snowflake()),
            "name": root,
            "type": 1,
            "options": self._build_options(path, schema, options or {}, channel, resolved, focused),
        }
        if schema is not None and schema.get("guild_id"):
            data["guild_id"] = schema["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: int | str | PeerUser | None = None,
        channel_id: int | str | None = None,
        guild: bool = True,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Inject a slash command (``name`` may be ``"group sub"``) and return its handle.

        Option values are typed from the synced schema: users (id/name/PeerUser), channels, roles
        and attachments (``(filename, bytes[, content_type])``) also get ``resolved`` data.
        ``guild=False`` sends it from the user's DM with the bot. Default user: ``peer.member``.
        """
        who, channel = self._target(user, channel_id, guild)
        data = self._command_data(name, options, channel, focused=None)
        state = self._interaction(IX_COMMAND, data, who=who, channel=channel, locale=locale)
        await self.dispatch("INTERACTION_CREATE", state.payload)
        return self._handle(state)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        *,
        focused: str,
        user: int | str | PeerUser | None = None,
        channel_id: int | str | None = None,
        guild: bool = True,
        locale: str = "en-US",
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Inject an autocomplete interaction (the user typing into ``focused``); return choices.

        The choices are validated as Discord does (at most 25, names 1-100 chars).
        """
        who, channel = self._target(user, channel_id, guild)
        data = self._command_data(name, options, channel, focused=focused)
        state = self._interaction(IX_AUTOCOMPLETE, data, who=who, channel=channel, locale=locale)
        await self.dispatch("INTERACTION_CREATE", state.payload)
        # Wait on the callback, not on the choices: an empty list is a legitimate answer.
        await self.wait_until(lambda: state.callback, timeout=timeout, what=f"autocomplete {name}")
        return list(state.choices or [])

    def _find_component(
        self, custom_id: str, message_id: int | str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        candidates = (
            [self.messages[str(message_id)]]
            if message_id is not None and str(message_id) in self.messages
            else list(reversed(self.messages.values()))
        )
        for msg in candidates:
            for _, comp in _walk_components(msg.get("components") or []):
                if comp.get("custom_id") == custom_id:
                    return msg, dict(comp)
        raise LookupError(f"no live message has a component with custom_id {custom_id!r}")

    def _handle(self, state: _Interaction) -> InteractionHandle:
        return next(h for h in reversed(self.interactions) if h._state is state)

    async def click(
        self,
        custom_id: str,
        *,
        message_id: int | str | None = None,
        user: int | str | PeerUser | None = None,
        values: Sequence[str] | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Press a button (or choose ``values`` in a select) on a message the bot sent.

        Without ``message_id`` the newest message carrying ``custom_id`` is used. The default user
        is the one who triggered the interaction that produced the message, else ``peer.member``.
        """
        msg, comp = self._find_component(custom_id, message_id)
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        if user is None:
            meta = msg.get("interaction_metadata") or {}
            user = int(meta["user"]["id"]) if meta else None
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp.get("type", 2)}
        if values is not None or comp.get("type") in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        who, channel = self._target(user, msg["channel_id"], True)
        state = self._interaction(
            IX_COMPONENT, data, who=who, channel=channel, locale=locale, message=msg
        )
        await self.dispatch("INTERACTION_CREATE", state.payload)
        return self._handle(state)

    async def submit_modal(
        self,
        values: Mapping[str, str | Sequence[str]],
        *,
        custom_id: str | None = None,
        user: int | str | PeerUser | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Submit the newest modal the bot opened (or the one with ``custom_id``).

        ``values`` maps text-input custom_ids to text (select custom_ids to lists of values).
        """
        source = next(
            (
                s
                for s in reversed(list(self._ix_by_token.values()))
                if s.modal is not None and custom_id in (None, s.modal.get("custom_id"))
            ),
            None,
        )
        if source is None or source.modal is None:
            raise LookupError(f"the bot opened no modal {custom_id or ''}")

        def render(comp: Mapping[str, Any]) -> dict[str, Any]:
            if comp.get("type") == 1:
                return {"type": 1, "components": [render(c) for c in comp.get("components", [])]}
            if comp.get("type") == 18:
                return {"type": 18, "component": render(comp["component"])}
            out: dict[str, Any] = {"type": comp.get("type"), "custom_id": comp.get("custom_id")}
            value = values.get(comp.get("custom_id") or "")
            if comp.get("type") == 4:
                out["value"] = value or ""
            else:
                out["values"] = list(value or [])
            return out

        data = {
            "custom_id": source.modal["custom_id"],
            "components": [render(c) for c in source.modal.get("components", [])],
        }
        if user is None:
            user = int((source.payload.get("member") or source.payload)["user"]["id"])
        who, channel = self._target(user, source.channel_id, True)
        message = self.messages.get(source.source_message_id or "")
        state = self._interaction(
            IX_MODAL, data, who=who, channel=channel, locale=locale, message=message
        )
        await self.dispatch("INTERACTION_CREATE", state.payload)
        return self._handle(state)

    async def send_message(
        self,
        content: str = "",
        *,
        channel_id: int | str | None = None,
        author: int | str | PeerUser | None = None,
        mentions: Sequence[int | str | PeerUser] | None = None,
        guild: bool = True,
        reply_to: int | str | None = None,
        attachments: Sequence[tuple[str, bytes]] = (),
        embeds: Sequence[dict[str, Any]] = (),
    ) -> dict[str, Any]:
        """A user posts a message (MESSAGE_CREATE). Returns the stored, full message payload.

        ``mentions`` defaults to the ``<@id>`` mentions found in ``content`` (use
        ``peer.bot_mention``). ``guild=False`` posts in the author's DM with the bot.
        """
        who, channel = self._target(author, channel_id, guild)
        body: dict[str, Any] = {"content": content, "embeds": list(embeds)}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel.id)}
        uploads = [
            UploadedFile(f"files[{i}]", name, None, data)
            for i, (name, data) in enumerate(attachments)
        ]
        msg = self._new_message(channel, who, body, uploads)
        if mentions is not None:
            msg["mentions"] = [self.user(m).payload() for m in mentions]
        await self.dispatch("MESSAGE_CREATE", msg)
        return msg

    # ------------------------------------------------------------------ REST plumbing

    def _compile_routes(self) -> list[tuple[str, re.Pattern[str], str, _Handler]]:
        table: list[tuple[str, str, _Handler]] = [
            ("GET", "/users/@me", self._r_me),
            ("POST", "/users/@me/channels", self._r_create_dm),
            ("GET", "/users/{user_id}", self._r_user),
            ("GET", "/oauth2/applications/@me", self._r_app),
            ("GET", "/applications/@me", self._r_app),
            ("GET", "/gateway", self._r_gateway),
            ("GET", "/gateway/bot", self._r_gateway),
            ("GET", "/applications/{app_id}/commands", self._r_list_commands),
            ("PUT", "/applications/{app_id}/commands", self._r_put_commands),
            ("POST", "/applications/{app_id}/commands", self._r_upsert_command),
            ("GET", "/applications/{app_id}/commands/{command_id}", self._r_get_command),
            ("PATCH", "/applications/{app_id}/commands/{command_id}", self._r_edit_command),
            ("DELETE", "/applications/{app_id}/commands/{command_id}", self._r_delete_command),
            (
                "GET",
                "/applications/{app_id}/guilds/{guild_id}/commands/permissions",
                self._r_empty_list,
            ),
            ("GET", "/applications/{app_id}/guilds/{guild_id}/commands", self._r_list_commands),
            ("PUT", "/applications/{app_id}/guilds/{guild_id}/commands", self._r_put_commands),
            ("POST", "/applications/{app_id}/guilds/{guild_id}/commands", self._r_upsert_command),
            (
                "GET",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self._r_get_command,
            ),
            (
                "PATCH",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self._r_edit_command,
            ),
            (
                "DELETE",
                "/applications/{app_id}/guilds/{guild_id}/commands/{command_id}",
                self._r_delete_command,
            ),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._r_callback),
            ("POST", "/webhooks/{app_id}/{token}", self._r_followup),
            ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}", self._r_webhook_get),
            ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}", self._r_webhook_edit),
            ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}", self._r_webhook_delete),
            ("GET", "/channels/{channel_id}", self._r_get_channel),
            ("GET", "/channels/{channel_id}/messages", self._r_history),
            ("POST", "/channels/{channel_id}/messages", self._r_create_message),
            ("POST", "/channels/{channel_id}/messages/bulk-delete", self._r_bulk_delete),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._r_get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._r_edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._r_delete_message),
            (
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self._r_thread_from_message,
            ),
            ("POST", "/channels/{channel_id}/threads", self._r_thread),
            ("PUT", "/channels/{channel_id}/thread-members/@me", self._r_no_content),
            ("DELETE", "/channels/{channel_id}/thread-members/@me", self._r_no_content),
            ("POST", "/channels/{channel_id}/typing", self._r_no_content),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._r_react,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}",
                self._r_unreact,
            ),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}/reactions", self._r_unreact),
            ("GET", "/guilds/{guild_id}", self._r_get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._r_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._r_guild_roles),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._r_guild_member),
        ]
        compiled = []
        for method, template, handler in table:
            pattern = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern)
            compiled.append((method, re.compile(pattern + "$"), f"{method} {template}", handler))
        return compiled

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        files: list[UploadedFile] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part.name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    data = await part.read()  # type: ignore[union-attr]
                    ctype = part.headers.get("Content-Type")
                    files.append(UploadedFile(part.name or "", part.filename, ctype, bytes(data)))
            return payload, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            return raw.decode("utf-8", "replace"), files

    @staticmethod
    def _json_response(status: int, body: Any) -> web.Response:
        # discord.py only parses JSON when Content-Type is exactly "application/json";
        # aiohttp's json_response appends "; charset=utf-8", which breaks login.
        if status == 204 or body is None:
            return web.Response(status=204)
        data = json.dumps(body, ensure_ascii=False).encode()
        return web.Response(status=status, body=data, headers={"Content-Type": "application/json"})

    async def _api_handler(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body, files = await self._read_body(request)
        rec = Request(
            index=len(self.requests),
            method=request.method,
            path=path,
            query=dict(request.query),
            json=body,
            files=files,
            route="",
            params={},
            headers={
                k: v
                for k, v in request.headers.items()
                if k.lower()
                in ("authorization", "x-audit-log-reason", "content-type", "user-agent")
            },
        )
        status, response = 404, {"message": "404: Not Found", "code": 0}
        for method, pattern, template, handler in self._routes:
            match = pattern.match(path)
            if match and method == request.method:
                rec.route, rec.params = template, match.groupdict()
                try:
                    self._check_auth(rec)
                    status, response = await handler(rec, **rec.params)
                except _ApiError as err:
                    status, response = err.status, err.body
                break
        if not rec.route:
            _log.warning("unknown Discord route %s %s", request.method, path)
        rec.status, rec.response = status, response
        self.requests.append(rec)
        if self.log_stream and not (request.method == "GET" and path in ("/users/@me",)):
            self._emit({"event": "rest", **rec.to_dict()})
        self._notify()
        return self._json_response(status, response)

    def _check_auth(self, rec: Request) -> None:
        if rec.path.startswith(("/interactions/", "/webhooks/")):
            return
        auth = rec.headers.get("Authorization", "")
        if not auth.startswith("Bot ") or (self.token is not None and auth != f"Bot {self.token}"):
            raise _ApiError(401, 0, "401: Unauthorized")

    def _emit(self, obj: Mapping[str, Any]) -> None:
        if self.log_stream is not None:
            self.log_stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
            self.log_stream.flush()

    async def _attachment_handler(self, request: web.Request) -> web.Response:
        data = self.attachments.get(request.match_info["attachment_id"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # ------------------------------------------------------------------ REST: identity, commands

    async def _r_me(self, rec: Request) -> tuple[int, Any]:
        return 200, {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0}

    async def _r_user(self, rec: Request, user_id: str) -> tuple[int, Any]:
        try:
            return 200, self.user(int(user_id)).payload()
        except (LookupError, ValueError):
            raise _ApiError(404, 10013, "Unknown User") from None

    async def _r_create_dm(self, rec: Request) -> tuple[int, Any]:
        try:
            user = self.user(int(rec.json["recipient_id"]))
        except (LookupError, KeyError, ValueError, TypeError):
            raise _ApiError(400, 50007, "Cannot send messages to this user") from None
        return 200, self.channel_payload(self.dm_channel(user))

    async def _r_app(self, rec: Request) -> tuple[int, Any]:
        owner = self.owner if self.guilds else self.bot_user
        return 200, {
            "id": str(self.app_id),
            "name": self.bot_user.name,
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "rpc_origins": [],
            "interactions_endpoint_url": None,
            "bot": self.bot_user.payload(),
        }

    async def _r_gateway(self, rec: Request) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return 200, {"url": self.gateway_url.rstrip("/"), "shards": 1, "session_start_limit": limit}

    async def _r_empty_list(self, rec: Request, **_: str) -> tuple[int, Any]:
        return 200, []

    def _check_app(self, app_id: str) -> None:
        if app_id != str(self.app_id):
            raise _ApiError(403, 50001, "Missing Access")

    def _scope(self, guild_id: str | None) -> int | None:
        if guild_id is None:
            return None
        if not any(str(g.id) == guild_id for g in self.guilds):
            raise _ApiError(403, 50001, "Missing Access")
        return int(guild_id)

    def _store_command(self, scope: int | None, body: dict[str, Any]) -> dict[str, Any]:
        existing = self.commands.setdefault(scope, {}).get(body["name"])
        cmd = {
            "type": 1,
            "description": "",
            "default_member_permissions": None,
            "nsfw": False,
            **body,
            "id": existing["id"] if existing else str(self._snowflake()),
            "application_id": str(self.app_id),
            "version": str(self._snowflake()),
        }
        if scope is not None:
            cmd["guild_id"] = str(scope)
        self.commands[scope][body["name"]] = cmd
        return cmd

    async def _r_put_commands(
        self, rec: Request, app_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        self._check_app(app_id)
        scope = self._scope(guild_id)
        if not isinstance(rec.json, list) or len(rec.json) > 100:
            raise _form_error(
                {"_": ("BASE_TYPE_BAD_LENGTH", "Must be between 0 and 100 in length.")}
            )
        old = self.commands.get(scope, {})
        self.commands[scope] = {}
        for body in rec.json:
            if body["name"] in old:
                self.commands[scope][body["name"]] = old[body["name"]]
            self._store_command(scope, body)
        return 200, list(self.commands[scope].values())

    async def _r_upsert_command(
        self, rec: Request, app_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        self._check_app(app_id)
        return 201, self._store_command(self._scope(guild_id), rec.json)

    async def _r_list_commands(
        self, rec: Request, app_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        self._check_app(app_id)
        return 200, list(self.commands.get(self._scope(guild_id), {}).values())

    def _command_by_id(self, scope: int | None, command_id: str) -> dict[str, Any]:
        cmd = next(
            (c for c in self.commands.get(scope, {}).values() if c["id"] == command_id), None
        )
        if cmd is None:
            raise _ApiError(404, 10063, "Unknown application command")
        return cmd

    async def _r_get_command(
        self, rec: Request, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        return 200, self._command_by_id(self._scope(guild_id), command_id)

    async def _r_edit_command(
        self, rec: Request, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        scope = self._scope(guild_id)
        cmd = self._command_by_id(scope, command_id)
        del self.commands[scope][cmd["name"]]
        return 200, self._store_command(scope, {**cmd, **(rec.json or {})})

    async def _r_delete_command(
        self, rec: Request, app_id: str, command_id: str, guild_id: str | None = None
    ) -> tuple[int, Any]:
        scope = self._scope(guild_id)
        cmd = self._command_by_id(scope, command_id)
        del self.commands[scope][cmd["name"]]
        return 204, None

    # ------------------------------------------------------------------ REST: interactions

    def _ix(self, token: str, interaction_id: str | None = None) -> _Interaction:
        state = self._ix_by_token.get(token)
        if state is None or (interaction_id is not None and state.id != interaction_id):
            raise _ApiError(
                404,
                10062 if interaction_id else 10015,
                "Unknown interaction" if interaction_id else "Unknown Webhook",
            )
        return state

    async def _echo(self, event: str, msg: dict[str, Any]) -> None:
        if (
            self.echo_bot_messages
            and not msg["flags"] & FLAG_EPHEMERAL
            and self._session is not None
        ):
            await self.dispatch(event, msg)

    def _interaction_message(
        self,
        state: _Interaction,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        flags: int | None = None,
    ) -> dict[str, Any]:
        who = state.payload.get("member", state.payload).get("user") or {}
        meta = {
            "id": state.id,
            "type": state.type,
            "user": who,
            "authorizing_integration_owners": state.payload.get(
                "authorizing_integration_owners", {}
            ),
        }
        if state.type == IX_COMMAND:
            meta["name"] = state.payload["data"]["name"]
        if state.source_message_id:
            meta["interacted_message_id"] = state.source_message_id
        msg = self._new_message(
            self._get_channel(state.channel_id),
            self.bot_user,
            body,
            files,
            webhook_id=str(self.app_id),
            application_id=str(self.app_id),
            interaction_metadata=meta,
        )
        if flags is not None:
            msg["flags"] = flags
        msg["type"] = 20 if state.type == IX_COMMAND else 0
        return msg

    async def _r_callback(self, rec: Request, interaction_id: str, token: str) -> tuple[int, Any]:
        state = self._ix(token, interaction_id)
        if state.callback is not None:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = rec.json or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        allowed = {
            IX_COMMAND: {CB_MESSAGE, CB_DEFERRED, CB_MODAL},
            IX_COMPONENT: {CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE, CB_MODAL},
            IX_AUTOCOMPLETE: {CB_AUTOCOMPLETE},
            IX_MODAL: {CB_MESSAGE, CB_DEFERRED, CB_DEFERRED_UPDATE, CB_UPDATE},
        }.get(state.type, set())
        if ctype not in allowed:
            raise _form_error(
                {
                    "type": (
                        "INTERACTION_RESPONSE_TYPE_INVALID",
                        f"Invalid response type {ctype} for interaction type {state.type}",
                    )
                }
            )
        resource: dict[str, Any] = {"type": ctype}
        ix_info: dict[str, Any] = {"id": state.id, "type": state.type}
        msg: dict[str, Any] | None = None
        if ctype == CB_MESSAGE:
            validate_message(data, rec.files)
            msg = self._interaction_message(state, data, rec.files)
            state.original_id = msg["id"]
        elif ctype == CB_DEFERRED:
            flags = FLAG_LOADING | (int(data.get("flags") or 0) & FLAG_EPHEMERAL)
            msg = self._interaction_message(state, {}, (), flags=flags)
            state.original_id = msg["id"]
            ix_info["response_message_loading"] = True
        elif ctype in (CB_DEFERRED_UPDATE, CB_UPDATE):
            msg = self.messages.get(state.source_message_id or "")
            if msg is None:
                raise _ApiError(404, 10008, "Unknown Message")
            if ctype == CB_UPDATE:
                self._edit_message(msg, data, rec.files)
            state.original_id = msg["id"]
        elif ctype == CB_AUTOCOMPLETE:
            choices = data.get("choices") or []
            problems: dict[str, tuple[str, str]] = {}
            if len(choices) > 25:
                problems["data.choices"] = (
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                )
            for i, choice in enumerate(choices):
                if not 1 <= len(choice.get("name") or "") <= 100:
                    problems[f"data.choices.{i}.name"] = (
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    )
                _max_len(problems, f"data.choices.{i}.value", choice.get("value"), 100)
            if problems:
                raise _form_error(problems)
            state.choices = list(choices)
        elif ctype == CB_MODAL:
            state.modal = dict(data)
        state.callback, state.response_type = rec, ctype
        if msg is not None:
            ix_info["response_message_id"] = msg["id"]
            ix_info["response_message_ephemeral"] = bool(msg["flags"] & FLAG_EPHEMERAL)
            resource["message"] = msg
            if ctype in (CB_MESSAGE, CB_DEFERRED):
                await self._echo("MESSAGE_CREATE", msg)
            elif ctype == CB_UPDATE:
                await self._echo("MESSAGE_UPDATE", msg)
        return 200, {"interaction": ix_info, "resource": resource}

    async def _r_followup(self, rec: Request, app_id: str, token: str) -> tuple[int, Any]:
        self._check_app(app_id)
        state = self._ix(token)
        if state.callback is None:
            # Discord creates the interaction webhook only once the interaction is acknowledged.
            raise _ApiError(404, 10015, "Unknown Webhook")
        body = rec.json or {}
        validate_message(body, rec.files)
        original = self.messages.get(state.original_id or "")
        if original is not None and original["flags"] & FLAG_LOADING:
            # As on Discord, the first followup after a "thinking" defer replaces the placeholder.
            keep_ephemeral = original["flags"] & FLAG_EPHEMERAL
            self._edit_message(original, {**body, "flags": 0}, rec.files)
            original["flags"] |= keep_ephemeral
            await self._echo("MESSAGE_UPDATE", original)
            msg = original
        else:
            msg = self._interaction_message(state, body, rec.files)
            state.followup_ids.append(msg["id"])
            await self._echo("MESSAGE_CREATE", msg)
        if rec.query.get("wait") in ("0", "false", "False"):
            return 204, None
        return 200, msg

    def _webhook_message(self, state: _Interaction, message_id: str) -> dict[str, Any]:
        mid = state.original_id if message_id == "@original" else message_id
        if (
            mid is None
            or mid not in self.messages
            or (mid != state.original_id and mid not in state.followup_ids)
        ):
            raise _ApiError(404, 10008, "Unknown Message")
        return self.messages[mid]

    async def _r_webhook_get(
        self, rec: Request, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        return 200, self._webhook_message(self._ix(token), message_id)

    async def _r_webhook_edit(
        self, rec: Request, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        self._check_app(app_id)
        msg = self._webhook_message(self._ix(token), message_id)
        self._edit_message(msg, rec.json or {}, rec.files)
        await self._echo("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_webhook_delete(
        self, rec: Request, app_id: str, token: str, message_id: str
    ) -> tuple[int, Any]:
        msg = self._webhook_message(self._ix(token), message_id)
        await self._delete(msg)
        return 204, None

    # ------------------------------------------------------------------ REST: channels, messages

    def _require(self, channel: PeerChannel, needed: int) -> None:
        if self.permissions(self.bot_user, channel) & needed != needed:
            raise _ApiError(403, 50013, "Missing Permissions")

    def _message(self, channel_id: str, message_id: str) -> dict[str, Any]:
        msg = self.messages.get(message_id)
        if msg is None or msg["channel_id"] != channel_id:
            raise _ApiError(404, 10008, "Unknown Message")
        return msg

    async def _delete(self, msg: dict[str, Any]) -> None:
        self.deleted_messages[msg["id"]] = self.messages.pop(msg["id"])
        data = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if msg.get("guild_id"):
            data["guild_id"] = msg["guild_id"]
        await self._echo("MESSAGE_DELETE", {**data, "flags": msg["flags"]})

    async def _r_get_channel(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        return 200, self.channel_payload(self._get_channel(channel_id))

    async def _r_history(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        channel = self._get_channel(channel_id)
        self._require(channel, VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        msgs = self.channel_messages(channel_id)
        before, after = rec.query.get("before"), rec.query.get("after")
        if before:
            msgs = [m for m in msgs if int(m["id"]) < int(before)]
        if after:
            msgs = [m for m in msgs if int(m["id"]) > int(after)]
        limit = int(rec.query.get("limit", 50))
        return 200, list(reversed(msgs))[:limit]

    async def _r_create_message(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        channel = self._get_channel(channel_id)
        needed = VIEW_CHANNEL | (
            SEND_MESSAGES_IN_THREADS if channel.type in (10, 11, 12) else SEND_MESSAGES
        )
        self._require(channel, needed)
        body = rec.json or {}
        validate_message(body, rec.files)
        ref = body.get("message_reference")
        if (
            ref
            and str(ref.get("message_id")) not in self.messages
            and ref.get("fail_if_not_exists", True)
        ):
            raise _form_error(
                {"message_reference": ("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")}
            )
        msg = self._new_message(channel, self.bot_user, body, rec.files)
        await self._echo("MESSAGE_CREATE", msg)
        return 200, msg

    async def _r_get_message(
        self, rec: Request, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        return 200, self._message(channel_id, message_id)

    async def _r_edit_message(
        self, rec: Request, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        msg = self._message(channel_id, message_id)
        if msg["author"]["id"] != str(self.bot_user.id):
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._edit_message(msg, rec.json or {}, rec.files)
        await self._echo("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_delete_message(
        self, rec: Request, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        msg = self._message(channel_id, message_id)
        if msg["author"]["id"] != str(self.bot_user.id):
            self._require(self._get_channel(channel_id), MANAGE_MESSAGES)
        await self._delete(msg)
        return 204, None

    async def _r_bulk_delete(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        self._require(self._get_channel(channel_id), MANAGE_MESSAGES)
        for mid in (rec.json or {}).get("messages", []):
            await self._delete(self._message(channel_id, str(mid)))
        return 204, None

    async def _new_thread(
        self, parent: PeerChannel, body: Mapping[str, Any], thread_id: int
    ) -> PeerChannel:
        self._require(parent, CREATE_PUBLIC_THREADS)
        if not body.get("name"):
            raise _form_error({"name": ("BASE_TYPE_REQUIRED", "This field is required")})
        guild = self._guild_of(parent)
        if guild is None:
            raise _ApiError(400, 50024, "Cannot execute action on this channel type")
        thread = PeerChannel(
            thread_id,
            str(body["name"])[:100],
            type=int(body.get("type") or 11),
            parent_id=parent.id,
            owner_id=self.bot_user.id,
            guild_id=guild.id,
        )
        guild.channels.append(thread)
        self._channels[thread.id] = thread
        if self._session is not None:
            await self.dispatch(
                "THREAD_CREATE", {**self.channel_payload(thread), "newly_created": True}
            )
        return thread

    async def _r_thread_from_message(
        self, rec: Request, channel_id: str, message_id: str
    ) -> tuple[int, Any]:
        msg = self._message(channel_id, message_id)
        if msg.get("thread"):
            raise _ApiError(400, 160004, "A thread has already been created for this message")
        # A thread started from a message shares the message's id, as on Discord.
        thread = await self._new_thread(
            self._get_channel(channel_id), rec.json or {}, int(message_id)
        )
        payload = self.channel_payload(thread)
        msg["thread"] = payload
        msg["flags"] |= FLAG_HAS_THREAD
        return 201, payload

    async def _r_thread(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        parent = self._get_channel(channel_id)
        body = rec.json or {}
        thread = await self._new_thread(parent, {"type": 11, **body}, self._snowflake())
        payload = self.channel_payload(thread)
        if parent.type == 15 and body.get("message"):
            validate_message(body["message"], rec.files)
            # A forum post's starter message shares the thread's id.
            payload["message"] = self._new_message(
                thread, self.bot_user, body["message"], rec.files, thread.id
            )
        return 201, payload

    async def _r_no_content(self, rec: Request, channel_id: str) -> tuple[int, Any]:
        self._get_channel(channel_id)
        return 204, None

    async def _r_react(
        self, rec: Request, channel_id: str, message_id: str, emoji: str
    ) -> tuple[int, Any]:
        self._message(channel_id, message_id)
        self._require(self._get_channel(channel_id), ADD_REACTIONS | READ_MESSAGE_HISTORY)
        self.reactions.append((message_id, emoji, str(self.bot_user.id)))
        return 204, None

    async def _r_unreact(
        self,
        rec: Request,
        channel_id: str,
        message_id: str,
        emoji: str | None = None,
        user_id: str | None = None,
    ) -> tuple[int, Any]:
        self._message(channel_id, message_id)
        uid = str(self.bot_user.id) if user_id in (None, "@me") else user_id
        self.reactions = [
            r
            for r in self.reactions
            if not (
                r[0] == message_id and emoji in (None, r[1]) and (user_id is None or r[2] == uid)
            )
        ]
        return 204, None

    def _guild(self, guild_id: str) -> PeerGuild:
        guild = next((g for g in self.guilds if str(g.id) == guild_id), None)
        if guild is None:
            raise _ApiError(404, 10004, "Unknown Guild")
        return guild

    async def _r_get_guild(self, rec: Request, guild_id: str) -> tuple[int, Any]:
        payload = self.guild_create_payload(self._guild(guild_id))
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
        ):
            payload.pop(key, None)
        return 200, payload

    async def _r_guild_channels(self, rec: Request, guild_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        return 200, [self.channel_payload(c) for c in guild.channels if c.type not in (10, 11, 12)]

    async def _r_guild_roles(self, rec: Request, guild_id: str) -> tuple[int, Any]:
        return 200, [r.payload() for r in self._guild(guild_id).roles]

    async def _r_guild_member(self, rec: Request, guild_id: str, user_id: str) -> tuple[int, Any]:
        guild = self._guild(guild_id)
        member = guild.member(int(user_id)) if user_id.isdigit() else None
        if member is None:
            raise _ApiError(404, 10007, "Unknown Member")
        return 200, self._member_payload(guild, member)

    # ------------------------------------------------------------------ control API (/_peer)

    def _control_routes(self) -> list[tuple[str, str, Callable[[web.Request], Any]]]:
        """HTTP control API so a script can drive a standalone peer (all JSON):

        - ``POST /_peer/interaction`` {name, options?, user?, channel_id?, guild?, locale?} -> {id, token}
        - ``POST /_peer/autocomplete`` {name, options, focused, ...} -> {choices}
        - ``POST /_peer/click`` {custom_id, message_id?, user?, values?} -> {id, token}
        - ``POST /_peer/modal`` {values, custom_id?, user?} -> {id, token}
        - ``POST /_peer/message`` {content, channel_id?, author?, guild?} -> message
        - ``POST /_peer/dispatch`` {t, d}; ``POST /_peer/drop`` {code?, resumable?}
        - ``GET /_peer/requests?since=N``; ``GET /_peer/messages?channel_id=``;
          ``GET /_peer/interactions/{token}``; ``GET /_peer/state``
        - ``POST /_peer/wait`` {route?, method?, path_contains?, since?, timeout?} -> request
        """
        return [
            ("POST", "/_peer/interaction", self._c_interaction),
            ("POST", "/_peer/autocomplete", self._c_autocomplete),
            ("POST", "/_peer/click", self._c_click),
            ("POST", "/_peer/modal", self._c_modal),
            ("POST", "/_peer/message", self._c_message),
            ("POST", "/_peer/dispatch", self._c_dispatch),
            ("POST", "/_peer/drop", self._c_drop),
            ("POST", "/_peer/wait", self._c_wait),
            ("GET", "/_peer/requests", self._c_requests),
            ("GET", "/_peer/messages", self._c_messages),
            ("GET", "/_peer/interactions/{token}", self._c_interaction_state),
            ("GET", "/_peer/state", self._c_state),
        ]

    async def _control(
        self, request: web.Request, action: Callable[[dict[str, Any]], Any]
    ) -> web.Response:
        try:
            body = await request.json() if request.can_read_body else {}
            return self._json_response(200, await action(body))
        except (LookupError, ValueError, TypeError, RuntimeError) as err:
            return self._json_response(400, {"error": f"{type(err).__name__}: {err}"})
        except TimeoutError as err:
            return self._json_response(408, {"error": str(err)})

    @staticmethod
    def _ix_ref(handle: InteractionHandle) -> dict[str, Any]:
        return {"id": handle.id, "token": handle.token}

    async def _c_interaction(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            return self._ix_ref(
                await self.slash(
                    b["name"],
                    b.get("options") or {},
                    user=b.get("user"),
                    channel_id=b.get("channel_id"),
                    guild=b.get("guild", True),
                    locale=b.get("locale", "en-US"),
                )
            )

        return await self._control(request, act)

    async def _c_autocomplete(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            choices = await self.autocomplete(
                b["name"],
                b.get("options") or {},
                focused=b["focused"],
                user=b.get("user"),
                channel_id=b.get("channel_id"),
                guild=b.get("guild", True),
                locale=b.get("locale", "en-US"),
                timeout=float(b.get("timeout", 5.0)),
            )
            return {"choices": choices}

        return await self._control(request, act)

    async def _c_click(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            return self._ix_ref(
                await self.click(
                    b["custom_id"],
                    message_id=b.get("message_id"),
                    user=b.get("user"),
                    values=b.get("values"),
                )
            )

        return await self._control(request, act)

    async def _c_modal(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            return self._ix_ref(
                await self.submit_modal(
                    b["values"], custom_id=b.get("custom_id"), user=b.get("user")
                )
            )

        return await self._control(request, act)

    async def _c_message(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            return await self.send_message(
                b.get("content", ""),
                channel_id=b.get("channel_id"),
                author=b.get("author"),
                guild=b.get("guild", True),
            )

        return await self._control(request, act)

    async def _c_dispatch(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            return {"delivered": await self.dispatch(b["t"], b["d"])}

        return await self._control(request, act)

    async def _c_drop(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            frame = await self.drop_gateway(
                int(b.get("code", 4000)), resumable=bool(b.get("resumable", True))
            )
            return {"reconnected_with_op": frame.op if frame else None}

        return await self._control(request, act)

    async def _c_wait(self, request: web.Request) -> web.Response:
        async def act(b: dict[str, Any]) -> Any:
            def pred(r: Request) -> bool:
                return (
                    (b.get("method") in (None, r.method))
                    and (b.get("route") in (None, r.route))
                    and (b.get("path_contains") is None or b["path_contains"] in r.path)
                )

            rec = await self.wait_for(
                pred, timeout=float(b.get("timeout", 10.0)), since=int(b.get("since", 0))
            )
            return rec.to_dict()

        return await self._control(request, act)

    async def _c_requests(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        return self._json_response(200, [r.to_dict() for r in self.requests[since:]])

    async def _c_messages(self, request: web.Request) -> web.Response:
        return self._json_response(
            200, self.channel_messages(request.query.get("channel_id"), ephemeral=True)
        )

    async def _c_interaction_state(self, request: web.Request) -> web.Response:
        state = self._ix_by_token.get(request.match_info["token"])
        if state is None:
            return self._json_response(404, {"error": "unknown token"})
        handle = self._handle(state)
        return self._json_response(
            200,
            {
                "id": state.id,
                "response_type": state.response_type,
                "original": handle.original,
                "followups": handle.followups,
                "choices": state.choices,
                "modal": state.modal,
            },
        )

    async def _c_state(self, request: web.Request) -> web.Response:
        return self._json_response(
            200,
            {
                "api_base": self.api_base,
                "gateway_url": self.gateway_url,
                "connected": self.connected,
                "session_id": self._session.id if self._session else None,
                "identify_count": self.identify_count,
                "resume_count": self.resume_count,
                "commands": {str(k): sorted(v) for k, v in self.commands.items()},
                "requests": len(self.requests),
                "guild_id": str(self.guild.id) if self.guilds else None,
                "channel_id": str(self.channel.id) if self.guilds else None,
                "users": {u.name: str(u.id) for u in self._users.values()},
            },
        )


# --------------------------------------------------------------------------------------------
# Pytest helper: run a real discord.py bot against a peer.
# --------------------------------------------------------------------------------------------


class _ErrorCapture(logging.Handler):
    """Collects ERROR records from discord.py: command, view and event errors are only logged."""

    def __init__(self, peer: DiscordPeer) -> None:
        super().__init__(level=logging.ERROR)
        self.peer = peer
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {record.exc_info[1]!r}"
        self.messages.append(f"[{record.name}] {text}")
        self.peer.report_failure(self.messages[-1])


def _default_identify_hook(bot: Any) -> bool:
    import discord

    return type(bot).before_identify_hook is discord.Client.before_identify_hook


@contextlib.asynccontextmanager
async def run_bot(
    bot: Any,
    peer: DiscordPeer | None = None,
    *,
    token: str = "peer-test-token",
    ready_timeout: float = 10.0,
    guild_ready_timeout: float | None = 0.05,
    allow_errors: bool = False,
    allow_unknown_routes: bool = False,
    skip_identify_delay: bool = True,
    error_loggers: Sequence[str] = ("discord",),
) -> AsyncIterator[DiscordPeer]:
    """Start ``bot`` (a ``discord.Client``) against ``peer`` and yield the peer once it is ready.

    ``guild_ready_timeout`` is written to ``bot._connection`` because discord.py otherwise waits
    2 s after the last GUILD_CREATE before ``on_ready``, and a project bot's constructor may not
    expose it. ``skip_identify_delay`` replaces discord.py's default ``before_identify_hook``,
    which sleeps 5 s before every non-initial IDENTIFY (after an INVALID_SESSION), on the instance
    only and only if the bot class does not override it. Error records of ``error_loggers`` make waits fail fast; on a clean exit, teardown
    asserts that the bot task ended cleanly, that nothing was logged at ERROR (unless
    ``allow_errors``) and that no unknown route was called (unless ``allow_unknown_routes``).
    """
    own = peer is None
    peer = peer or DiscordPeer()
    if peer.port is None:
        await peer.start()
    peer.install()
    if guild_ready_timeout is not None:
        bot._connection.guild_ready_timeout = guild_ready_timeout
    if skip_identify_delay and _default_identify_hook(bot):

        async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
            return None

        bot.before_identify_hook = no_identify_delay
    capture = _ErrorCapture(peer)
    if not allow_errors:
        for name in error_loggers:
            logging.getLogger(name).addHandler(capture)
    task = asyncio.create_task(bot.start(token), name="discord-bot")
    peer.bot_task = task
    peer.watch(task)
    body_failed = False
    try:
        ready = asyncio.ensure_future(bot.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            if task.done():
                raise PeerError("bot stopped before ready") from task.exception()
            raise TimeoutError(
                f"bot not ready after {ready_timeout}s; requests: {[r.path for r in peer.requests]}"
            )
        try:
            yield peer
        except BaseException:
            body_failed = True
            raise
    finally:
        peer._watched.remove(task)
        with contextlib.suppress(Exception):
            await bot.close()
        task_error: BaseException | None = None
        try:
            await asyncio.wait_for(task, timeout=10.0)
        except Exception as exc:
            task_error = exc
        for name in error_loggers:
            logging.getLogger(name).removeHandler(capture)
        peer.uninstall()
        if own:
            await peer.stop()
    if not body_failed:
        if task_error is not None:
            raise PeerError(f"bot task failed: {task_error!r}") from task_error
        if capture.messages:
            raise PeerError("discord.py logged errors:\n" + "\n".join(capture.messages))
        if not allow_unknown_routes and peer.unknown_requests:
            raise PeerError(
                f"bot called routes the peer does not know: {[(r.method, r.path) for r in peer.unknown_requests]}"
            )


# --------------------------------------------------------------------------------------------
# Standalone mode.
# --------------------------------------------------------------------------------------------


async def _serve(port: int, token: str | None, quiet: bool) -> None:
    peer = DiscordPeer(token=token, log_stream=None if quiet else sys.stdout)
    await peer.start(port)
    print(peer.base_url, flush=True)
    peer._emit({"event": "listening", **peer.env(), "base_url": peer.base_url})
    try:
        await asyncio.Event().wait()
    finally:
        await peer.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Serve a local Discord REST+gateway peer on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument("--token", default=None, help="require this bot token")
    parser.add_argument("--quiet", action="store_true", help="do not log REST calls to stdout")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.token, args.quiet))


if __name__ == "__main__":
    main()
