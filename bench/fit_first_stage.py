"""Fit the first stage's COMMON_SHARE and POOL (`bot.search.index`) on a large real library.

    python bench/fit_first_stage.py [--knowledge DIR] [--articles N]

Asks every JSQuAD question of a real-text library of N articles (`bench/realtext.py`: JSQuAD's
59 articles among shuffled copies; built under bench/out/ when --knowledge is not given) with
the exact first stage and with each grid point, and prints one JSON line per setting: hit@1
(answered, and the top quote holds the answer), the share answered, p50 and p99 of a whole
answer. The choice is the setting with the lowest p99 whose hit@1 is within `TOLERANCE` of
the exact pick's and which answers as often, within `TOLERANCE`: the approximation may cost
time, never answers. Its values go into bot/search/index.py with the figures in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import QA_EVAL  # noqa: E402
from bench.datasets import JSQUAD, read_questions  # noqa: E402
from bench.realtext import write_archive  # noqa: E402
from bot.knowledge_base import KnowledgeBase  # noqa: E402
from bot.search import index  # noqa: E402

SHARES = (0.005, 0.01, 0.02, 0.05)
POOLS = (100, 300, 1000)
TOLERANCE = 0.002
EXACT = (0.0, 0)  # COMMON_SHARE 0: no term is common, every pick is exact


def measure(kb: KnowledgeBase, questions: list[dict], share: float, pool: int) -> dict:
    index.COMMON_SHARE, index.POOL = share, pool
    hits = answered = 0
    times = []
    for q in questions:
        start = time.perf_counter()
        answer = kb.ask(q["q"]).to_json()
        times.append(time.perf_counter() - start)
        rank = QA_EVAL.rank_of_hit(answer.get("passages") or [], q["gold"])
        hits += bool(answer["answered"] and rank == 1)
        answered += bool(answer["answered"])
    ms = np.array(times) * 1000
    n = len(questions)
    return {
        "common_share": share,
        "pool": pool,
        "hit@1": round(hits / n, 4),
        "answered": round(answered / n, 4),
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--knowledge", type=Path, help="a real-text library (default: built)")
    ap.add_argument("--articles", type=int, default=10_000, help="its size when built")
    args = ap.parse_args()
    folder = args.knowledge or ROOT / "bench" / "out" / f"realtext-{args.articles}"
    if args.knowledge is None and not folder.exists():
        write_archive(args.articles, folder)
    kb = KnowledgeBase.load(folder)
    questions = [q for q in read_questions(JSQUAD / "questions.jsonl") if q["gold"]]
    exact = measure(kb, questions, *EXACT)
    print(json.dumps(exact), flush=True)
    rows = []
    for share in SHARES:
        for pool in POOLS:
            rows.append(measure(kb, questions, share, pool))
            print(json.dumps(rows[-1]), flush=True)
    fair = [
        r
        for r in rows
        if r["hit@1"] >= exact["hit@1"] - TOLERANCE
        and r["answered"] >= exact["answered"] - TOLERANCE
    ]
    best = min(fair, key=lambda r: (r["p99_ms"], r["p50_ms"]), default=None)
    print(json.dumps({"chosen": best}))


if __name__ == "__main__":
    main()
