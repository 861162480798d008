"""Per-user question rate and a bound on questions handled at once, for the Discord front end.

Testable with a fake clock; the rate uses discord.py's own cooldown buckets.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from discord.ext import commands


class QuestionRate:
    """Each user may ask `rate` questions per `per` seconds: a burst for a conversation (a
    follow-up two seconds after an answer), then one every `per / rate` seconds.

    discord.py's own token buckets (`commands.CooldownMapping`, keyed by user id) do the
    counting and forget users whose window has passed.
    """

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.time) -> None:
        self.rate, self.per = rate, per
        self._clock = clock
        self._buckets: commands.CooldownMapping[int] | None = (
            commands.CooldownMapping.from_cooldown(rate, per, lambda user_id: user_id)
            if rate > 0 and per > 0
            else None
        )

    def retry_after(self, user_id: int) -> float:
        """Seconds until `user_id` may ask again; 0 means now (and uses one of their questions)."""
        if self._buckets is None:
            return 0.0
        now = self._clock()
        return self._buckets.update_rate_limit(user_id, now) or 0.0

    def forgive(self, user_id: int) -> None:
        """The question was turned away ("please wait"): asking again at once is not too soon."""
        if self._buckets is not None:
            bucket = self._buckets.get_bucket(user_id, self._clock())
            if bucket is not None:
                bucket.reset()


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
