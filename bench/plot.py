"""Plot `bench/run.py --json` output: latency against corpus size, ours vs rank-bm25 vs bm25s.

Run: `python bench/run.py --json > bench/out/results.jsonl` then
`python bench/plot.py bench/out/results.jsonl docs/performance.png`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI
import matplotlib.pyplot as plt

SERIES = [
    ("rank_bm25_score_p50_ms", "rank-bm25 get_scores + top 10 (p50)", "tab:red", "-"),
    ("bm25s_retrieve_p50_ms", "bm25s retrieve top 10 (p50)", "tab:orange", "-"),
    ("bm25s_score_p50_ms", "bm25s get_scores + our selection (p50)", "tab:orange", "--"),
    ("score_p50_ms", "ours: scoring + top 10 (p50)", "tab:blue", "-"),
    ("p50_ms", "ours: whole answer (p50)", "tab:blue", "--"),
    ("p99_ms", "ours: whole answer (p99)", "tab:blue", ":"),
]


def plot(rows: list[dict], out: Path) -> None:
    rows = sorted(rows, key=lambda r: r["articles"])
    x = [r["articles"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for key, label, colour, style in SERIES:
        # A row measured with --no-race (100,000 articles) has no scoring-race figures.
        points = [(n, r[key]) for n, r in zip(x, rows, strict=True) if key in r]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, style, marker="o", color=colour, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(
        x, [f"{n:,}\n({r['sentences']:,} sentences)" for n, r in zip(x, rows, strict=True)]
    )
    ax.set_xlabel("articles in the archive")
    ax.set_ylabel("milliseconds per question")
    ax.set_title("Query latency against corpus size (lemma field, same query tokens)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out)


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    plot(rows, out)


if __name__ == "__main__":
    main()
