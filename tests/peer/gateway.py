"""The gateway: the bot's websocket, IDENTIFY/RESUME sessions, and DISPATCH events.

Events are filtered by the bot's intents and MESSAGE_CONTENT is blanked as Discord does;
events dispatched while the bot is disconnected are replayed on RESUME, and ``drop_gateway``
closes the socket from the server side like a Discord gateway restart.
"""

# Waits take ``timeout=`` (the brief's API, and it feeds the failure message), not asyncio.timeout.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.peer.models import GatewayFrame
from tests.peer.protocol import (
    DIRECT_MESSAGE_REACTIONS,
    DIRECT_MESSAGE_TYPING,
    DIRECT_MESSAGES,
    GUILD_MEMBERS,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGE_TYPING,
    GUILD_MESSAGES,
    GUILDS,
    MESSAGE_CONTENT,
)
from tests.peer.records import Records

_log = logging.getLogger(__name__)


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


# How long the peer takes to ack a heartbeat, as a network would (`Gateway._on_gateway_frame`).
HEARTBEAT_ACK_DELAY = 0.05


class Gateway(Records):
    """The gateway endpoint (``/gateway/``) and the bot's one session on it.

    ``heartbeat_interval_ms`` is what HELLO tells the bot.
    """

    def __init__(self, *args: Any, heartbeat_interval_ms: int = 41250, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._session: _Session | None = None
        self._conns: list[_Conn] = []
        self._conn_counter = itertools.count(1)
        self._send_lock = asyncio.Lock()
        self._acks: set[asyncio.Task[None]] = set()

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
            # Acked after a network's delay, not at once: discord.py stamps a heartbeat as sent
            # only when its thread wakes after the send, and an ack that beats the stamp reads as
            # a whole interval of latency ("Can't keep up … 41.3s behind" every beat).
            ack = asyncio.create_task(self._ack_after(conn, HEARTBEAT_ACK_DELAY))
            self._acks.add(ack)
            ack.add_done_callback(self._acks.discard)
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})

    async def _ack_after(self, conn: _Conn, delay: float) -> None:
        await asyncio.sleep(delay)
        if not conn.ws.closed:
            await self._send(conn, {"op": 11})

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

    def _intent_allows(self, event: str, data: Mapping[str, Any], intents: int) -> bool:
        in_guild = bool(data.get("guild_id")) or event.startswith(("GUILD_", "CHANNEL_", "THREAD_"))
        for prefix, guild_bit, dm_bit in _EVENT_INTENTS:
            if event.startswith(prefix):
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

        Returns False when the bot's intents mean Discord would not deliver it, so a test can tell
        "bot ignored it" from "never delivered".
        """
        async with self._send_lock:
            return await self._dispatch_locked(event, data)

    async def _dispatch_locked(self, event: str, data: dict[str, Any]) -> bool:
        session = self._session
        if session is None:
            raise RuntimeError("no gateway session yet: await peer.wait_identified() first")
        if not self._intent_allows(event, data, session.intents):
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
