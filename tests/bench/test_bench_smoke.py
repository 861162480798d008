"""The benchmark runs end to end at 100 articles: a smoke test, no timing thresholds."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    jsquad = ROOT.parent / "shared" / "eval" / "jsquad-valid"
    lines = (jsquad / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:50]
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--knowledge",
            str(jsquad / "knowledge"),
            "--questions-file",
            str(questions),
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
    assert row.keys() >= KEYS and row["articles"] == 59
    assert row["top10_identical"] is True
    assert not (jsquad / "knowledge" / ".index").exists()  # measured on a copy
