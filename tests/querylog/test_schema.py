import sqlite3

import pytest

from bot.querylog import QueryLog, Scope
from bot.querylog.schema import SCHEMA_VERSION, SchemaError

ALL = Scope.shell()


async def test_open_creates_folder_schema_and_wal(db_path):
    assert not db_path.parent.exists()
    async with QueryLog.open(db_path):
        pass
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"queries", "feedback", "moderator_actions", "queries_fts"} <= names
    assert {"queries_time", "queries_user", "queries_answered"} <= names
    assert {"queries_fts_insert", "queries_fts_delete", "queries_fts_update"} <= names
    conn.close()


async def test_reopening_is_idempotent_and_keeps_rows(db_path, entry):
    async with QueryLog.open(db_path) as log:
        log.record(entry())
    async with QueryLog.open(db_path) as log:
        assert len(await log.recent(ALL)) == 1
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_a_newer_schema_is_refused_for_reading(db_path):
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError):
        async with QueryLog.open(db_path):
            pass


async def test_a_version_1_log_is_brought_forward_and_keeps_its_rows(db_path, entry):
    from bot.querylog.schema import MIGRATIONS

    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO queries (id, time, source, question, answered, app_version) "
        "VALUES (1, '2025-08-18T00:00:00.000Z', 'slash', '古い質問', 1, '0.1.0')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    async with QueryLog.open(db_path) as log:
        log.record(entry("新しい質問", answered=False, kind="crosslingual"))
        await log.flush()
        rows = {r.question: r for r in await log.recent(ALL)}
    assert rows["古い質問"].kind is None
    assert rows["新しい質問"].kind == "crosslingual"
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
    conn.close()


async def test_forgotten_text_is_not_left_in_the_file(log, entry):
    """`PRAGMA secure_delete = ON`: freed pages are zeroed whatever SQLite's build default."""
    log.record(entry("秘密の質問です", user_id=7))
    await log.flush()
    await log.forget(7, ALL, None, "operator")
    await log.close()
    raw = b"".join(p.read_bytes() for p in log.path.parent.glob("queries.sqlite3*"))
    assert "秘密の質問です".encode() not in raw
