"""Answering and logging together, as the front ends do it through `Asker`."""

from __future__ import annotations

import asyncio

import pytest

from bot.asking import Asker
from bot.querylog import QueryLog

QUESTIONS = [
    "アンカレッジは最終的な平和だったのか",
    "ビットコインの価格はいくらですか",
    "対話の核心となる認識は何か",
]


@pytest.mark.slow
async def test_a_thousand_concurrent_questions_make_exactly_a_thousand_rows(kb, db_path, sql):
    log = QueryLog(db_path)
    await log.start()
    asker = Asker(lambda: kb, log)
    asked = await asyncio.gather(
        *(asker.ask(f"{QUESTIONS[i % 3]} ({i})", source="slash", user_id=i) for i in range(1000))
    )
    await log.close()
    assert len({a.query_id for a in asked}) == 1000
    assert sql("SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT user_id) FROM queries") == [
        (1000, 1000, 1000)
    ]
    assert sql("SELECT SUM(answered) FROM queries") == [(sum(a.answer.answered for a in asked),)]


async def test_answers_keep_flowing_while_the_database_is_locked(kb, db_path, sql, locked):
    log = QueryLog(db_path, busy_timeout_ms=20, retry_min=0.05, retry_max=0.2)
    await log.start()
    asker = Asker(lambda: kb, log)
    await asker.ask("最初の質問は何か", source="cli")
    await log.flush()
    locked(True)  # another process holds the write lock mid-run
    during = [await asker.ask(q, source="console") for q in QUESTIONS * 10]
    assert all(a.answer.question for a in during) and during[0].answer.answered
    assert log.queued >= 1
    locked(False)
    await log.flush()
    await log.close()
    assert sql("SELECT COUNT(*) FROM queries") == [(31,)]
    assert log.dropped == 0
