"""The benchmark runs end to end at 100 articles: a smoke test, no timing thresholds."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import BUNDLED_KNOWLEDGE

ROOT = Path(__file__).resolve().parents[2]
KEYS = {
    "articles",
    "sections",
    "build_s",
    "cold_start_s",
    "rss_mb",
    "p50_ms",
    "p99_ms",
    "score_p50_ms",
    "rank_bm25_score_p50_ms",
    "bm25s_score_p50_ms",
    "bm25s_retrieve_p50_ms",
    "build_peak_mb",
    "index_mb",
    "max_ms",
}


@pytest.mark.slow
def test_bench_run_at_100_articles(tmp_path):
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--articles", "100", "--json", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    row = json.loads(line)
    assert row.keys() >= KEYS
    assert row["articles"] == 100
    assert 500 <= row["sections"] <= 700
    assert row["top10_identical"] is True
    for key in KEYS - {"articles", "sections"}:
        assert 0 < row[key] < 10_000, key
    assert row["p50_ms"] <= row["p99_ms"]
    assert (tmp_path / "articles-100" / ".index" / "manifest.json").exists()


@pytest.mark.slow
def test_bench_run_on_real_text_and_real_questions(tmp_path):
    """The real-text mode on the bundled article and the project's held-out questions (the
    JSQuAD figures in docs/performance.md come from the same mode on ../shared); the session
    fails if it wrote an index into the checkout (tests/conftest.py)."""
    proc = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--knowledge",
            str(BUNDLED_KNOWLEDGE),
            "--questions-file",
            str(ROOT / "bench" / "heldout_questions.jsonl"),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout)
    assert row.keys() >= KEYS and row["articles"] == 1
    assert row["top10_identical"] is True
