"""Moderator reports: recent questions, refused ones, search and figures, as plain rows.

Every function reads through the connection it is given and never writes, so the reports can
run while the writer task is busy or the database is locked for writing.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import fields
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import time as clock
from operator import itemgetter

import aiosqlite

from bot.querylog.entry import TURNED_AWAY, iso_utc, utc_now
from bot.querylog.grouping import group_similar
from bot.querylog.rows import (
    DayCount,
    Downvote,
    QueryRow,
    QuestionGroup,
    QuestionGroups,
    SectionCount,
    Stats,
)
from bot.querylog.scope import Scope

COLUMNS = (
    "q.id, q.time, q.source, q.guild_id, q.channel_id, q.user_id, q.user_name, q.question, "
    "q.answered, q.top_article, q.top_section, q.top_paragraph, q.top_score, q.n_passages, "
    "q.latency_ms, q.app_version, q.kind, q.top_quote, q.continues, "
    "(SELECT COUNT(*) FROM feedback v WHERE v.query_id = q.id AND v.vote = 1), "
    "(SELECT COUNT(*) FROM feedback v WHERE v.query_id = q.id AND v.vote = -1)"
)
ROW_WIDTH = len(fields(QueryRow))  # COLUMNS, one per field
NOT_TURNED_AWAY = f"(q.kind IS NULL OR q.kind NOT IN {tuple(TURNED_AWAY)!r})"
_ANSWERED = 8  # position of q.answered in COLUMNS

# Trigram tokens are three characters long: shorter text cannot match, so it is searched with LIKE.
_TRIGRAM = 3


def query_row(row: aiosqlite.Row | tuple[object, ...]) -> QueryRow:
    values = list(row)
    values[_ANSWERED] = bool(values[_ANSWERED])
    return QueryRow(*values)  # type: ignore[arg-type]


def days_ago(days: float) -> str:
    return iso_utc(utc_now() - timedelta(days=days))


async def _fetch_rows(
    conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]
) -> list[QueryRow]:
    async with conn.execute(sql, params) as cursor:
        return [query_row(row) for row in await cursor.fetchall()]


async def recent(
    conn: aiosqlite.Connection,
    scope: Scope,
    count: int = 10,
    user_id: int | None = None,
    channel_id: int | None = None,
) -> list[QueryRow]:
    """The newest questions in `scope`, optionally of one user and/or in one channel."""
    where, scoped = scope.where()
    conditions: list[str] = [where]
    params: list[object] = list(scoped)
    if user_id is not None:
        conditions.append("q.user_id = ?")
        params.append(user_id)
    if channel_id is not None:
        conditions.append("q.channel_id = ?")
        params.append(channel_id)
    sql = (
        f"SELECT {COLUMNS} FROM queries q WHERE {' AND '.join(conditions)} "
        "ORDER BY q.time DESC, q.id DESC LIMIT ?"
    )
    return await _fetch_rows(conn, sql, (*params, count))


def fts_phrase(text: str) -> str:
    """`text` as one FTS5 string: operators, `*`, `:` and `^` inside quotes are plain text."""
    return '"' + text.replace('"', '""') + '"'


def like_pattern(text: str) -> str:
    r"""A LIKE pattern for `text` anywhere, with `\`, `%` and `_` escaped (ESCAPE '\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(
    conn: aiosqlite.Connection, scope: Scope, text: str, limit: int = 20
) -> list[QueryRow]:
    """Questions in `scope` containing `text` (case-insensitive for Latin letters), newest first.

    The text is always a bound parameter, so nothing typed can change the statement. NUL is
    removed because SQLite's pattern matching stops at it: "a" and a NUL would match like "a".
    """
    text = text.replace("\0", "").strip()
    if not text:
        return []
    where, scoped = scope.where()
    if len(text) >= _TRIGRAM:
        sql = (
            f"SELECT {COLUMNS} FROM queries_fts JOIN queries q ON q.id = queries_fts.rowid "
            f"WHERE queries_fts MATCH ? AND {where} ORDER BY q.time DESC, q.id DESC LIMIT ?"
        )
        return await _fetch_rows(conn, sql, (fts_phrase(text), *scoped, limit))
    sql = (
        f"SELECT {COLUMNS} FROM queries q WHERE q.question LIKE ? ESCAPE '\\' AND {where} "
        "ORDER BY q.time DESC, q.id DESC LIMIT ?"
    )
    return await _fetch_rows(conn, sql, (like_pattern(text), *scoped, limit))


# The most distinct texts a report groups (the most asked first): beyond it, the rest are
# each asked too rarely to make a top list, and grouping them would only cost time.
GROUPED_TEXTS = 20_000
# Seconds the grouping may take before it returns what it has, marked partial.
GROUPING_BUDGET = 1.5

_GROUP_TEXTS = (
    "SELECT question, COUNT(*) AS n, MIN(time), MAX(time), MIN(id) FROM queries q "
    "WHERE {where} GROUP BY question ORDER BY n DESC, MIN(time), MIN(id) LIMIT ?"
)


async def _grouped(
    conn: aiosqlite.Connection, where: str, params: tuple[object, ...]
) -> QuestionGroups:
    """The questions matching `where`, counted per exact text by SQLite, then grouped."""
    sql = _GROUP_TEXTS.format(where=where)
    async with conn.execute(sql, (*params, GROUPED_TEXTS + 1)) as cursor:
        texts = [tuple(row) for row in await cursor.fetchall()]
    capped = len(texts) > GROUPED_TEXTS
    # Pure Python over up to GROUPED_TEXTS texts: in a worker thread, off the event loop.
    groups, complete = await asyncio.to_thread(
        question_groups, texts[:GROUPED_TEXTS], time.monotonic() + GROUPING_BUDGET
    )
    return QuestionGroups(groups, complete=complete and not capped)


def question_groups(
    texts: list[tuple[str, int, str, str, int]], deadline: float | None = None
) -> tuple[list[QuestionGroup], bool]:
    """(question, count, first asked, last asked, first id) per exact text, grouped by
    `grouping`: most asked first, then most recent; each group worded as its most asked (then
    first asked) text."""
    grouped, complete = group_similar(
        texts, text=itemgetter(0), weight=itemgetter(1), deadline=deadline
    )
    groups = []
    for members in grouped:
        wording = min(members, key=lambda m: (-m[1], m[2], m[4]))[0]
        groups.append(
            QuestionGroup(sum(m[1] for m in members), wording, max(m[3] for m in members))
        )
    return sorted(groups, key=lambda g: (g.count, g.last_asked), reverse=True), complete


async def unanswered(conn: aiosqlite.Connection, scope: Scope, days: float = 7) -> QuestionGroups:
    """Refused questions of the last `days` days: what the articles do not answer yet. Those
    turned away unanswered (busy, stopping, asked too fast) are not: they were never searched."""
    where, scoped = scope.where()
    return await _grouped(
        conn,
        f"q.answered = 0 AND q.time >= ? AND {where} AND {NOT_TURNED_AWAY}",
        (days_ago(days), *scoped),
    )


async def downvoted(
    conn: aiosqlite.Connection, scope: Scope, days: float = 30, limit: int = 100
) -> list[Downvote]:
    """Down votes of the last `days` days in `scope`, newest first, each with the question, the
    quote that was shown, the reason given and a link to the message."""
    where, scoped = scope.where()
    sql = (
        f"SELECT {COLUMNS}, f.user_id, f.time, f.reason, f.detail, f.message_url "
        "FROM feedback f JOIN queries q ON q.id = f.query_id "
        f"WHERE f.vote = -1 AND f.time >= ? AND {where} ORDER BY f.time DESC LIMIT ?"
    )
    async with conn.execute(sql, (days_ago(days), *scoped, limit)) as cursor:
        return [
            Downvote(query_row(row[:ROW_WIDTH]), *row[ROW_WIDTH:])
            for row in await cursor.fetchall()
        ]


async def _one(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> tuple[int, ...]:
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    assert row is not None  # aggregate queries always return a row
    return tuple(int(value or 0) for value in row)


async def stats(
    conn: aiosqlite.Connection, scope: Scope, days: int = 30, tz: tzinfo = UTC, top: int = 10
) -> Stats:
    """Figures for today and the `days - 1` days before it, days counted in time zone `tz`.

    Each day is cut at its own midnight in `tz` (daylight saving included), so a Japanese
    server's evening is not split across two days. Days are counted one range at a time on the
    time index: no function runs per row, which over a million rows costs a second.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    now = utc_now().astimezone(tz)
    first_day = now.date() - timedelta(days=days - 1)
    dates = [first_day + timedelta(days=i) for i in range(days + 1)]
    bounds = [iso_utc(datetime.combine(d, clock.min, tzinfo=tz)) for d in dates]
    since = bounds[0]

    where, scoped = scope.where()
    daily = []
    for day, start, end in zip(dates, bounds, bounds[1:], strict=False):
        n, answered_that_day = await _one(
            conn,
            "SELECT COUNT(*), SUM(answered) FROM queries q "
            f"WHERE q.time >= ? AND q.time < ? AND {where}",
            (start, end, *scoped),
        )
        daily.append(DayCount(day.isoformat(), answered_that_day, n - answered_that_day))
    total = sum(d.answered + d.refused for d in daily)
    answered = sum(d.answered for d in daily)
    # Votes count with the question they are on (a vote whose question is still being
    # written is left out until it is).
    up, down = await _one(
        conn,
        "SELECT SUM(f.vote = 1), SUM(f.vote = -1) FROM feedback f JOIN queries q "
        f"ON q.id = f.query_id WHERE f.time >= ? AND {where}",
        (since, *scoped),
    )
    questions = await _grouped(conn, f"q.time >= ? AND {where}", (since, *scoped))
    sql = (
        "SELECT top_article, top_section, COUNT(*) AS n FROM queries q "
        f"WHERE q.time >= ? AND answered = 1 AND top_section IS NOT NULL AND {where} "
        "GROUP BY top_article, top_section ORDER BY n DESC, top_section LIMIT ?"
    )
    async with conn.execute(sql, (since, *scoped, top)) as cursor:
        sections = [
            SectionCount(article, section, n) for article, section, n in await cursor.fetchall()
        ]
    return Stats(
        days=days,
        since=since,
        total=total,
        answered=answered,
        refused=total - answered,
        answer_rate=answered / total if total else None,
        thumbs_up=up,
        thumbs_down=down,
        top_questions=questions.groups[:top],
        top_questions_complete=questions.complete,
        top_sections=sections,
        daily=daily,
    )
