"""/reload: new articles without a restart; a bad file keeps the old index serving."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge_base import KnowledgeBase
from tests.conftest import MARKDOWN
from tests.peer import FLAG_EPHEMERAL


async def test_reload_adds_articles_and_survives_a_bad_file(settings, start_bot, folder: Path):
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
        ix = await peer.slash("reload", user=peer.moderator, locale="ja")
        failed = (await ix.wait_original())["content"]
        assert "再読み込みに失敗したため、これまでの記事で応答を続けます" in failed
        assert "broken.md:1" in failed
        still = await (await peer.slash("ask", {"question": question}, locale="ja")).wait_original()
        assert "多数の物理量子ビットが必要" in still["embeds"][0]["description"].replace("**", "")

        call = await (await peer.slash("reload", user=peer.member, locale="ja")).callback()
        assert call.json["data"]["content"] == "このコマンドはモデレーター専用です。"
