"""``DiscordPeer``: the server itself, assembled from one layer per concern, with its lifecycle
(bind, serve, stop) and the wiring that points a bot at it (in-process or as a subprocess).

The layers, each a base class of the next, each in its own module:
``PeerWorld`` (world.py) -> ``Records`` (records.py) -> ``Gateway`` (gateway.py) ->
``Messages`` (messages.py) -> ``Commands`` (commands.py) -> ``Interactions`` (interactions.py)
-> ``Rest`` (rest.py) -> ``Control`` (control.py) -> ``DiscordPeer``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import IO

from aiohttp import web

from tests.peer.control import Control
from tests.peer.models import PeerGuild
from tests.peer.protocol import API_PREFIX, DEFAULT_APP_ID, DEFAULT_GUILD_ID

# Where `python -m bot` finds the package when the peer starts the bot as a subprocess.
REPO_ROOT = Path(__file__).resolve().parents[2]


class DiscordPeer(Control):
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
        echo_bot_messages: dispatch MESSAGE_CREATE/UPDATE for the bot's own non-ephemeral
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
        super().__init__(
            guilds,
            bot_user_id=bot_user_id,
            app_id=app_id,
            bot_name=bot_name,
            token=token,
            strict_commands=strict_commands,
            echo_bot_messages=echo_bot_messages,
            heartbeat_interval_ms=heartbeat_interval_ms,
            log_stream=log_stream,
        )
        self._undo_install: Callable[[], None] | None = None
        self._runner: web.AppRunner | None = None

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
