"""The log as a CSV file that spreadsheet programs open with the Japanese intact."""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, fields

import aiosqlite

from bot.querylog.reports import COLUMNS, days_ago, query_row
from bot.querylog.rows import QueryRow
from bot.querylog.scope import Scope

HEADER = [field.name for field in fields(QueryRow)]

# A cell starting with one of these is run as a formula by Excel and LibreOffice; questions are
# typed by anyone on the server, so such cells get a leading apostrophe (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# Discord ids have 18-19 digits: a spreadsheet reads them as numbers and keeps 15 significant
# digits (1376682563259050000, shown 1.37668E+18). Written as a text formula they stay whole.
ID_COLUMNS = frozenset(("id", "guild_id", "channel_id", "user_id", "continues"))


def _cell(value: object, column: str = "") -> object:
    if column in ID_COLUMNS and isinstance(value, int):
        return f'="{value}"'
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


async def export_csv(conn: aiosqlite.Connection, scope: Scope, days: float | None = None) -> bytes:
    """All questions in `scope` (or those of the last `days` days), oldest first, with a header
    row.

    UTF-8 with a byte-order mark: without it Excel reads the file as Shift_JIS or cp1252.
    """
    where, params = scope.where()
    sql = f"SELECT {COLUMNS} FROM queries q WHERE {where}"
    if days is not None:
        sql += " AND q.time >= ?"
        params = (*params, days_ago(days))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    async with conn.execute(sql + " ORDER BY q.time, q.id", params) as cursor:
        async for row in cursor:
            writer.writerow(
                [_cell(v, name) for v, name in zip(astuple(query_row(row)), HEADER, strict=True)]
            )
    return out.getvalue().encode("utf-8-sig")
