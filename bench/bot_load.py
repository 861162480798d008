"""The bot under load: N concurrent /ask through the Discord protocol peer.

The bot runs as users run it (`python -m bot run`, its own process) against the peer in this
process, so the bot's event loop is measured alone: its LoopWatch logs the longest block at
shutdown. Reports answers per second too. Run: `python bench/bot_load.py [--asks 200] [--json]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.peer import DiscordPeer  # noqa: E402

QUESTIONS = [
    "アンカレッジは最終的な平和だったのか",
    "米露の対立はこれからどうなるのか",
    "ゴルバチョフはなぜ必要のない妥協をしたのか",
    "ビットコインの価格はいくらですか",
]


async def main(asks: int, knowledge: Path | None, spacing_ms: float) -> dict:
    async with DiscordPeer() as peer:
        with tempfile.TemporaryDirectory() as tmp:
            knowledge_dir = {"BOT_KNOWLEDGE_DIR": str(knowledge)} if knowledge else {}
            proc = await peer.start_bot_process(
                "peer-test-token",
                str(Path(tmp) / "q.sqlite3"),
                stdout=asyncio.subprocess.DEVNULL,
                BOT_LOG_LEVEL="INFO",
                **knowledge_dir,
            )
            try:
                await peer.wait_identified(timeout=120)
                await peer.wait_for(
                    lambda r: r.method == "PUT" and "/guilds/" in r.path, timeout=120
                )
                start = time.perf_counter()
                handles = []
                for i in range(asks):
                    handles.append(
                        await peer.slash("ask", {"question": QUESTIONS[i % len(QUESTIONS)]})
                    )
                    if spacing_ms:
                        await asyncio.sleep(spacing_ms / 1000)
                messages = await asyncio.gather(*(h.wait_original(timeout=120) for h in handles))
                elapsed = time.perf_counter() - start
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), 60)
            finally:
                if proc.returncode is None:
                    proc.kill()
            stderr = (await proc.stderr.read()).decode()
    block = re.search(r"longest block ([\d.]+) ms", stderr)
    answered = sum(1 for m in messages if m.get("embeds"))
    return {
        "asks": asks,
        "spacing_ms": spacing_ms,
        "answered": answered,
        "seconds": round(elapsed, 3),
        "answers_per_s": round(answered / elapsed, 1),
        "max_loop_block_ms": float(block[1]) if block else None,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--asks", type=int, default=200)
    ap.add_argument("--knowledge", type=Path)
    ap.add_argument(
        "--spacing-ms", type=float, default=0.0, help="gap between injected asks (0: one burst)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = asyncio.run(main(args.asks, args.knowledge, args.spacing_ms))
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
