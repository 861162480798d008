"""`QueryLog`: the one object front ends hold to log questions and read reports.

Writes go through a single writer task (see `writer.py`) and never make an answer wait; reports
read through a second connection, which WAL mode lets run alongside the writer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, tzinfo
from pathlib import Path

import aiosqlite

from bot import __version__
from bot.querylog import export, reports, writes
from bot.querylog.database import Database
from bot.querylog.entry import QueryEntry, new_query_id
from bot.querylog.rows import Downvote, QueryRow, QuestionGroups, Stats
from bot.querylog.scope import Scope
from bot.querylog.writer import Writer

logger = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60
# How long a report waits for the writes queued before it (see `QueryLog._reader`).
READ_AFTER_WRITE_SECONDS = 1.0


class QueryLog:
    """The query log of one SQLite file.

    `busy_timeout_ms` is short on purpose: a writer blocked by another process gives up quickly
    and retries later, with a delay doubling from `retry_min` to `retry_max` seconds.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        batch_size: int = 500,
        max_queued: int = 10_000,
        busy_timeout_ms: int = 100,
        retry_min: float = 0.5,
        retry_max: float = 30.0,
        app_version: str = __version__,
    ) -> None:
        self.path = Path(path)
        self.app_version = app_version
        self._writer = Writer(
            self.path,
            batch_size=batch_size,
            max_queued=max_queued,
            busy_timeout_ms=busy_timeout_ms,
            retry_min=retry_min,
            retry_max=retry_max,
        )
        self._reader_db: Database | None = None
        self._reader_lock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def open(cls, path: Path | str, **options: object) -> AsyncIterator[QueryLog]:
        """`async with QueryLog.open(path) as log:` for scripts and the CLI: started, and closed
        (queued rows written) on the way out. Unlike `start()`, it fails if the file cannot be
        read, because a command-line user wants to know at once."""
        log = cls(path, **options)  # type: ignore[arg-type]
        await log.start()
        try:
            await log._reader()
            yield log
        finally:
            await log.close()

    @property
    def dropped(self) -> int:
        """Rows that will never be written: queue full, refused by SQLite, or lost at close."""
        return self._writer.dropped

    @property
    def failing_for(self) -> float | None:
        """Seconds since the log file stopped taking writes (rows wait in memory meanwhile);
        None while it is written normally. Moderators are told in their reports."""
        return self._writer.failing_for

    @property
    def queued(self) -> int:
        """Rows and jobs waiting for the database."""
        return self._writer.queued

    async def start(self) -> None:
        """Start the writer. Never raises for a bad database: the bot answers without a log."""
        await self._writer.start()

    def record(self, entry: QueryEntry) -> int:
        """Queue one question and return its id at once, for a feedback button. Never raises.

        Call it from the event loop's thread, like every method here.
        """
        query_id = new_query_id()
        try:
            self._writer.submit(
                writes.INSERT_QUERY, writes.query_params(query_id, entry, self.app_version)
            )
        except Exception:  # logging must never break answering
            logger.exception("query log: cannot queue %r", entry)
            self._writer.drop("entry could not be converted")
        return query_id

    def record_action(
        self,
        guild_id: int | None,
        moderator_id: int | None,
        moderator_name: str | None,
        action: str,
        detail: str = "",
    ) -> None:
        """Queue an audit row for a moderator action such as export, search or stats, in the
        server it was taken in (None: the shell)."""
        self._writer.submit(
            writes.INSERT_ACTION,
            writes.action_params(guild_id, moderator_id, moderator_name, action, detail),
        )

    async def vote(
        self, query_id: int, user_id: int, vote: int, message_url: str | None = None
    ) -> None:
        """Queue a +1/-1 vote; a second vote by the same user on the same query replaces it
        (and its reason). `message_url` links to the voted message, for review.

        It returns once queued, like `record()`, so a button answers even when the disk does
        not. It may come before the query row itself is written: votes are not tied to it.
        """
        self._writer.submit(
            writes.UPSERT_VOTE, writes.vote_params(query_id, user_id, vote, message_url)
        )

    def vote_reason(self, query_id: int, user_id: int, reason: str, detail: str | None) -> None:
        """Queue why `user_id`'s down vote on `query_id` was cast (`writes.REASONS`)."""
        self._writer.submit(
            writes.SET_REASON, writes.reason_params(query_id, user_id, reason, detail)
        )

    async def flush(self) -> None:
        """Wait until everything queued so far is on disk (waits out an outage)."""
        await self._writer.flush()

    async def close(self, grace: float = 5.0) -> None:
        """Write what is queued, retrying for up to `grace` seconds, then close. Idempotent.

        Rows still unwritable at the deadline are counted in `dropped` and logged as an error.
        """
        await self._writer.close(grace)
        async with self._reader_lock:
            if self._reader_db is not None:
                await self._reader_db.close()
                self._reader_db = None

    async def forget(
        self,
        user_id: int,
        scope: Scope,
        moderator_id: int | None,
        moderator_name: str | None,
    ) -> int:
        """Delete every question of `user_id` in `scope` (queued ones too) and the votes on and
        by them; record who did it. Returns the number of questions deleted. Waits out an
        outage."""
        return await self._writer.run(writes.forget(user_id, scope, moderator_id, moderator_name))

    async def purge(self, retention_days: float) -> int:
        """Delete everything older than `retention_days` days; returns questions deleted."""
        return await self._writer.run(writes.purge(retention_days))

    async def run_retention(self, retention_days: float, every: float = DAY_SECONDS) -> None:
        """Purge now and then every `every` seconds, until cancelled: the bot runs it as a task
        when `settings.log_retention_days` is set."""
        while True:
            deleted = await self.purge(retention_days)
            if deleted:
                logger.info(
                    "query log: removed %d questions older than %s days", deleted, retention_days
                )
            await asyncio.sleep(every)

    async def recent(
        self,
        scope: Scope,
        count: int = 10,
        user_id: int | None = None,
        channel_id: int | None = None,
    ) -> list[QueryRow]:
        return await reports.recent(await self._reader(), scope, count, user_id, channel_id)

    async def unanswered(self, scope: Scope, days: float = 7) -> QuestionGroups:
        return await reports.unanswered(await self._reader(), scope, days)

    async def search(self, scope: Scope, text: str, limit: int = 20) -> list[QueryRow]:
        return await reports.search(await self._reader(), scope, text, limit)

    async def stats(self, scope: Scope, days: int = 30, tz: tzinfo = UTC, top: int = 10) -> Stats:
        return await reports.stats(await self._reader(), scope, days, tz, top)

    async def downvoted(self, scope: Scope, days: float = 30, limit: int = 100) -> list[Downvote]:
        return await reports.downvoted(await self._reader(), scope, days, limit)

    async def export_csv(self, scope: Scope, days: float | None = None) -> bytes:
        return await export.export_csv(await self._reader(), scope, days)

    async def _reader(self) -> aiosqlite.Connection:
        """The report connection, reopened if the file was deleted or replaced under it.

        Reports read their own writes: what was queued before the report is written first (a
        moderator who looks right after a vote sees it), unless the database is out, when the
        report waits at most `READ_AFTER_WRITE_SECONDS` and shows what is on disk."""
        with suppress(TimeoutError):
            await asyncio.wait_for(self._writer.flush(), READ_AFTER_WRITE_SECONDS)
        async with self._reader_lock:
            if self._reader_db is not None and self._reader_db.moved():
                await self._reader_db.close()
                self._reader_db = None
            if self._reader_db is None:
                self._reader_db = await Database.open(self.path, busy_timeout_ms=5000)
            return self._reader_db.conn
