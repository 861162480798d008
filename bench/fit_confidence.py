"""Fit the confidence words' cut-offs (`bot/ranking/confidence.json`) on the development sets.

    python bench/fit_confidence.py [--dry-run]

Every answerable question of JSQuAD (asked of its whole library) and of the news-domain sets in
SETS is asked; among those answered, "high" starts at the lowest probability above which the
first quote held the answer at least HIGH_PRECISION of the time, in JSQuAD and in the news
domain alike, and "low" is everything below the highest probability under which it held it at
most LOW_PRECISION of the time. The figures reached are stored beside the cut-offs
(docs/retrieval.md).

Answers whose first passage lacks the kind of answer asked for (`Answer.lacking_kind`) are
left out of those cut-offs and scored on their own: the best word they may get is the one their
share of right answers earns (high from HIGH_PRECISION, low at most LOW_PRECISION).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import all_sets  # noqa: E402
from bot.knowledge_base import KnowledgeBase  # noqa: E402
from bot.ranking.confidence import CUTOFFS_FILE, HIGH_PRECISION, LOW_PRECISION  # noqa: E402

# JSQuAD and the news-domain sets both models are fitted on. news-extra (which the refusal is
# never fitted on), news-test and news-test-2 (which no model is) stay out: they measure the
# words on questions the refusal has not seen (docs/retrieval.md).
SETS = (
    "jsquad",
    "seed-dev",
    "news-dev",
    "seed-heldout",
    "two-articles",
    "seed-paraphrase",
    "news-train",
)


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def outcomes() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(probability, first quote holds the answer, it lacks the asked kind, it is JSQuAD's) for
    every answered answerable question."""
    probs, hits, lacking, jsquad = [], [], [], []
    for qset in all_sets():
        if qset.name not in SETS:
            continue
        with qset.library() as folder:
            kb = KnowledgeBase.load(folder, persist=False)
            for q in qset.questions:
                if q.get("kind") != "answerable" or not q.get("gold"):
                    continue
                answer = kb.ask(q["q"])
                if not answer.answered or answer.confidence is None or not answer.passages:
                    continue
                quote = norm(answer.passages[0].quote)
                probs.append(answer.confidence)
                hits.append(any(norm(g) in quote for g in q["gold"]))
                lacking.append(answer.lacking_kind is not None)
                jsquad.append(qset.name == "jsquad")
        print(f"  {qset.name}: {len(probs)} answered so far", file=sys.stderr)
    return np.array(probs), np.array(hits), np.array(lacking, dtype=bool), np.array(jsquad)


def cutoff(probs: np.ndarray, hits: np.ndarray, precision: float) -> float:
    """The lowest probability p whose answers with probability >= p reach `precision`."""
    order = np.argsort(-probs)
    running = np.cumsum(hits[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running >= precision)
    return float(probs[order][ok[-1]]) if len(ok) else float(probs.max()) + 1e-9


def floor(probs: np.ndarray, hits: np.ndarray, precision: float) -> float:
    """The highest probability p whose answers below p reach at most `precision`."""
    order = np.argsort(probs)
    running = np.cumsum(hits[order]) / np.arange(1, len(order) + 1)
    ok = np.flatnonzero(running <= precision)
    return float(probs[order][ok[-1]]) + 1e-9 if len(ok) else float(probs.min())


def band(probs: np.ndarray, hits: np.ndarray, low: float, high: float) -> dict:
    inside = (probs >= low) & (probs < high)
    return {
        "share": round(float(inside.mean()), 4),
        "right": round(float(hits[inside].mean()), 4) if inside.any() else None,
    }


def lacking_kind(hits: np.ndarray) -> dict:
    """The best word for answers lacking the asked kind, from their share of right answers."""
    right = float(hits.mean()) if len(hits) else 1.0
    word = "high" if right >= HIGH_PRECISION else "medium" if right > LOW_PRECISION else "low"
    return {"at_most": word, "answered": len(hits), "right": round(right, 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    all_probs, all_hits, lacking, all_jsquad = outcomes()
    probs, hits, jsquad = all_probs[~lacking], all_hits[~lacking], all_jsquad[~lacking]
    # The stricter of the two domains': JSQuAD's thousands would otherwise set it alone, and the
    # members' questions reach 0.95 only at a higher probability.
    high = max(
        cutoff(probs[jsquad], hits[jsquad], HIGH_PRECISION),
        cutoff(probs[~jsquad], hits[~jsquad], HIGH_PRECISION),
    )
    medium = min(floor(probs, hits, LOW_PRECISION), high)
    record = {
        "high": round(high, 4),
        "medium": round(medium, 4),
        "fitted_on": {
            "date": datetime.date.today().isoformat(),
            "answered": len(probs),
            "right": round(float(hits.mean()), 4),
            "high": band(probs, hits, high, np.inf),
            "medium": band(probs, hits, medium, high),
            "low": band(probs, hits, -np.inf, medium),
            "news_domain": {
                "answered": int((~jsquad).sum()),
                "high": band(probs[~jsquad], hits[~jsquad], high, np.inf),
                "medium": band(probs[~jsquad], hits[~jsquad], medium, high),
                "low": band(probs[~jsquad], hits[~jsquad], -np.inf, medium),
            },
        },
        "lacking_kind": lacking_kind(all_hits[lacking]),
    }
    print(json.dumps(record, indent=1))
    if not args.dry_run:
        CUTOFFS_FILE.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {CUTOFFS_FILE}", file=sys.stderr)


if __name__ == "__main__":
    main()
