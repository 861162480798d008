"""/reload: new articles without a restart; a bad file is skipped and named, as at start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.knowledge_base import FolderWatch, KnowledgeBase
from tests.conftest import MARKDOWN
from tests.peer import FLAG_EPHEMERAL


async def test_reload_adds_articles_and_skips_a_bad_file(settings, start_bot, folder: Path):
    (folder / "quantum.md").unlink()
    async with start_bot(settings, knowledge_dir=folder) as (bot, peer, _):
        bot.kb = KnowledgeBase.load(folder)
        question = "論理量子ビットを作るには何が必要か"
        before = await (
            await peer.slash("ask", {"question": question}, locale="ja")
        ).wait_original()
        assert "見つかりませんでした" in before["embeds"][0]["description"]

        (folder / "quantum.md").write_text(MARKDOWN, encoding="utf-8")
        ix = await peer.slash("reload", user=peer.moderator, locale="ja")
        done = await ix.wait_original()
        assert done["flags"] & FLAG_EPHEMERAL
        assert "記事を再読み込みしました: 3件" in done["content"]
        after = await (await peer.slash("ask", {"question": question}, locale="ja")).wait_original()
        assert "多数の物理量子ビットが必要" in after["embeds"][0]["description"].replace("**", "")

        (folder / "broken.md").write_text("---\ntitle: 壊れた記事\n", encoding="utf-8")
        (folder / "tides.md").write_text("---\ntitle: 潮汐\n---\n\n潮汐発電は月の引力を使う。\n")
        ix = await peer.slash("reload", user=peer.moderator, locale="ja")
        skipped = (await ix.wait_original())["content"]
        assert "記事を再読み込みしました: 4件" in skipped  # the good new one is served
        assert "読み込めなかったファイルは飛ばしました" in skipped and "broken.md:1" in skipped
        tides = await (
            await peer.slash("ask", {"question": "潮汐発電は何を使うのか"}, locale="ja")
        ).wait_original()
        assert "月の引力" in tides["embeds"][0]["description"]
        still = await (await peer.slash("ask", {"question": question}, locale="ja")).wait_original()
        assert "多数の物理量子ビットが必要" in still["embeds"][0]["description"].replace("**", "")

        call = await (await peer.slash("reload", user=peer.member, locale="ja")).callback()
        assert call.json["data"]["content"] == "このコマンドはモデレーター専用です。"


async def test_a_changed_folder_is_served_without_a_reload(settings, start_bot, folder: Path):
    (folder / "quantum.md").unlink()
    async with start_bot(settings, knowledge_dir=folder, watch_seconds=0.05) as (bot, peer, _):
        bot.kb = KnowledgeBase.load(folder)
        (folder / "quantum.md").write_text(MARKDOWN, encoding="utf-8")
        for _ in range(200):  # the watcher needs two looks that agree, then reloads
            if bot.kb.library.get("quantum") is not None:
                break
            await asyncio.sleep(0.05)
        assert len(bot.kb.library.articles) == 3
        answer = await (
            await peer.slash("ask", {"question": "論理量子ビットを作るには何が必要か"}, locale="ja")
        ).wait_original()
        assert "多数の物理量子ビットが必要" in answer["embeds"][0]["description"].replace("**", "")


def test_the_folder_watch_reports_a_change_once_it_has_settled(folder: Path):
    watch = FolderWatch(folder)
    assert not watch.changed()
    (folder / "tides.md").write_text("---\ntitle: 潮汐\n---\n\n潮汐発電は月の引力を使う。\n")
    assert not watch.changed()  # seen once: it may still be being written
    assert watch.changed()
    assert not watch.changed()
    (folder / "tides.md").unlink()
    assert not watch.changed()
    (folder / "tides.md").write_text("書きかけ")  # back before it settled: a new change
    assert not watch.changed()
    assert watch.changed()


async def test_reload_of_a_missing_folder_keeps_the_articles_served(settings, start_bot, folder):
    async with start_bot(settings, knowledge_dir=folder / "gone") as (bot, peer, _):
        bot.kb = KnowledgeBase.load(folder)
        ix = await peer.slash("reload", user=peer.moderator, locale="en-US")
        assert "keep answering from the previous articles" in (await ix.wait_original())["content"]
        assert len(bot.kb.library.articles) == 3


async def test_summary_with_several_articles_says_which_and_how_to_choose(
    settings, start_bot, folder
):
    async with start_bot(settings, knowledge_dir=folder) as (bot, peer, _):
        bot.kb = KnowledgeBase.load(folder)
        sections = await peer.autocomplete(
            "summary", {"section": ""}, focused="section", locale="ja"
        )
        assert [c["name"] for c in sections] == ["先に記事を選んでください（article）"]
        msg = await (await peer.slash("summary", {}, locale="en-US")).wait_original()
        assert "newest article" in msg["content"] and "Pick another of the 3" in msg["content"]
        assert msg["embeds"]
        chosen = await (
            await peer.slash("summary", {"article": "quantum"}, locale="ja")
        ).wait_original()
        assert not chosen.get("content") and "量子計算機の現在" in chosen["embeds"][0]["title"]
