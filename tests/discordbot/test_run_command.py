"""`python -m bot run` as a user starts it, pointed at the protocol peer on 127.0.0.1."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

from tests.peer import DiscordPeer


async def start_process(
    peer: DiscordPeer, tmp_path: Path, token: str
) -> asyncio.subprocess.Process:
    return await peer.start_bot_process(token, str(tmp_path / "queries.sqlite3"))


async def test_run_connects_syncs_answers_and_stops_cleanly_on_sigterm(tmp_path):
    async with DiscordPeer(token="secret-token") as peer:
        proc = await start_process(peer, tmp_path, "secret-token")
        try:
            await peer.wait_identified(timeout=60)
            await peer.wait_for(lambda r: r.method == "PUT" and "/guilds/" in r.path, timeout=60)
            ix = await peer.slash(
                "ask", {"question": "アンカレッジは最終的な平和だったのか"}, locale="ja"
            )
            message = await ix.wait_original(timeout=30)
            assert "最終的な平和ではなかった" in message["embeds"][0]["description"].replace(
                "**", ""
            )
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        stderr = (await proc.stderr.read()).decode()
        assert code == 0, stderr
        assert "Traceback" not in stderr
        with sqlite3.connect(tmp_path / "queries.sqlite3") as db:
            assert db.execute("SELECT source, answered FROM queries").fetchall() == [("slash", 1)]


async def test_a_wrong_token_is_one_clear_line(tmp_path):
    async with DiscordPeer(token="the-right-one") as peer:
        proc = await start_process(peer, tmp_path, "wrong")
        code = await asyncio.wait_for(proc.wait(), 60)
        stderr = (await proc.stderr.read()).decode()
    assert code == 2
    assert "DISCORD_TOKEN" in stderr and "Traceback" not in stderr
