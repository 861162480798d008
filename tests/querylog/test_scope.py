"""Every report, the export and `forget` see only the rows of their scope."""

from __future__ import annotations

import csv
import io

import pytest

from bot.querylog import Scope

SERVER_1, SERVER_2 = 111, 222
ROWS = [
    ("サーバー1の質問です", SERVER_1, 7),
    ("サーバー2の質問です", SERVER_2, 7),
    ("ダイレクトメッセージの質問です", None, 7),
    ("別の人が二番目の場所で尋ねたこと", SERVER_2, 8),
]


@pytest.fixture
async def filled(log, entry):
    for question, guild, user in ROWS:
        log.record(entry(question, guild_id=guild, user_id=user, answered=False))
    await log.flush()
    return log


def questions(rows) -> set[str]:
    return {r.question for r in rows}


async def test_each_report_sees_its_own_server_only(filled):
    scope = Scope.server(SERVER_2)
    expected = {"サーバー2の質問です", "別の人が二番目の場所で尋ねたこと"}
    assert questions(await filled.recent(scope, 50)) == expected
    assert questions(await filled.search(scope, "サーバー2", 50)) == {"サーバー2の質問です"}
    assert questions(await filled.search(scope, "1の", 50)) == set()  # LIKE path: short text
    assert questions(await filled.search(scope, "2の", 50)) == {"サーバー2の質問です"}
    assert {g.question for g in (await filled.unanswered(scope, 7)).groups} == expected
    stats = await filled.stats(scope, 7)
    assert (stats.total, {g.question for g in stats.top_questions}) == (2, expected)
    exported = (await filled.export_csv(scope)).decode("utf-8-sig")
    assert {r["question"] for r in csv.DictReader(io.StringIO(exported))} == expected


async def test_the_owner_also_sees_direct_messages_and_the_shell_sees_everything(filled):
    owner = Scope.server(SERVER_1, owner=True)
    assert questions(await filled.recent(owner, 50)) == {
        "サーバー1の質問です",
        "ダイレクトメッセージの質問です",
    }
    assert len(await filled.recent(Scope.shell(), 50)) == len(ROWS)
    assert await filled.recent(Scope(), 50) == []  # an empty scope matches nothing


async def test_forget_reaches_only_the_scope_and_leaves_no_trace_of_the_user(filled, sql):
    assert await filled.forget(7, Scope.server(SERVER_2), 99, "mod2") == 1
    assert questions(await filled.recent(Scope.shell(), 50)) == {
        "サーバー1の質問です",
        "ダイレクトメッセージの質問です",
        "別の人が二番目の場所で尋ねたこと",
    }
    (detail,) = sql("SELECT detail FROM moderator_actions WHERE action = 'forget'")
    assert "7" not in detail[0].replace("queries=1", "")
    assert sql("SELECT guild_id FROM moderator_actions") == [(SERVER_2,)]


async def test_forget_erases_the_users_own_moderator_actions(filled, sql):
    filled.record_action(SERVER_1, 7, "user seven", "stats", "days=7")
    await filled.forget(7, Scope.shell(), None, "operator")
    assert sql("SELECT moderator_id, moderator_name FROM moderator_actions") == [(None, "operator")]
