"""One bot process, measured: load a knowledge folder, answer questions, report as JSON.

`bench/run.py` starts this in a fresh process so that load time and peak memory are the bot's
alone, not mixed with the rank-bm25 and bm25s indexes the benchmark builds for comparison.
Usage: `python bench/probe.py FOLDER QUESTIONS.json` (a JSON list of questions).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge_base import KnowledgeBase  # noqa: E402


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: VmHWM, not `ru_maxrss`.

    Linux carries `ru_maxrss` over from the parent across fork and exec, so a probe started by
    a big benchmark process would report the benchmark's memory; VmHWM belongs to this process.
    """
    status = Path("/proc/self/status").read_text()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(int(kb) / 1024, 1)


def main() -> None:
    folder, questions_file = Path(sys.argv[1]), Path(sys.argv[2])
    questions = json.loads(questions_file.read_text(encoding="utf-8"))
    start = time.perf_counter()
    kb = KnowledgeBase.load(folder)
    load_s = time.perf_counter() - start
    kb.ask(questions[0])  # the MeCab tagger is made on first use: not part of steady state
    latencies = []
    for question in questions:
        t = time.perf_counter()
        kb.ask(question)
        latencies.append((time.perf_counter() - t) * 1000)
    articles = kb.library.articles
    report = {
        "load_s": load_s,
        "articles": len(articles),
        "sections": sum(len(a.sections) for a in articles),
        "sentences": len(kb.answerer.index.units),
        "latencies_ms": latencies,
        "rss_mb": peak_rss_mb(),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
