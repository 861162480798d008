"""docs/dashboard.png: the dashboard's down-voted page in headless Chromium, on a demo log
(Japanese needs a CJK font for Chromium, e.g. Debian's fonts-noto-cjk).

    python bench/dashboard_screenshot.py

Asks the bundled article a few questions through the same path as the bot (logged), votes one
answer down with a reason, serves the log with `python -m bot dashboard` and screenshots it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.asking import Asker  # noqa: E402
from bot.knowledge_base import KnowledgeBase  # noqa: E402
from bot.querylog import QueryLog  # noqa: E402
from bot.settings import BUNDLED_KNOWLEDGE  # noqa: E402

QUESTIONS = [
    ("アンカレッジは最終的な平和だったのか", None),
    ("ゴルバチョフはなぜ必要のない妥協をしたのか", "引用が質問に答えていない"),
    ("ビットコインの価格はいくらですか", None),
    ("米露の対立はこれからどうなるのか", None),
]


async def demo_log(db: Path) -> None:
    kb = KnowledgeBase.load(BUNDLED_KNOWLEDGE, persist=False)
    async with QueryLog.open(db) as log:
        asker = Asker(lambda: kb, log)
        for i, (question, complaint) in enumerate(QUESTIONS):
            asked = await asker.ask(question, source="slash", user_id=100 + i, user_name="demo")
            if complaint and asked.query_id is not None:
                url = f"https://discord.com/channels/1/2/{asked.query_id}"
                await log.vote(asked.query_id, 999, -1, url)
                log.vote_reason(asked.query_id, 999, "other", complaint)


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("needs Chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "queries.sqlite3"
        asyncio.run(demo_log(db))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "dashboard", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "BOT_LOG_DB": str(db)},
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/queries/downvoted"
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.2)
            out = ROOT / "docs" / "dashboard.png"
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    "--window-size=1280,720",
                    f"--screenshot={out}",
                    url,
                ],
                check=True,
                capture_output=True,
            )
            print(out)
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
