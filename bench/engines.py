"""The scoring step alone, three ways: score the sentences for a query's lemmas, keep the top 10.

All three index the same documents (the lemma field of every sentence) and get the same query
tokens. rank-bm25's `BM25Okapi` is the reference for scores: a full scan in Python, every
document for every term. bm25s precomputes each posting's score in a sparse matrix (its
"robertson" method is Okapi's formula, but it clamps negative IDF to 0 instead of rank-bm25's
epsilon floor, so only its speed is compared); it is timed twice, as shipped (`retrieve`) and
as its scoring followed by exactly our selection (`bot.search.bm25.select_touched`), which is
the fair comparison of scoring: its own selection (`np.argpartition` over every document) is
what dominates at this size. Our selection ranks only the documents the query's postings name
when they are few; ours has them from scoring, and for bm25s they are read from its own index
(its `get_scores` does not return them), inside its timing. Ours is
`bot.search.bm25.BM25.top_k`: scoring, then that selection.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import bm25s
import numpy as np
from rank_bm25 import BM25Okapi

from bot.search.bm25 import BM25, K1, B, select_top, select_touched
from bot.search.fields import Encoded

TOP = 10


class Engines:
    """Ours, rank-bm25 and bm25s over the same tokenised documents."""

    def __init__(self, lemmas: Encoded) -> None:
        self.ours = BM25.from_token_ids(*lemmas.arrays())
        docs = np.split(lemmas.token_ids, np.cumsum(lemmas.lengths)[:-1])
        ids = [doc.tolist() for doc in docs]
        terms = list(lemmas.vocabulary)
        self.rank_bm25 = BM25Okapi([[terms[i] for i in doc] for doc in ids], k1=K1, b=B)
        self.bm25s = bm25s.BM25(k1=K1, b=B, method="robertson")
        self.bm25s.index((ids, dict(lemmas.vocabulary)), show_progress=False)
        self.vocabulary = lemmas.vocabulary

    def ours_top(self, tokens: Sequence[str]) -> np.ndarray:
        return self.ours.top_k(tokens, TOP)[0]

    def rank_bm25_top(self, tokens: Sequence[str]) -> np.ndarray:
        """rank-bm25's top 10, ties by lower id (as a stable sort orders them, and as ours
        promises)."""
        return select_top(np.asarray(self.rank_bm25.get_scores(tokens)), TOP)

    def bm25s_top(self, tokens: Sequence[str]) -> np.ndarray:
        """bm25s's own `retrieve`, as shipped (numpy backend)."""
        return self.bm25s.retrieve([self._ids(tokens)], k=TOP, show_progress=False).documents[0]

    def bm25s_scores_top(self, tokens: Sequence[str]) -> np.ndarray:
        """bm25s's scoring (`get_scores`) followed by exactly our selection, not its own."""
        ids = self._ids(tokens)
        if not ids:
            return select_top(np.zeros(self.ours.n_docs), TOP)
        scores = np.asarray(self.bm25s.get_scores(ids))
        matrix = self.bm25s.scores
        indptr, indices = matrix["indptr"], matrix["indices"]
        touched = np.concatenate([indices[indptr[t] : indptr[t + 1]] for t in ids])
        return select_touched(scores, touched, TOP, len(ids))

    def _ids(self, tokens: Sequence[str]) -> list[int]:
        return [self.vocabulary[t] for t in tokens if t in self.vocabulary]


def timings_ms(
    top: Callable[[Sequence[str]], np.ndarray], queries: list[list[str]]
) -> tuple[list[float], list[list[int]]]:
    """Milliseconds per query, after one untimed call (first-use allocations), and each query's
    top 10 (so that rank-bm25's slow scan runs once per query, for its time and its answer)."""
    top(queries[0])
    times, tops = [], []
    for tokens in queries:
        start = time.perf_counter()
        found = top(tokens)
        times.append((time.perf_counter() - start) * 1000)
        tops.append(np.asarray(found).tolist())
    return times, tops
