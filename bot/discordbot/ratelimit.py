"""Per-user cooldown and a bound on questions handled at once, for any front end.

Kept apart from Discord so the rules are testable with a fake clock and shared by every front
end that serves many people.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable


class Cooldown:
    """Allows one question per user per `seconds`; remembers only users seen recently."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """Seconds until `user_id` may ask again; 0 means now (and starts their next cooldown)."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        if len(self._last) > 10_000:  # forget users whose cooldown is long over
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
        self._last[user_id] = now
        return 0.0

    def forgive(self, user_id: int) -> None:
        """Undo the cooldown the last `retry_after` started: the question was turned away
        ("please wait"), so asking again at once must not be refused as too soon."""
        self._last.pop(user_id, None)


class Busy(Exception):
    """No answer slot came free in time, or too many requests are already waiting."""


class AnswerSlots:
    """At most `limit` questions handled at once, from acknowledging one to sending its answer.

    The bound is on the whole exchange, not only the computing, because a burst costs the event
    loop more in Discord round trips than in answering: 200 slash commands arriving together all
    acknowledge, send and parse replies in the same few loop turns, which stalled the loop for
    50-120 ms; with at most 32 in flight the longest stall stays under 20 ms, at the same
    answers per second (`bench/bot_load.py`). Others wait up to `wait_seconds` (they are already
    acknowledged: a deferred interaction may be answered for 15 minutes); past that, or with
    `max_waiting` already queued, `Busy` is raised so the user hears "please wait" rather than
    nothing.
    """

    def __init__(self, limit: int, wait_seconds: float = 10.0, max_waiting: int = 10_000) -> None:
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self._semaphore = asyncio.Semaphore(limit)
        self._waiting = 0

    @contextlib.asynccontextmanager
    async def hold(self, wait_seconds: float | None = None) -> AsyncIterator[None]:
        """A slot for the block, waiting at most `wait_seconds` (default: the instance's)."""
        if self._waiting >= self.max_waiting:
            raise Busy
        self._waiting += 1
        try:
            async with asyncio.timeout(self.wait_seconds if wait_seconds is None else wait_seconds):
                await self._semaphore.acquire()
        except TimeoutError:
            raise Busy from None
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._semaphore.release()
