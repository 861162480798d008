"""The answer path never waits for the disk, and no queued row is lost without being counted."""

import asyncio
import logging
import shutil

from bot.querylog import QueryLog, Scope

ALL = Scope.shell()

FAST = {"retry_min": 0.01, "retry_max": 0.05, "busy_timeout_ms": 20}


async def test_concurrent_records_all_land_with_distinct_ids(log, entry, sql):
    async def answer(i: int) -> int:
        await asyncio.sleep(0)
        return log.record(entry(f"質問その{i}", user_id=i))

    ids = await asyncio.gather(*(answer(i) for i in range(1000)))
    await log.flush()
    assert len(set(ids)) == 1000
    assert sorted(row[0] for row in sql("SELECT id FROM queries")) == sorted(ids)
    assert log.dropped == 0


async def test_locked_database_queues_rows_then_writes_every_one(
    log, entry, sql, locked, until, caplog
):
    caplog.set_level(logging.INFO, logger="bot.querylog")
    for i in range(20):
        log.record(entry(f"before {i}"))
    await log.flush()
    locked(True)
    ids = [log.record(entry(f"during {i}")) for i in range(300)]
    assert all(isinstance(query_id, int) for query_id in ids)
    await until(lambda: "cannot write" in caplog.text)
    await asyncio.sleep(0.2)  # several more failed attempts, still one warning
    assert log.queued == 300
    assert sql("SELECT COUNT(*) FROM queries") == [(20,)]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    locked(False)
    await log.flush()
    assert sql("SELECT COUNT(*) FROM queries") == [(320,)]
    assert log.queued == 0 and log.dropped == 0
    assert "writing to" in caplog.text and "again" in caplog.text


async def test_deleted_folder_is_recreated_and_later_rows_kept(log, entry, db_path, until, caplog):
    log.record(entry("消える前"))
    await log.flush()
    shutil.rmtree(db_path.parent)
    log.record(entry("消えた後"))
    await log.flush()
    assert db_path.exists()
    assert [row.question for row in await log.recent(ALL)] == ["消えた後"]
    assert "deleted or replaced" in caplog.text


async def test_full_queue_drops_newest_and_counts_them(db_path, entry, sql, locked, caplog):
    log = QueryLog(db_path, max_queued=10, **FAST)
    await log.start()
    locked(True)
    for i in range(15):
        log.record(entry(f"q{i:02}"))
    assert log.queued == 10
    assert log.dropped == 5
    assert "dropping rows" in caplog.text
    locked(False)
    await log.close()
    assert [row[0] for row in sql("SELECT question FROM queries ORDER BY question")] == [
        f"q{i:02}" for i in range(10)
    ]


async def test_close_gives_up_after_grace_and_counts_the_loss(db_path, entry, locked, caplog):
    log = QueryLog(db_path, **FAST)
    await log.start()
    locked(True)
    for _ in range(3):
        log.record(entry())
    await log.close(grace=0.2)
    assert log.dropped == 3
    assert "3 queued rows lost" in caplog.text
    await log.close()  # idempotent
    log.record(entry())  # after close: counted, not raised
    assert log.dropped == 4


async def test_close_is_idempotent_and_concurrent(log, entry, sql):
    log.record(entry())
    await asyncio.gather(log.close(), log.close())
    await log.close()
    assert sql("SELECT COUNT(*) FROM queries") == [(1,)]


async def test_a_row_sqlite_refuses_does_not_block_the_others(log, entry, sql):
    log.record(entry("good 1"))
    log.record(entry("bad", user_id=2**70))  # past SQLite's 64-bit integers
    log.record(entry("good 2"))
    await log.flush()
    assert sql("SELECT question FROM queries ORDER BY question") == [("good 1",), ("good 2",)]
    assert log.dropped == 1


async def test_record_never_raises_on_a_broken_entry(log, entry):
    broken = entry()
    object.__setattr__(broken, "time", "not a datetime")
    assert isinstance(log.record(broken), int)
    assert log.dropped == 1


async def test_forget_also_removes_rows_still_queued(log, entry, sql, locked, until, caplog):
    log.record(entry("残る", user_id=2))
    await log.flush()
    locked(True)
    query_id = log.record(entry("消す", user_id=7))
    await log.vote(query_id, 2, 1)
    forgetting = asyncio.create_task(log.forget(7, ALL, moderator_id=99, moderator_name="mod"))
    await until(lambda: "cannot write" in caplog.text)
    assert not forgetting.done()
    locked(False)
    assert await forgetting == 1
    assert sql("SELECT question FROM queries") == [("残る",)]
    assert sql("SELECT COUNT(*) FROM feedback") == [(0,)]
    assert sql("SELECT moderator_id, action, detail FROM moderator_actions") == [
        (99, "forget", "queries=1")  # the forgotten user is not named
    ]


async def test_undecodable_text_is_logged_not_dropped(log, entry):
    # what a pipe gives for invalid UTF-8 bytes: lone surrogates, which SQLite cannot store
    log.record(entry("\udcff\udcfeアンカレッジは", user_name="名\udcff"))
    await log.flush()
    (row,) = await log.recent(ALL)
    assert row.question == "??アンカレッジは"
    assert log.dropped == 0
