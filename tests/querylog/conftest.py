"""Fixtures for the query log tests: a real log on a temporary folder, retrying fast."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from bot.querylog import QueryEntry, QueryLog

# Fast retries keep outage tests quick; nothing asserts how long anything took.
FAST = {"retry_min": 0.01, "retry_max": 0.05, "busy_timeout_ms": 20}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "logs" / "queries.sqlite3"


@pytest.fixture
async def log(db_path: Path) -> AsyncIterator[QueryLog]:
    query_log = QueryLog(db_path, **FAST)
    await query_log.start()
    yield query_log
    await query_log.close()


@pytest.fixture
def entry() -> Callable[..., QueryEntry]:
    def make(question: str = "この記事の著者は誰ですか", **fields: object) -> QueryEntry:
        fields.setdefault("source", "slash")
        fields.setdefault("answered", True)
        fields.setdefault("user_id", 1)
        return QueryEntry(question=question, **fields)  # type: ignore[arg-type]

    return make


@pytest.fixture
def sql(db_path: Path) -> Iterator[Callable[..., list[tuple]]]:
    """Run a statement on a separate plain sqlite3 connection, as another process would."""
    conns: list[sqlite3.Connection] = []

    def run(statement: str, params: tuple = ()) -> list[tuple]:
        if not conns:  # connect on first use: the log creates the file
            conns.append(sqlite3.connect(db_path, isolation_level=None, timeout=10))
        return conns[0].execute(statement, params).fetchall()

    yield run
    for conn in conns:
        conn.close()


@pytest.fixture
def locked(db_path: Path) -> Iterator[Callable[[bool], None]]:
    """`locked(True)` takes the write lock from another connection, as a second process would;
    `locked(False)` releases it. Works as root, where chmod would not stop writes."""
    conns: list[sqlite3.Connection] = []

    def lock(on: bool) -> None:
        if not conns:  # connect on first use: the log creates the file
            conns.append(sqlite3.connect(db_path, isolation_level=None, timeout=10))
        conns[0].execute("BEGIN EXCLUSIVE" if on else "ROLLBACK")

    yield lock
    for conn in conns:
        conn.close()


async def wait_until(condition: Callable[[], bool]) -> None:
    """Poll until `condition` holds; the generous cap only turns a hang into a failure."""
    async with asyncio.timeout(20):
        # Polling is the point: the conditions are about log text and another connection.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


@pytest.fixture
def until() -> Callable[[Callable[[], bool]], object]:
    return wait_until
