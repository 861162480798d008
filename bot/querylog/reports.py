"""Moderator reports: recent questions, refused ones, search and figures, as plain rows.

Every function reads through the connection it is given and never writes, so the reports can
run while the writer task is busy or the database is locked for writing.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, tzinfo
from datetime import time as clock
from operator import itemgetter

import aiosqlite

from bot.querylog.entry import iso_utc, utc_now
from bot.querylog.grouping import group_similar
from bot.querylog.rows import DayCount, QueryRow, QuestionGroup, SectionCount, Stats

COLUMNS = (
    "q.id, q.time, q.source, q.guild_id, q.channel_id, q.user_id, q.user_name, q.question, "
    "q.answered, q.top_article, q.top_section, q.top_paragraph, q.top_score, q.n_passages, "
    "q.latency_ms, q.app_version, q.kind"
)
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
    count: int = 10,
    user_id: int | None = None,
    channel_id: int | None = None,
) -> list[QueryRow]:
    """The newest questions, optionally of one user and/or in one channel."""
    conditions, params = ["1"], []
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


async def search(conn: aiosqlite.Connection, text: str, limit: int = 20) -> list[QueryRow]:
    """Questions containing `text` (case-insensitive for Latin letters), newest first.

    The text is always a bound parameter, so nothing typed can change the statement. NUL is
    removed because SQLite's pattern matching stops at it: "a" and a NUL would match like "a".
    """
    text = text.replace("\0", "").strip()
    if not text:
        return []
    if len(text) >= _TRIGRAM:
        sql = (
            f"SELECT {COLUMNS} FROM queries_fts JOIN queries q ON q.id = queries_fts.rowid "
            "WHERE queries_fts MATCH ? ORDER BY q.time DESC, q.id DESC LIMIT ?"
        )
        return await _fetch_rows(conn, sql, (fts_phrase(text), limit))
    sql = (
        f"SELECT {COLUMNS} FROM queries q WHERE q.question LIKE ? ESCAPE '\\' "
        "ORDER BY q.time DESC, q.id DESC LIMIT ?"
    )
    return await _fetch_rows(conn, sql, (like_pattern(text), limit))


def question_groups(rows: list[tuple[str, str]]) -> list[QuestionGroup]:
    """(question, time) rows grouped by `grouping`, most asked first, then most recent."""
    groups = []
    for members in group_similar(rows, text=itemgetter(0)):
        wording = Counter(question for question, _ in members).most_common(1)[0][0]
        groups.append(QuestionGroup(len(members), wording, max(t for _, t in members)))
    return sorted(groups, key=lambda g: (g.count, g.last_asked), reverse=True)


async def unanswered(conn: aiosqlite.Connection, days: float = 7) -> list[QuestionGroup]:
    """Refused questions of the last `days` days: what the articles do not answer yet."""
    sql = "SELECT question, time FROM queries WHERE answered = 0 AND time >= ? ORDER BY time"
    async with conn.execute(sql, (days_ago(days),)) as cursor:
        rows = await cursor.fetchall()
    return question_groups([(question, time) for question, time in rows])


async def _one(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> tuple[int, ...]:
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    assert row is not None  # aggregate queries always return a row
    return tuple(int(value or 0) for value in row)


async def stats(
    conn: aiosqlite.Connection, days: int = 30, tz: tzinfo = UTC, top: int = 10
) -> Stats:
    """Figures for today and the `days - 1` days before it, days counted in time zone `tz`.

    Days are cut at midnight by `tz`'s current UTC offset (exact for zones without daylight
    saving, such as Asia/Tokyo), so a Japanese server's evening is not split across two days.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    now = utc_now().astimezone(tz)
    first_day = now.date() - timedelta(days=days - 1)
    since = iso_utc(datetime.combine(first_day, clock.min, tzinfo=tz))
    offset = now.utcoffset() or timedelta(0)
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"

    total, answered = await _one(
        conn, "SELECT COUNT(*), SUM(answered) FROM queries WHERE time >= ?", (since,)
    )
    up, down = await _one(
        conn, "SELECT SUM(vote = 1), SUM(vote = -1) FROM feedback WHERE time >= ?", (since,)
    )
    async with conn.execute(
        "SELECT question, time FROM queries WHERE time >= ?", (since,)
    ) as cursor:
        questions = [(question, time) for question, time in await cursor.fetchall()]
    sql = (
        "SELECT top_article, top_section, COUNT(*) AS n FROM queries "
        "WHERE time >= ? AND answered = 1 AND top_section IS NOT NULL "
        "GROUP BY top_article, top_section ORDER BY n DESC, top_section LIMIT ?"
    )
    async with conn.execute(sql, (since, top)) as cursor:
        sections = [
            SectionCount(article, section, n) for article, section, n in await cursor.fetchall()
        ]
    sql = (
        "SELECT date(time, ?) AS day, SUM(answered), COUNT(*) - SUM(answered) FROM queries "
        "WHERE time >= ? GROUP BY day"
    )
    async with conn.execute(sql, (shift, since)) as cursor:
        per_day = {day: (a, r) for day, a, r in await cursor.fetchall()}
    daily = []
    for i in range(days):
        day = (first_day + timedelta(days=i)).isoformat()
        daily.append(DayCount(day, *per_day.get(day, (0, 0))))
    return Stats(
        days=days,
        since=since,
        total=total,
        answered=answered,
        refused=total - answered,
        answer_rate=answered / total if total else None,
        thumbs_up=up,
        thumbs_down=down,
        top_questions=question_groups(questions)[:top],
        top_sections=sections,
        daily=daily,
    )
