"""Moderator reports on a real log: grouping, figures, CSV, votes, retention."""

import asyncio
import csv
import io
from datetime import UTC, timedelta, timezone

from bot.querylog import Scope
from bot.querylog.entry import utc_now
from bot.querylog.export import HEADER

ALL = Scope.shell()


async def test_recent_filters_by_user_and_channel(log, entry):
    log.record(entry("一", user_id=1, channel_id=10))
    log.record(entry("二", user_id=2, channel_id=10))
    log.record(entry("三", user_id=1, channel_id=20))
    await log.flush()
    assert [r.question for r in await log.recent(ALL)] == ["三", "二", "一"]
    assert [r.question for r in await log.recent(ALL, count=1)] == ["三"]
    assert [r.question for r in await log.recent(ALL, user_id=1)] == ["三", "一"]
    assert [r.question for r in await log.recent(ALL, user_id=1, channel_id=10)] == ["一"]


async def test_a_report_shows_what_was_recorded_just_before_it(log, entry):
    # No flush: the report itself waits for the writes queued before it.
    assert await log.recent(ALL) == []  # the report connection is open: nothing to wait for
    for i in range(50):
        log.record(entry(f"質問{i}"))
    assert len(await log.recent(ALL, count=100)) == 50


async def test_recent_rows_carry_the_json_keys(log, entry):
    log.record(entry("鍵", answered=False, top_section="リード", top_score=2.5, latency_ms=12.0))
    await log.flush()
    (row,) = await log.recent(ALL)
    assert row.answered is False
    assert (row.question, row.source, row.user_id, row.top_section, row.score, row.latency_ms) == (
        "鍵",
        "slash",
        1,
        "リード",
        2.5,
        12.0,
    )
    assert row.time.endswith("Z")


async def test_unanswered_groups_near_duplicates(log, entry):
    now = utc_now()
    refused = [
        "この記事の著者は誰ですか",
        "この記事の著者は誰ですか",
        "この記事の著者は誰？",
        "この記事の 著者は誰 ?",
        "ＡＢＣとは",
        "abcとは",
        "アラスカの人口は？",
    ]
    for question in refused:
        log.record(entry(question, answered=False))
    log.record(entry("この記事の著者は誰ですか", answered=True))
    log.record(entry("アラスカの面積は？", answered=False, time=now - timedelta(days=8)))
    await log.flush()
    groups = (await log.unanswered(ALL, days=7)).groups
    assert [(g.count, g.question) for g in groups] == [
        (4, "この記事の著者は誰ですか"),
        (2, "ＡＢＣとは"),
        (1, "アラスカの人口は？"),
    ]
    assert all(g.last_asked.startswith(now.date().isoformat()) for g in groups)


async def test_stats_figures(log, entry):
    now = utc_now()
    for _ in range(3):
        log.record(entry(answered=True, top_article="alaska", top_section="リード"))
    log.record(entry("別の質問です", answered=True, top_article="alaska", top_section="歴史"))
    first = log.record(entry("答えられない質問", answered=False))
    log.record(entry("二日前の質問", answered=False, time=now - timedelta(days=2)))
    log.record(entry("昔の質問", answered=True, time=now - timedelta(days=40)))
    await log.vote(first, 100, 1)
    await log.vote(first, 101, 1)
    await log.vote(first, 102, 1)
    await log.vote(first, 102, -1)  # re-vote replaces
    await log.flush()

    stats = await log.stats(ALL, days=7)
    assert (stats.total, stats.answered, stats.refused) == (6, 4, 2)
    assert stats.answer_rate == 4 / 6
    assert (stats.thumbs_up, stats.thumbs_down) == (2, 1)
    assert (stats.top_questions[0].count, stats.top_questions[0].question) == (
        3,
        "この記事の著者は誰ですか",
    )
    assert [(s.article, s.section, s.count) for s in stats.top_sections] == [
        ("alaska", "リード", 3),
        ("alaska", "歴史", 1),
    ]
    assert len(stats.daily) == 7
    assert stats.daily[-1].date == now.date().isoformat()
    assert (stats.daily[-1].answered, stats.daily[-1].refused) == (4, 1)
    two_days_ago = (now - timedelta(days=2)).date().isoformat()
    assert [(d.answered, d.refused) for d in stats.daily if d.date == two_days_ago] == [(0, 1)]
    assert sum(d.answered + d.refused for d in stats.daily) == stats.total


async def test_stats_days_follow_the_time_zone(log, entry):
    log.record(entry())
    await log.flush()
    jst = timezone(timedelta(hours=9))
    stats = await log.stats(ALL, days=2, tz=jst)
    assert stats.daily[-1].date == utc_now().astimezone(jst).date().isoformat()
    assert stats.daily[-1].answered == 1


