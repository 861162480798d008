"""``run_bot``: run a real discord.py bot against a peer for the length of a test."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from tests.peer.peer import DiscordPeer
from tests.peer.records import PeerError


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
