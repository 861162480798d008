"""Query log write throughput: N rows through record() and close(), as one JSON line.

`record_us` is what the answer path pays per question; `rows_per_s` is what the writer task
sustains to disk (WAL, synchronous=NORMAL, one transaction per batch).

    .venv/bin/python bench/querylog_write.py [--rows 20000] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from bot.querylog import QueryEntry, QueryLog


async def run(rows: int, batch_size: int, folder: Path) -> dict[str, object]:
    path = folder / "bench.sqlite3"
    log = QueryLog(path, batch_size=batch_size, max_queued=rows)
    await log.start()
    entries = [
        QueryEntry(
            question=f"アラスカの記事で著者が言いたいことは何ですか その{i}",
            source="slash",
            answered=i % 4 != 0,
            user_id=1000 + i % 50,
            user_name="ベンチ",
            guild_id=1,
            channel_id=2,
            top_article="alaska-old-world-order",
            top_section="リード",
            top_paragraph=1,
            top_score=3.2,
            n_passages=3,
            latency_ms=42.0,
        )
        for i in range(rows)
    ]
    start = time.perf_counter()
    for entry in entries:
        log.record(entry)
    queued = time.perf_counter()
    await log.close(grace=600)
    done = time.perf_counter()
    with sqlite3.connect(path) as conn:
        (written,) = conn.execute("SELECT COUNT(*) FROM queries").fetchone()
    return {
        "bench": "querylog_write",
        "rows": rows,
        "written": written,
        "dropped": log.dropped,
        "batch_size": batch_size,
        "seconds": round(done - start, 3),
        "rows_per_s": round(rows / (done - start)),
        "record_us": round((queued - start) / rows * 1e6, 2),
        "sqlite": sqlite3.sqlite_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(run(args.rows, args.batch_size, Path(folder)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