async def test_stats_of_an_empty_log(log):
    stats = await log.stats(ALL, days=3)
    assert (stats.total, stats.answer_rate, stats.top_questions) == (0, None, [])
    assert [(d.answered, d.refused) for d in stats.daily] == [(0, 0)] * 3


async def test_csv_has_bom_header_and_round_trips_japanese(log, entry):
    log.record(entry("「アラスカ」の著者は？", user_name="山田", answered=False))
    log.record(entry('=HYPERLINK("http://x")'))
    log.record(entry("古い質問", time=utc_now() - timedelta(days=10)))
    await log.flush()
    data = await log.export_csv(ALL)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == HEADER
    assert [r["question"] for r in rows] == [
        "古い質問",
        "「アラスカ」の著者は？",
        '\'=HYPERLINK("http://x")',
    ]
    assert (rows[1]["user_name"], rows[1]["answered"]) == ("山田", "0")
    recent_only = await log.export_csv(ALL, days=7)
    assert recent_only.decode("utf-8-sig").count("\n") == 3


async def test_forget_removes_rows_votes_and_fts_then_audits(log, entry, sql):
    mine = log.record(entry("私の質問です", user_id=7))
    theirs = log.record(entry("他の人の質問", user_id=8))
    await log.vote(mine, 8, 1)
    await log.vote(theirs, 7, -1)
    await log.vote(theirs, 9, 1)
    await log.flush()
    assert await log.forget(7, ALL, moderator_id=99, moderator_name="モデレーター") == 1
    assert [r.question for r in await log.recent(ALL)] == ["他の人の質問"]
    assert await log.search(ALL, "私の質問") == []
    assert sql("SELECT query_id, user_id FROM feedback") == [(theirs, 9)]
    sql("INSERT INTO queries_fts(queries_fts) VALUES ('integrity-check')")
    assert sql("SELECT moderator_name, action FROM moderator_actions") == [
        ("モデレーター", "forget")
    ]


async def test_record_action(log, sql):
    log.record_action(None, 5, "mod", "export", "days=30")
    await log.flush()
    assert sql("SELECT moderator_id, moderator_name, action, detail FROM moderator_actions") == [
        (5, "mod", "export", "days=30")
    ]


async def test_purge_removes_only_old_rows(log, entry, sql):
    now = utc_now()
    old = log.record(entry("古い質問です", time=now - timedelta(days=40)))
    log.record(entry("新しい質問です", time=now - timedelta(days=1)))
    await log.vote(old, 3, 1)
    await log.flush()
    assert await log.purge(30) == 1
    assert [r.question for r in await log.recent(ALL)] == ["新しい質問です"]
    assert await log.search(ALL, "古い質問") == []
    assert sql("SELECT COUNT(*) FROM feedback") == [(0,)]
    sql("INSERT INTO queries_fts(queries_fts) VALUES ('integrity-check')")
    assert await log.purge(30) == 0


async def test_run_retention_purges_at_once(log, entry, sql, until):
    log.record(entry("古い", time=utc_now() - timedelta(days=5)))
    log.record(entry("新しい"))
    await log.flush()
    task = asyncio.create_task(log.run_retention(2))
    try:
        await until(lambda: sql("SELECT question FROM queries") == [("新しい",)])
    finally:
        task.cancel()


async def test_times_are_stored_in_utc(log, entry):
    tokyo = timezone(timedelta(hours=9))
    moment = utc_now().astimezone(tokyo)
    log.record(entry(time=moment))
    await log.flush()
    (row,) = await log.recent(ALL)
    assert row.time == moment.astimezone(UTC).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )


async def test_a_report_over_more_distinct_questions_than_it_groups_says_it_is_partial(
    log, entry, monkeypatch
):
    from bot.querylog import reports

    subjects = [
        "アラスカの人口は",
        "北極海の氷は",
        "サミットの結果は",
        "首脳会談の場所は",
        "米露の対立は",
    ]
    for i, subject in enumerate(subjects):
        for _ in range(5 - i):
            log.record(entry(subject, answered=False))
    await log.flush()
    assert (await log.unanswered(ALL, 7)).complete
    monkeypatch.setattr(reports, "GROUPED_TEXTS", 3)
    report = await log.unanswered(ALL, 7)
    assert not report.complete
    assert [g.count for g in report.groups] == [5, 4, 3]  # the most asked are kept
    assert not (await log.stats(ALL, 7)).top_questions_complete


async def test_questions_turned_away_are_not_listed_as_unanswered(log, entry):
    log.record(entry("アラスカの人口は？", answered=False, kind="refused"))
    for kind in ("busy", "stopped", "rate_limited"):
        log.record(entry(f"混雑で答えなかった質問（{kind}）", answered=False, kind=kind))
    await log.flush()
    assert [g.question for g in (await log.unanswered(ALL, 7)).groups] == ["アラスカの人口は？"]
