"""The single task that moves queued writes to disk, so answering never waits on SQLite.

While the database cannot be written (locked by another process, read-only, disk full, file or
folder deleted) writes wait in memory and are retried with backoff, and the answer path carries
on. The queue is bounded: when it is full the NEWEST row is dropped, because the rows already
queued keep the start of the outage and, unlike a drop from the front, this never disturbs the
order that `flush()` and the ordered jobs below rely on. Drops are counted and logged.

Jobs (forget, purge) run on the same connection in queue order, so "forget this user" also
removes the rows of theirs that were still waiting to be written.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.querylog.database import Database
from bot.querylog.schema import SchemaError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[aiosqlite.Connection], Awaitable[T]]


@dataclass(slots=True)
class _Row:
    seq: int
    sql: str
    params: tuple[object, ...]


@dataclass(slots=True)
class _Job:
    seq: int
    run: Job[Any]
    future: asyncio.Future[Any]


def _unavailable(exc: BaseException) -> bool:
    """Whether waiting can help: the database is locked, read-only, full, missing or damaged,
    rather than refusing a value or statement it will never accept."""
    return isinstance(exc, sqlite3.OperationalError | OSError | SchemaError) or (
        type(exc) is sqlite3.DatabaseError
    )


async def _transaction(db: Database, job: Job[T]) -> T:
    # BEGIN IMMEDIATE takes the write lock up front, so a busy database fails here, after
    # busy_timeout, rather than halfway through the batch.
    await db.conn.execute("BEGIN IMMEDIATE")
    try:
        result = await job(db.conn)
        await db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            with suppress(sqlite3.Error):
                await db.conn.rollback()
        raise
    return result


def _insert(rows: list[_Row]) -> Job[None]:
    async def run(conn: aiosqlite.Connection) -> None:
        for sql, group in itertools.groupby(rows, key=attrgetter("sql")):
            await conn.executemany(sql, [row.params for row in group])

    return run


class Writer:
    """Owns the write connection; everything that changes the log goes through here."""

    def __init__(
        self,
        path: Path,
        *,
        batch_size: int,
        max_queued: int,
        busy_timeout_ms: int,
        retry_min: float,
        retry_max: float,
    ) -> None:
        self.path = path
        self.batch_size = batch_size
        self.max_queued = max_queued
        self.busy_timeout_ms = busy_timeout_ms
        self.retry_min = retry_min
        self.retry_max = retry_max
        self.dropped = 0
        self._seq = itertools.count(1)
        self._pending: deque[_Row | _Job] = deque()
        self._inflight: list[_Row | _Job] = []
        self._flush_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._close_requested = asyncio.Event()
        self._db: Database | None = None
        self._task: asyncio.Task[None] | None = None
        self._closer: asyncio.Future[None] | None = None
        self._closed = False
        self._outage_since: float | None = None
        self._dropped_before_outage = 0
        self._drop_warned = False

    @property
    def queued(self) -> int:
        return len(self._pending) + len(self._inflight)

    async def start(self) -> None:
        """Open the database now, so problems show in the log at start, then begin writing.

        A failure to open does not raise: the bot must start and answer even without its log.
        """
        if self._task is not None:
            return
        try:
            await self._connection()
        except Exception as exc:  # any failure: reported, then retried when rows arrive
            self._enter_outage(exc)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="querylog-writer")

    def submit(self, sql: str, params: tuple[object, ...]) -> None:
        """Queue one row; returns at once whatever state the database is in."""
        if self._closed:
            self.drop("the log is closed")
        elif self.queued >= self.max_queued:
            self.drop(f"{self.max_queued} rows already waiting")
        else:
            self._pending.append(_Row(next(self._seq), sql, params))
            self._wake.set()

    def drop(self, reason: str) -> None:
        """Count a row that will never be written; warn on the first one of each outage."""
        self.dropped += 1
        if not self._drop_warned:
            self._drop_warned = True
            logger.warning(
                "query log: dropping rows (%s); the count is in QueryLog.dropped (now %d)",
                reason,
                self.dropped,
            )

    async def run(self, job: Job[T]) -> T:
        """Run `job` in its own transaction after everything queued before it.

        The job waits for the database like any row. If the caller stops waiting, it still runs.
        """
        if self._closed:
            raise RuntimeError("the query log is closed")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append(_Job(next(self._seq), job, future))
        self._wake.set()
        return await future

    async def flush(self) -> None:
        """Wait until everything queued before this call is written (or dropped at close)."""
        if self._task is None:
            raise RuntimeError("start() the query log before flushing it")
        if not self._pending:
            if self._inflight:
                await self._wait_for(self._inflight[-1].seq)
            return
        await self._wait_for(self._pending[-1].seq)

    async def close(self, grace: float) -> None:
        """Write what is queued, retrying for up to `grace` seconds, then close. Idempotent."""
        if self._closer is None:
            self._closer = asyncio.ensure_future(self._close(grace))
        await asyncio.shield(self._closer)

    async def _wait_for(self, seq: int) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._flush_waiters.append((seq, future))
        await future

    def _release_waiters(self) -> None:
        head = self._inflight or self._pending
        oldest = head[0].seq if head else math.inf
        still_waiting = []
        for seq, future in self._flush_waiters:
            if seq < oldest:
                if not future.done():
                    future.set_result(None)
            else:
                still_waiting.append((seq, future))
        self._flush_waiters = still_waiting

    async def _close(self, grace: float) -> None:
        self._close_requested.set()
        self._wake.set()
        await self.start()
        assert self._task is not None
        try:
            async with asyncio.timeout(grace):
                await asyncio.shield(self._task)
        except TimeoutError:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        self._closed = True
        self._give_up()
        await self._disconnect()

    def _give_up(self) -> None:
        """Account for whatever could not be written before close."""
        left = [*self._inflight, *self._pending]
        self._inflight = []
        self._pending.clear()
        rows = sum(isinstance(item, _Row) for item in left)
        for item in left:
            if isinstance(item, _Job) and not item.future.done():
                item.future.set_exception(RuntimeError("query log closed before the job ran"))
        if rows:
            self.dropped += rows
            logger.error(
                "query log: %s still not writable at close; %d queued rows lost", self.path, rows
            )
        self._release_waiters()

    async def _run(self) -> None:
        delay = self.retry_min
        while True:
            if not self._pending:
                if self._close_requested.is_set():
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            self._inflight = self._take_batch()
            try:
                await self._write(self._inflight)
            except Exception as exc:  # any failure: keep the rows, reconnect and retry
                self._pending.extendleft(reversed(self._inflight))
                self._inflight = []
                await self._disconnect()
                self._enter_outage(exc)
                await self._pause(delay)
                delay = min(delay * 2, self.retry_max)
                continue
            self._inflight = []
            self._leave_outage()
            delay = self.retry_min
            self._release_waiters()

    def _take_batch(self) -> list[_Row | _Job]:
        """A job alone, or the run of rows before the next job, up to batch_size."""
        if isinstance(self._pending[0], _Job):
            return [self._pending.popleft()]
        batch: list[_Row | _Job] = []
        while self._pending and len(batch) < self.batch_size:
            if isinstance(self._pending[0], _Job):
                break
            batch.append(self._pending.popleft())
        return batch

    async def _write(self, batch: list[_Row | _Job]) -> None:
        """Commit the batch, or raise if the database is unavailable (batch left as it was)."""
        db = await self._connection()
        head = batch[0]
        if isinstance(head, _Job):
            try:
                result = await _transaction(db, head.run)
            except Exception as exc:
                if _unavailable(exc):
                    raise
                if not head.future.done():
                    head.future.set_exception(exc)
            else:
                if not head.future.done():
                    head.future.set_result(result)
            return
        try:
            await _transaction(db, _insert([item for item in batch if isinstance(item, _Row)]))
        except Exception as exc:
            if _unavailable(exc):
                raise
            await self._write_singly(db, batch)

    async def _write_singly(self, db: Database, batch: list[_Row | _Job]) -> None:
        """One row SQLite refuses (say, an integer over 64 bits) must not block those behind it.

        Written rows leave `batch` as we go, so an outage midway leaves only the rest queued.
        """
        while batch:
            row = batch[0]
            assert isinstance(row, _Row)
            try:
                await _transaction(db, _insert([row]))
            except Exception as exc:
                if _unavailable(exc):
                    raise
                logger.error(
                    "query log: dropping a row SQLite refuses (%s: %s)", type(exc).__name__, exc
                )
                self.dropped += 1
            batch.pop(0)

    async def _connection(self) -> Database:
        if self._db is not None and self._db.moved():
            logger.warning("query log: %s was deleted or replaced; starting a new file", self.path)
            await self._disconnect()
        if self._db is None:
            self._db = await Database.open(self.path, busy_timeout_ms=self.busy_timeout_ms)
        return self._db

    async def _disconnect(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            with suppress(Exception):  # the connection may be as broken as the file
                await db.close()

    async def _pause(self, delay: float) -> None:
        """Back off before retrying; at close, retry at the shortest interval until the deadline."""
        if self._close_requested.is_set():
            await asyncio.sleep(self.retry_min)
            return
        with suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._close_requested.wait()

    @property
    def failing_for(self) -> float | None:
        """Seconds since the database stopped taking writes; None while it takes them."""
        return None if self._outage_since is None else time.monotonic() - self._outage_since

    def _enter_outage(self, exc: BaseException) -> None:
        if self._outage_since is not None:
            logger.debug("query log: still cannot write (%s: %s)", type(exc).__name__, exc)
            return
        self._outage_since = time.monotonic()
        self._dropped_before_outage = self.dropped
        logger.warning(
            "query log: cannot write to %s (%s: %s); keeping up to %d rows in memory and retrying",
            self.path,
            type(exc).__name__,
            exc,
            self.max_queued,
        )

    def _leave_outage(self) -> None:
        if self._outage_since is None:
            return
        logger.info(
            "query log: writing to %s again after %.1f s; %d rows dropped meanwhile",
            self.path,
            time.monotonic() - self._outage_since,
            self.dropped - self._dropped_before_outage,
        )
        self._outage_since = None
        self._drop_warned = False
