"""Questions whose cost used to grow with the archive, timed on one: header questions naming no
article, 「Xとは誰」, refusals (with the articles their card lists) and a plain question.

    python bench/archive_questions.py KNOWLEDGE_DIR

(e.g. the 10,000-article folder `bench/run.py --articles 10000 --out DIR` writes.) Prints the
median and worst of 20 runs per question, the refusal card's article list included.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answers.topics import related_articles  # noqa: E402
from bot.knowledge_base import KnowledgeBase  # noqa: E402

QUESTIONS = (
    "この記事の著者は誰ですか",
    "ボルダチェフとは誰ですか",
    "ビットコインの価格はいくらですか",
    "アンカレッジは最終的な平和だったのか",
)


def main() -> None:
    kb = KnowledgeBase.load(Path(sys.argv[1]))
    for q in QUESTIONS:
        kb.ask(q)  # first use: the tagger and lazily built indexes
    print(f"{len(kb.library.articles):,} articles")
    for q in QUESTIONS:
        times = []
        for _ in range(20):
            start = time.perf_counter()
            answer = kb.ask(q)
            related_articles(answer, kb.library)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"{q}  median {statistics.median(times):.2f} ms, max {max(times):.2f} ms ({answer.kind})"
        )


if __name__ == "__main__":
    main()
