"""The answer engine on every question set the project has, with a plain baseline in the same run.

    python bench/answers.py [--json] [--sets seed-dev,jsquad,...]

One row per set and system: answerable hit@1 (answered, and the first quote holds the gold
answer) and hit@3, false refusals, metadata hit@1, unanswerable questions refused (out of scope,
hard negatives, and JSQuAD questions asked of the other half of its articles), mean quote length,
p50/p99 milliseconds per question. `jsquad-small-libraries` is one row over 84 libraries of 1, 3
and 9 JSQuAD articles, each asked its own questions and as many about articles it lacks. A hit is scored by `../shared/eval/qa_eval.py`'s own
`rank_of_hit`. The baseline is BM25 over character bigrams per sentence quoting the best sentence
with its neighbours up to 300 characters, as `../shared/eval/jsquad-valid/baseline.py
bm25s-bigram --window` does (it never refuses). docs/retrieval.md's tables come from this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import (  # noqa: E402
    SHARED,
    UNANSWERABLE,
    QuestionSet,
    all_sets,
    small_libraries,
)
from bot.articles import Library  # noqa: E402
from bot.knowledge_base import KnowledgeBase  # noqa: E402
from bot.search.bm25 import BM25  # noqa: E402
from bot.search.index import MAX_QUOTE_CHARS  # noqa: E402
from bot.search.units import Units  # noqa: E402
from bot.text.tokens import bigrams  # noqa: E402


def _qa_eval():
    spec = importlib.util.spec_from_file_location("qa_eval", SHARED / "qa_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


QA_EVAL = _qa_eval()


class Baseline:
    """BM25 on character bigrams per sentence; the best sentence with neighbours up to 300
    characters (at most 3 sentences), five passages, always answered."""

    def __init__(self, library: Library) -> None:
        self.units = Units.of(library)
        self.texts = list(self.units.texts())
        self.bm25 = BM25.build([bigrams(t) for t in self.texts])

    def ask(self, question: str) -> dict:
        scores = self.bm25.scores(bigrams(question))
        order = np.argsort(-scores, kind="stable")[:5]
        return {"answered": True, "passages": [{"quote": self._window(int(i))} for i in order]}

    def _window(self, doc: int) -> str:
        start = doc - int(self.units.sentence[doc])
        end = int(self.units.paragraph_end[doc])
        lo = hi = doc
        while hi - lo < 2:
            grown = False
            for j in (lo - 1, hi + 1):
                if start <= j <= end and hi - lo < 2:
                    a, b = min(lo, j), max(hi, j)
                    if sum(len(self.texts[k]) for k in range(a, b + 1)) <= MAX_QUOTE_CHARS:
                        lo, hi, grown = a, b, True
            if not grown:
                break
        return "".join(self.texts[lo : hi + 1])


def score(qset: QuestionSet, system: str, answers: list[dict], times: list[float]) -> dict:
    """The row of one system on one set."""
    rows: dict[str, list[tuple[bool, int | None, int]]] = {}
    for q, a in zip(qset.questions, answers, strict=True):
        passages = a.get("passages") or []
        rank = QA_EVAL.rank_of_hit(passages, q["gold"]) if q["gold"] else None
        quote = len(passages[0]["quote"]) if passages else 0
        rows.setdefault(q["kind"], []).append((bool(a.get("answered")), rank, quote))
    out: dict = {"set": qset.name, "system": system}
    answerable = rows.get("answerable", [])
    if answerable:
        n = len(answerable)
        out["answerable"] = n
        out["hit@1"] = round(sum(ok and r == 1 for ok, r, _ in answerable) / n, 3)
        out["hit@3"] = round(sum(r is not None and r <= 3 for _, r, _ in answerable) / n, 3)
        out["false_refusal"] = round(sum(not ok for ok, _, _ in answerable) / n, 3)
        out["mean_quote"] = round(sum(c for *_, c in answerable) / n, 1)
    if meta := rows.get("metadata"):
        out["metadata_hit@1"] = f"{sum(ok and r == 1 for ok, r, _ in meta)}/{len(meta)}"
    negatives = [row for kind in UNANSWERABLE for row in rows.get(kind, [])]
    if negatives:
        refused = sum(not ok for ok, _, _ in negatives)
        out["refused"] = f"{refused}/{len(negatives)}"
        out["refused_share"] = round(refused / len(negatives), 3)
    if times:
        ms = np.array(times) * 1000
        out["p50_ms"] = round(float(np.percentile(ms, 50)), 2)
        out["p99_ms"] = round(float(np.percentile(ms, 99)), 2)
    return out


def run(name: str, qsets: list[QuestionSet]) -> list[dict]:
    """The rows of the bot and the baseline over sets scored as one, each asked of its own
    library."""
    questions: list[dict] = []
    answers, times, plain = [], [], []
    for qset in qsets:
        with qset.library() as folder:
            kb = KnowledgeBase.load(folder, persist=False)
        for q in qset.questions:
            start = time.perf_counter()
            answer = kb.ask(q["q"])
            times.append(time.perf_counter() - start)
            answers.append(answer.to_json())
        baseline = Baseline(kb.library)
        plain += [baseline.ask(q["q"]) for q in qset.questions]
        questions += qset.questions
    merged = QuestionSet(name, questions, ())
    return [score(merged, "bot", answers, times), score(merged, "bigram BM25 + window", plain, [])]


COLUMNS = (
    "set",
    "system",
    "answerable",
    "hit@1",
    "hit@3",
    "false_refusal",
    "metadata_hit@1",
    "refused",
    "mean_quote",
    "p50_ms",
    "p99_ms",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="one JSON object per row")
    ap.add_argument("--sets", help="comma-separated set names (default: all)")
    args = ap.parse_args()
    sets = all_sets()
    groups = {s.name: [s] for s in sets}
    # Scored as one row: 84 libraries of 1, 3 and 9 JSQuAD articles.
    jsquad = next(s for s in sets if s.name == "jsquad")
    groups["jsquad-small-libraries"] = small_libraries(jsquad.questions)
    if args.sets:
        wanted = set(args.sets.split(","))
        unknown = wanted - set(groups)
        if unknown:
            ap.error(f"unknown sets {sorted(unknown)}; known: {list(groups)}")
        groups = {name: g for name, g in groups.items() if name in wanted}
    if not args.json:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
    for name, group in groups.items():
        for row in run(name, group):
            if args.json:
                print(json.dumps(row, ensure_ascii=False), flush=True)
            else:
                print("| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |", flush=True)


if __name__ == "__main__":
    main()
