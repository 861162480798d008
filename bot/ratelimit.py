"""Per-user cooldown and a bound on answers computed at once, for any front end.

Kept apart from Discord so the rules are testable with a fake clock and shared by every front
end that serves many people.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


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


class Busy(Exception):
    """No answer slot came free in time, or too many requests are already waiting."""


class AnswerSlots:
    """At most `limit` answers computed at once. Others wait up to `wait_seconds` (answers take
    milliseconds, so a burst clears quickly); past that, or with `max_waiting` already queued,
    the request is turned away so the user hears "please wait" instead of nothing."""

    def __init__(self, limit: int, wait_seconds: float = 10.0, max_waiting: int = 1000) -> None:
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self._semaphore = asyncio.Semaphore(limit)
        self._waiting = 0

    async def __aenter__(self) -> AnswerSlots:
        if self._waiting >= self.max_waiting:
            raise Busy
        self._waiting += 1
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._semaphore.acquire()
        except TimeoutError:
            raise Busy from None
        finally:
            self._waiting -= 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._semaphore.release()
