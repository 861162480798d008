"""Everything that changes the log: the rows we add, and the two ways rows are erased.

`forget` (a user's right to have their questions removed) and `purge` (retention) are jobs that
the writer runs in queue order, so they also catch rows that were still waiting to be written.
"""

from __future__ import annotations

import math
from datetime import timedelta

import aiosqlite

from bot.querylog.entry import QueryEntry, iso_utc, utc_now
from bot.querylog.scope import Scope
from bot.querylog.writer import Job

INSERT_QUERY = (
    "INSERT INTO queries (id, time, guild_id, channel_id, user_id, user_name, source, question, "
    "answered, top_article, top_section, top_paragraph, top_score, n_passages, latency_ms, "
    "app_version, kind, top_quote, continues) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Re-voting replaces: one vote per user per query.
UPSERT_VOTE = (
    "INSERT INTO feedback (query_id, user_id, vote, time, message_url) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (query_id, user_id) DO UPDATE SET vote = excluded.vote, time = excluded.time, "
    "message_url = coalesce(excluded.message_url, message_url), reason = NULL, detail = NULL"
)
# Why a vote was down; only the voter's own vote row is touched.
SET_REASON = "UPDATE feedback SET reason = ?, detail = ? WHERE query_id = ? AND user_id = ?"
# What a down vote may say was wrong (the free text comes with "other").
REASONS = ("wrong_passage", "not_answered", "other")
INSERT_ACTION = (
    "INSERT INTO moderator_actions (time, guild_id, moderator_id, moderator_name, action, detail) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def _int(value: int | None) -> int | None:
    return None if value is None else int(value)


def _str(value: str | None) -> str | None:
    return None if value is None else str(value)


def _float(value: float | None) -> float | None:
    # NaN would be stored as NULL anyway; say so explicitly rather than rely on it.
    return None if value is None or math.isnan(value) else float(value)


def query_params(query_id: int, entry: QueryEntry, app_version: str) -> tuple[object, ...]:
    """The INSERT_QUERY parameters, converted here so a wrong type fails in the caller's
    `record()` (where it is caught and counted) rather than inside a batch."""
    return (
        query_id,
        iso_utc(entry.time),
        _int(entry.guild_id),
        _int(entry.channel_id),
        _int(entry.user_id),
        _str(entry.user_name),
        str(entry.source),
        str(entry.question),
        int(bool(entry.answered)),
        _str(entry.top_article),
        _str(entry.top_section),
        _int(entry.top_paragraph),
        _float(entry.top_score),
        int(entry.n_passages),
        _float(entry.latency_ms),
        app_version,
        _str(entry.kind),
        _str(entry.top_quote),
        _int(entry.continues),
    )


def vote_params(
    query_id: int, user_id: int, vote: int, message_url: str | None = None
) -> tuple[object, ...]:
    if vote not in (1, -1):
        raise ValueError(f"vote must be +1 or -1, not {vote!r}")
    return (int(query_id), int(user_id), vote, iso_utc(utc_now()), _str(message_url))


def reason_params(
    query_id: int, user_id: int, reason: str, detail: str | None
) -> tuple[object, ...]:
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {', '.join(REASONS)}, not {reason!r}")
    return (reason, _str(detail[:1000] if detail else None), int(query_id), int(user_id))


def action_params(
    guild_id: int | None,
    moderator_id: int | None,
    moderator_name: str | None,
    action: str,
    detail: str,
) -> tuple[object, ...]:
    return (
        iso_utc(utc_now()),
        _int(guild_id),
        _int(moderator_id),
        _str(moderator_name),
        str(action),
        str(detail),
    )


def forget(
    user_id: int, scope: Scope, moderator_id: int | None, moderator_name: str | None
) -> Job[int]:
    """Delete a user's questions in `scope`, the votes on them and the user's own votes there,
    and the user's own moderator actions; audit it without naming the user (the audit row would
    otherwise keep what was just erased)."""

    async def run(conn: aiosqlite.Connection) -> int:
        where, scoped = scope.where()
        mine = f"SELECT q.id FROM queries q WHERE q.user_id = ? AND {where}"
        await conn.execute(
            f"DELETE FROM feedback WHERE query_id IN ({mine}) OR (user_id = ? AND query_id IN "
            f"(SELECT q.id FROM queries q WHERE {where}))",
            (user_id, *scoped, user_id, *scoped),
        )
        cursor = await conn.execute(
            f"DELETE FROM queries AS q WHERE q.user_id = ? AND {where}", (user_id, *scoped)
        )
        deleted = cursor.rowcount
        actions, acted = scope.where("guild_id")
        await conn.execute(
            f"DELETE FROM moderator_actions WHERE moderator_id = ? AND {actions}", (user_id, *acted)
        )
        await conn.execute(
            INSERT_ACTION,
            action_params(
                scope.guild_id, moderator_id, moderator_name, "forget", f"queries={deleted}"
            ),
        )
        return deleted

    return run


def purge(retention_days: float) -> Job[int]:
    """Delete questions, votes and moderator actions older than `retention_days` days.

    Moderator actions name the users they concern, so they follow the same retention.
    """

    async def run(conn: aiosqlite.Connection) -> int:
        cutoff = iso_utc(utc_now() - timedelta(days=retention_days))
        await conn.execute(
            "DELETE FROM feedback WHERE time < ? "
            "OR query_id IN (SELECT id FROM queries WHERE time < ?)",
            (cutoff, cutoff),
        )
        cursor = await conn.execute("DELETE FROM queries WHERE time < ?", (cutoff,))
        await conn.execute("DELETE FROM moderator_actions WHERE time < ?", (cutoff,))
        return cursor.rowcount

    return run
