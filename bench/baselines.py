"""Retrieval baselines against the bot, on a question set (default: the shared dev set).

Each baseline quotes the single best sentence by rank-bm25's BM25Okapi over one token view:
character bigrams, fugashi surface forms, or UniDic lemmas without particles. The last row is
the bot itself (`Answerer`). Run: `python bench/baselines.py [QUESTIONS.jsonl ...]`.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import fugashi
from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge_base import KnowledgeBase  # noqa: E402
from bot.text.tokens import normalize  # noqa: E402

DEFAULT_SETS = [
    ROOT.parent / "shared" / "eval" / "dev_questions.jsonl",
    ROOT / "bench" / "paraphrase_questions.jsonl",
    ROOT / "bench" / "heldout_questions.jsonl",
]
TAGGER = fugashi.Tagger()


def char_bigrams(text: str) -> list[str]:
    t = re.sub(r"[\W_]+", "", normalize(text))
    return [t[i : i + 2] for i in range(len(t) - 1)] or [t]


def surfaces(text: str) -> list[str]:
    return [
        w.surface for w in TAGGER(normalize(text)) if w.feature.pos1 not in ("補助記号", "空白")
    ]


def lemmas(text: str) -> list[str]:
    skip = ("助詞", "助動詞", "補助記号", "空白")
    return [
        (w.feature.lemma or w.surface).split("-")[0]
        for w in TAGGER(normalize(text))
        if w.feature.pos1 not in skip
    ]


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def hit_rank(quotes: list[str], gold: list[str]) -> int | None:
    return next(
        (r for r, q in enumerate(quotes, 1) if any(squash(g) in squash(q) for g in gold)), None
    )


def baseline(
    sentences: list[str], tokenize: Callable[[str], list[str]]
) -> Callable[[str], list[str]]:
    bm25 = BM25Okapi([tokenize(s) for s in sentences])

    def top(question: str) -> list[str]:
        scores = bm25.get_scores(tokenize(question))
        order = sorted(range(len(sentences)), key=lambda i: -scores[i])
        return [sentences[i] for i in order[:3]]

    return top


def main() -> None:
    sets = [Path(p) for p in sys.argv[1:]] or DEFAULT_SETS
    kb = KnowledgeBase.load(ROOT / "knowledge")
    sentences = [s for a in kb.library.articles for sec in a.sections for s in sec.sentences]
    sentences += [a.first_published for a in kb.library.articles if a.first_published]
    systems = {
        "bigram": baseline(sentences, char_bigrams),
        "surface": baseline(sentences, surfaces),
        "lemma": baseline(sentences, lemmas),
        "bot": lambda q: [p.quote for p in kb.ask(q).passages] if kb.ask(q).answered else [],
    }
    for path in sets:
        items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        items = [it for it in items if it["kind"] == "answerable"]
        print(f"{path.name}: {len(items)} answerable questions")
        for name, system in systems.items():
            ranks = [hit_rank(system(it["q"]), it["gold"]) for it in items]
            h1 = sum(r == 1 for r in ranks) / len(items)
            h3 = sum(r is not None for r in ranks) / len(items)
            print(f"  {name:8s} hit@1 {h1:.3f}  hit@3 {h3:.3f}")


if __name__ == "__main__":
    main()
