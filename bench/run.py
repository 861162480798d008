"""Search at archive scale: build time, cold start, memory, latency, and rank-bm25/bm25s speed.

For each size N (default 100, 1,000 and 10,000 articles) this generates a synthetic archive
(`bench.synth`, the seed's layout and shape), then measures, each bot step in a fresh process:
- build_s: `KnowledgeBase.load` with no stored index (parse, analyse, index, store);
- cold_start_s: `python -m bot --knowledge DIR ask --json Q` with the stored index, start to
  exit (median of 3; the package's bytecode compiled first, as installed);
- rss_mb: peak memory of a bot process answering the questions from the stored index
  (build_peak_mb: of the building process, without its analysis workers); index_mb: the
  stored index on disk;
- p50_ms, p99_ms, max_ms: one question end to end (tokenise, score, pick windows, compose the
  Answer);
- score_p50_ms, rank_bm25_score_p50_ms, bm25s_score_p50_ms: the scoring-plus-top-10 step alone
  over the lemma field, on the same query tokens (`bench.engines`), each followed by exactly our
  selection (`bot.search.bm25.select_top`); bm25s_retrieve_p50_ms is bm25s as shipped;
  top10_identical says whether ours matched rank-bm25's top 10 on every question.

Run: `python bench/run.py [--articles N] [--json] [--out DIR] [--questions Q]`, or on real
text: `python bench/run.py --knowledge DIR --questions-file FILE.jsonl` (a qa_eval-style file,
its `q` fields; the folder is copied under --out so its stored index is measured too).
`--questions-file` (repeatable) also puts real questions to a synthetic archive, and
`--no-race` leaves out the scoring race (at 100,000 articles rank-bm25 would need its tens of
gigabytes of Python lists).
Corpora go under `bench/out/` (git-ignored) and are reused when already complete.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engines import Engines, timings_ms  # noqa: E402
from bench.lexicon import load_pools  # noqa: E402
from bench.synth import Generator, write_corpus  # noqa: E402
from bot.articles import load_library  # noqa: E402
from bot.articles.library import load_article  # noqa: E402
from bot.search import store  # noqa: E402
from bot.search.fields import encode  # noqa: E402
from bot.search.units import Units  # noqa: E402
from bot.settings import BUNDLED_KNOWLEDGE  # noqa: E402
from bot.text.tokens import Analyzer  # noqa: E402

SIZES = (100, 1_000, 10_000)
SEED_ARTICLE = BUNDLED_KNOWLEDGE / "alaska-old-world-order.txt"
COLD_STARTS = 3
REAL_QUESTIONS = 500  # questions sampled from --questions-file


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_bot(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISCORD_TOKEN": "", "BOT_LOG_DB": ""}
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc


def probe(folder: Path, questions_file: Path) -> dict:
    proc = run_bot(
        sys.executable, str(ROOT / "bench" / "probe.py"), str(folder), str(questions_file)
    )
    return json.loads(proc.stdout)


def cold_start_s(folder: Path, question: str) -> float:
    """Median start-to-exit time of a one-question `ask`, with the package's bytecode already
    compiled, as an installed bot (or any second start) has it: with PYTHONDONTWRITEBYTECODE
    set, as on some machines, every start would otherwise compile ours again (0.15 s)."""
    compileall.compile_dir(ROOT / "bot", quiet=1)
    times = []
    for _ in range(COLD_STARTS):
        start = time.perf_counter()
        run_bot(
            sys.executable, "-m", "bot", "--knowledge", str(folder), "ask", "--no-log", question
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scoring(folder: Path, questions: list[str], analyzer: Analyzer) -> dict:
    """The scoring step of the three engines, on the lemma tokens of the same questions."""
    texts = list(Units.of(load_library(folder)).texts())
    lemmas = encode(texts, analyzer)[0][0]
    engines = Engines(lemmas)
    queries = [analyzer.lemmas(q) for q in questions]
    queries = [q for q in queries if q]
    ours, ours_top = timings_ms(engines.ours_top, queries)
    reference, reference_top = timings_ms(engines.rank_bm25_top, queries)
    return {
        "score_p50_ms": float(np.median(ours)),
        "rank_bm25_score_p50_ms": float(np.median(reference)),
        # bm25s's scoring followed by exactly our selection: the fair race of scoring.
        "bm25s_score_p50_ms": float(np.median(timings_ms(engines.bm25s_scores_top, queries)[0])),
        "bm25s_retrieve_p50_ms": float(np.median(timings_ms(engines.bm25s_top, queries)[0])),
        "top10_identical": ours_top == reference_top,
    }


def measure(n: int, out: Path, generator: Generator, questions: list[str], race: bool) -> dict:
    return measure_folder(write_corpus(out / f"articles-{n}", n, generator), out, questions, race)


def measure_folder(folder: Path, out: Path, questions: list[str], race: bool = True) -> dict:
    """Every figure for the articles in `folder` and these questions (the scoring race too,
    with `race`)."""
    n = len([p for p in folder.iterdir() if p.is_file()])
    questions_file = out / "questions.json"
    questions_file.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(folder / store.INDEX_DIR, ignore_errors=True)
    say(f"{n:,} articles: building the index")
    built = probe(folder, questions_file)
    stored = store.index_path(folder).stat().st_mtime_ns
    say(f"{n:,} articles: cold starts and questions on the stored index")
    cold = cold_start_s(folder, questions[0])
    served = probe(folder, questions_file)
    if store.index_path(folder).stat().st_mtime_ns != stored:
        raise SystemExit(f"{folder}: the stored index was rebuilt while measuring cold starts")
    latencies = served["latencies_ms"]
    row = {
        "articles": served["articles"],
        "sections": served["sections"],
        "sentences": served["sentences"],
        "build_s": round(built["load_s"], 2),
        "build_peak_mb": built["rss_mb"],
        "cold_start_s": round(cold, 2),
        "rss_mb": served["rss_mb"],
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "max_ms": round(float(max(latencies)), 2),
        "index_mb": round(
            sum(f.stat().st_size for f in (folder / store.INDEX_DIR).rglob("*") if f.is_file())
            / 1e6,
            1,
        ),
    }
    if race:
        say(f"{n:,} articles: scoring step, ours vs rank-bm25 vs bm25s")
        row.update(
            {
                k: round(v, 3) if isinstance(v, float) else v
                for k, v in scoring(folder, questions, Analyzer()).items()
            }
        )
    return row


def read_questions(files: list[Path]) -> list[str]:
    """The `q` of every line of these qa_eval-style JSONL files, sampled down to
    `REAL_QUESTIONS` with a fixed seed: rank-bm25 scans every sentence in Python, 0.6 s a
    question at 10,000 articles, so thousands of questions would take the run hours."""
    questions = [
        json.loads(line)["q"]
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return random.Random(0).sample(questions, min(len(questions), REAL_QUESTIONS))


def measure_real(knowledge: Path, questions: list[str], out: Path, race: bool) -> dict:
    """The figures for a folder of real articles (copied under `out`, so that its stored index
    is measured too)."""
    folder = out / f"knowledge-{knowledge.name}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(knowledge, folder, ignore=shutil.ignore_patterns(".*"))
    out.mkdir(parents=True, exist_ok=True)
    return measure_folder(folder, out, questions, race)


def table(rows: list[dict]) -> str:
    """A Markdown table, one row per size."""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, help=f"one size (default: {', '.join(map(str, SIZES))})")
    p.add_argument("--json", action="store_true", help="one JSON object per size, one per line")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="corpus folder")
    p.add_argument("--questions", type=int, default=200, help="questions per size")
    p.add_argument("--knowledge", type=Path, help="measure this folder of articles instead")
    p.add_argument(
        "--questions-file",
        type=Path,
        action="append",
        help="qa_eval-style JSONL whose questions are asked instead of synthetic ones (repeatable)",
    )
    p.add_argument(
        "--no-race",
        action="store_true",
        help="skip the scoring race (rank-bm25 cannot index 100,000 articles in memory)",
    )
    args = p.parse_args()
    race = not args.no_race
    real = read_questions(args.questions_file) if args.questions_file else None
    if args.knowledge:
        if real is None:
            raise SystemExit(
                "--knowledge needs --questions-file (a JSONL file with a 'q' per line)"
            )
        print(json.dumps(measure_real(args.knowledge, real, args.out, race)), flush=True)
        return
    analyzer = Analyzer()
    seed = load_article(SEED_ARTICLE)
    generator = Generator(load_pools("\n".join(s.text for s in seed.sections), analyzer))
    questions = real or generator.questions(args.questions)
    rows = []
    for n in [args.articles] if args.articles else SIZES:
        row = measure(n, args.out, generator, questions, race)
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
    if not args.json:
        print(table(rows))


if __name__ == "__main__":
    main()
