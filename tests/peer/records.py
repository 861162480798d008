"""What the peer records (REST requests, gateway frames) and how a test waits on it.

Every wait re-checks its condition whenever the peer records something, and fails fast
(``PeerError``) when the watched bot task ended or discord.py logged an error, instead of
running into its timeout.
"""

# Waits take ``timeout=`` (the brief's API, and it feeds the failure message), not asyncio.timeout.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import IO, Any, TypeVar

from tests.peer.models import GatewayFrame, Request
from tests.peer.world import PeerWorld

T = TypeVar("T")


class PeerError(RuntimeError):
    """Raised in a waiting test when the bot task died or discord.py logged an error."""


class Records(PeerWorld):
    """The request and gateway-frame logs, waiting on them, and the JSON-lines log stream.

    ``log_stream``: write one JSON line per REST call / gateway session event (standalone mode).
    """

    def __init__(self, *args: Any, log_stream: IO[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.log_stream = log_stream
        self.requests: list[Request] = []
        self.gateway_frames: list[GatewayFrame] = []
        self.bot_task: asyncio.Task[Any] | None = None  # set by run_bot
        self._changed = asyncio.Event()
        self._watched: list[asyncio.Task[Any]] = []
        self._failures: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # set by start()

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Make every wait fail fast (``PeerError``) if ``task`` (the bot) ends."""
        self._watched.append(task)

    def report_failure(self, message: str) -> None:
        """Make current and future waits fail fast with ``message`` (used by ``run_bot``)."""
        self._failures.append(message)
        self._notify()

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

    def _emit(self, obj: Mapping[str, Any]) -> None:
        if self.log_stream is not None:
            self.log_stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
            self.log_stream.flush()
