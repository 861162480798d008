"""/logs through the protocol peer: moderators get the right content, members get nothing."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from bot.querylog import Scope
from tests.peer import FLAG_EPHEMERAL

ALL = Scope.shell()

ANSWERED = "アンカレッジは最終的な平和だったのか"
REFUSED = "ビットコインの価格はいくらですか"


async def ask_some(peer, log) -> None:
    for question in (ANSWERED, REFUSED, REFUSED + "？", "日本の首相は誰ですか"):
        await (
            await peer.slash("ask", {"question": question}, user=peer.member, locale="ja")
        ).wait_original()
    await log.flush()


def content_of(message: dict) -> str:
    parts = [message.get("content") or ""]
    for e in message.get("embeds", []):
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f["name"] + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


async def test_groups_are_synced_with_default_permissions(settings, start_bot):
    async with start_bot(settings) as (_, peer, _):
        synced = await peer.wait_for(lambda r: r.method == "PUT" and "/guilds/" in r.path)
        logs = next(c for c in synced.json if c["name"] == "logs")
        assert int(logs["default_member_permissions"]) == 1 << 5  # MANAGE_GUILD
        assert {o["name"] for o in logs["options"]} == {
            "recent",
            "unanswered",
            "search",
            "stats",
            "export",
            "forget",
            "downvoted",
        }


async def test_recent_unanswered_and_search(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        msg = await (
            await peer.slash("logs recent", {"count": 10}, user=peer.moderator, locale="ja")
        ).wait_original()
        assert msg["flags"] & FLAG_EPHEMERAL
        text = content_of(msg)
        assert ANSWERED in text and "日本の首相は誰ですか" in text and "✅" in text and "❌" in text

        msg = await (
            await peer.slash("logs unanswered", {"days": 7}, user=peer.moderator, locale="ja")
        ).wait_original()
        text = content_of(msg)
        assert text.index(REFUSED) < text.index("日本の首相")  # grouped: most frequent first
        assert "**2×**" in text

        msg = await (
            await peer.slash("logs search", {"text": "首相"}, user=peer.moderator, locale="ja")
        ).wait_original()
        text = content_of(msg)
        assert "日本の首相は誰ですか" in text and ANSWERED not in text


@pytest.mark.parametrize(
    "hostile", ["'); DROP TABLE queries; --", '"', "*", "%", "NEAR(a b)", "a OR b", "x" * 10_000]
)
async def test_search_with_hostile_text_is_harmless(settings, start_bot, hostile):
    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        msg = await (
            await peer.slash("logs search", {"text": hostile}, user=peer.moderator, locale="en-US")
        ).wait_original()
        assert "No matching rows" in content_of(msg)
        assert len(await log.recent(ALL, 10)) == 4  # table intact


async def test_stats_sends_a_chart(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        ix = await peer.slash("logs stats", {"days": 7}, user=peer.moderator, locale="ja")
        msg = await ix.wait_original()
        assert "質問 4 件・回答 1 件・未回答 3 件・回答率 25%" in content_of(msg)
        request = next(r for r in ix.requests if r.files)
        assert request.files[0].data.startswith(b"\x89PNG")
        assert (
            msg["embeds"][0]["image"]["url"].startswith("attachment://stats.png")
            or msg["attachments"]
        )


async def test_export_is_csv_with_bom(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        ix = await peer.slash("logs export", user=peer.moderator, locale="ja")
        await ix.wait_original()
        upload = next(r for r in ix.requests if r.files).files[0]
        assert upload.data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(upload.data.decode("utf-8-sig"))))
        assert {r["question"] for r in rows} >= {ANSWERED, REFUSED}


async def test_forget_deletes_the_users_rows_and_is_audited(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        ix = await peer.slash(
            "logs forget", {"user": peer.member}, user=peer.moderator, locale="ja"
        )
        assert "4 件削除しました" in content_of(await ix.wait_original())
        assert await log.recent(ALL, 10) == []


@pytest.mark.parametrize("sub", ["recent", "unanswered", "search", "stats", "export", "forget"])
async def test_members_are_refused_and_see_nothing(settings, start_bot, sub):
    options = {"search": {"text": "首相"}, "forget": {"user": "moderator"}}.get(sub, {})
    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        ix = await peer.slash(f"logs {sub}", options, user=peer.member, locale="ja")
        call = await ix.callback()
        assert call.json["data"]["content"] == "このコマンドはモデレーター専用です。"
        assert call.json["data"]["flags"] & FLAG_EPHEMERAL
        assert not call.json["data"].get("embeds") and not call.files
        assert ix.followups == []
        assert len(await log.recent(ALL, 10)) == 4


async def test_moderators_are_told_when_the_log_is_not_being_written(settings, start_bot):
    import sqlite3

    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        other = sqlite3.connect(settings.log_db, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            await (await peer.slash("ask", {"question": ANSWERED}, locale="ja")).wait_original()
            for _ in range(200):
                if log.failing_for is not None:
                    break
                await asyncio.sleep(0.01)
            msg = await (
                await peer.slash("logs recent", {}, user=peer.moderator, locale="ja")
            ).wait_original()
            assert "質問ログに" in content_of(msg) and "書き込めていません" in content_of(msg)
        finally:
            other.execute("ROLLBACK")
            other.close()
        await log.flush()
        msg = await (
            await peer.slash("logs recent", {}, user=peer.moderator, locale="en-US")
        ).wait_original()
        assert "has not been written" not in content_of(msg)


async def test_log_times_are_discord_timestamps_each_reader_sees_locally(settings, start_bot):
    import re

    async with start_bot(settings) as (_, peer, log):
        await ask_some(peer, log)
        msg = await (
            await peer.slash("logs recent", {"count": 5}, user=peer.moderator, locale="ja")
        ).wait_original()
        assert len(re.findall(r"<t:\d{10}:f>", content_of(msg))) == 4
        assert "UTC" not in content_of(msg)


async def test_sections_the_bot_names_itself_follow_the_moderators_language(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        await (
            await peer.slash("ask", {"question": "この記事は誰が書いた？"}, user=peer.member)
        ).wait_original()
        await log.flush()
        for locale, header in (("ja", "記事情報"), ("en-US", "article header")):
            recent = await (
                await peer.slash("logs recent", {"count": 5}, user=peer.moderator, locale=locale)
            ).wait_original()
            assert f"→ {header}" in content_of(recent)
            stats = await (
                await peer.slash("logs stats", {}, user=peer.moderator, locale=locale)
            ).wait_original()
            assert f"1× {header}" in content_of(stats)
        assert "記事情報" not in content_of(recent) + content_of(stats)
