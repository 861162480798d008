"""The feedback loop through the peer: 👎, a reason, and what moderators then see."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys

from bot.querylog import Scope
from tests.discordbot.conftest import button
from tests.peer import FLAG_EPHEMERAL

QUESTION = "ゴルバチョフはなぜ必要のない妥協をしたのか"


def text_of(message: dict) -> str:
    parts = [message.get("content") or ""]
    for e in message.get("embeds", []):
        parts += [e.get("title", ""), e.get("description", "")]
    return "\n".join(parts)


async def test_a_down_vote_with_a_reason_reaches_every_moderator_view(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        answer = await (
            await peer.slash("ask", {"question": QUESTION}, locale="ja")
        ).wait_original()
        down = await peer.click(button(answer, "👎"), message_id=answer["id"], locale="ja")
        asked = (await down.callback()).json["data"]
        assert asked["flags"] & FLAG_EPHEMERAL and "何が問題でしたか" in asked["content"]
        other = await peer.click(
            button(asked, "その他"), message_id=down.original["id"], locale="ja"
        )
        assert (await other.callback()).json["type"] == 9  # a modal
        sent = await peer.submit_modal({"reason-detail": "引用が質問と関係ない"}, locale="ja")
        assert "モデレーターが確認します" in (await sent.callback()).json["data"]["content"]

        msg = await (
            await peer.slash("logs downvoted", {"days": 7}, user=peer.moderator, locale="ja")
        ).wait_original()
        shown = text_of(msg)
        assert QUESTION in shown and "引用が質問と関係ない" in shown
        assert "「" in shown and "/channels/" in shown  # the quote shown, a link to the message

        await log.flush()
        (row,) = await log.recent(Scope.shell())
        assert (row.thumbs_up, row.thumbs_down) == (0, 1) and row.top_quote
        data = (await log.export_csv(Scope.shell())).decode("utf-8-sig")
        (exported,) = list(csv.DictReader(io.StringIO(data)))
        assert exported["thumbs_down"] == "1"
        assert exported["id"] == f'="{row.id}"'  # text a spreadsheet keeps whole
        cli = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "logs", "downvoted", "--json"],
            capture_output=True,
            text=True,
            env={**os.environ, "BOT_LOG_DB": str(settings.log_db)},
            timeout=60,
        )
        (vote,) = [json.loads(line) for line in cli.stdout.splitlines()]
        assert (vote["reason"], vote["detail"]) == ("other", "引用が質問と関係ない")


async def test_a_reason_button_stores_the_reason(settings, start_bot):
    async with start_bot(settings) as (_, peer, log):
        answer = await (
            await peer.slash("ask", {"question": QUESTION}, locale="en-US")
        ).wait_original()
        down = await peer.click(button(answer, "👎"), message_id=answer["id"], locale="en-US")
        asked = (await down.callback()).json["data"]
        why = await peer.click(
            button(asked, "Wrong passage"), message_id=down.original["id"], locale="en-US"
        )
        assert "moderators will look" in (await why.callback()).json["data"]["content"]
        await log.flush()
        (vote,) = await log.downvoted(Scope.shell(), 7)
        assert (vote.reason, vote.detail) == ("wrong_passage", None)
