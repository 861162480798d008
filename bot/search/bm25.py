"""Okapi BM25 over an inverted index, scoring only the postings of the query's terms.

The formula and IDF are rank-bm25's `BM25Okapi` to the letter (including its floor of negative
IDF at `epsilon * mean IDF`), so rank-bm25 stays the reference our tests compare against; but a
query costs time proportional to its terms' postings, not to the corpus size.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.5
B = 0.75
EPSILON = 0.25


@dataclass(frozen=True)
class Postings:
    """One query term's documents and its BM25 contribution to each of them."""

    term: str
    idf: float
    docs: np.ndarray
    contributions: np.ndarray


class BM25:
    """An immutable BM25 index: vocabulary, CSR postings (doc ids, term counts) and doc lengths."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        term_freqs: np.ndarray,
        doc_len: np.ndarray,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
    ) -> None:
        self.vocabulary = vocabulary
        self.indptr = indptr
        self.doc_ids = doc_ids
        self.term_freqs = term_freqs
        self.doc_len = doc_len
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.n_docs = len(doc_len)
        self.avgdl = float(doc_len.mean()) if self.n_docs else 0.0
        self.idf = self._idf(np.diff(indptr))
        # Per-document length factor, computed once instead of on every query.
        self._norm = (
            k1 * (1 - b + b * doc_len / self.avgdl) if self.avgdl else np.full(len(doc_len), k1)
        )

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], **params: float) -> BM25:
        vocabulary: dict[str, int] = {}
        rows: list[tuple[int, int, int]] = []  # (term id, doc id, tf)
        lengths: list[int] = []
        for doc_id, doc in enumerate(docs):
            lengths.append(len(doc))
            for term, tf in Counter(doc).items():
                rows.append((vocabulary.setdefault(term, len(vocabulary)), doc_id, tf))
        arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
        arr = arr[np.lexsort((arr[:, 1], arr[:, 0]))]
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.add.at(indptr, arr[:, 0] + 1, 1)
        return cls(
            vocabulary,
            np.cumsum(indptr),
            arr[:, 1].astype(np.int32),
            arr[:, 2].astype(np.float64),
            np.array(lengths, dtype=np.float64),
            **params,
        )

    def _idf(self, df: np.ndarray) -> np.ndarray:
        n = self.n_docs
        idf = np.log(n - df + 0.5) - np.log(df + 0.5)
        if len(idf):
            idf[idf < 0] = self.epsilon * idf.mean()
        return idf

    def idf_of(self, term: str) -> float:
        """IDF of a term; an unseen term gets the IDF it would have with a document frequency of 0."""
        tid = self.vocabulary.get(term)
        if tid is None:
            return math.log(self.n_docs + 0.5) - math.log(0.5) if self.n_docs else 0.0
        return float(self.idf[tid])

    def max_contribution(self, term: str) -> float:
        """The most one occurrence-rich, short document can get from a term: idf * (k1 + 1)."""
        return self.idf_of(term) * (self.k1 + 1)

    def postings(self, term: str) -> Postings | None:
        tid = self.vocabulary.get(term)
        if tid is None:
            return None
        lo, hi = self.indptr[tid], self.indptr[tid + 1]
        docs = self.doc_ids[lo:hi]
        tf = self.term_freqs[lo:hi]
        idf = float(self.idf[tid])
        contrib = idf * tf * (self.k1 + 1) / (tf + self._norm[docs])
        return Postings(term, idf, docs, contrib)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every document, as rank-bm25's `get_scores` (repeated query terms count again)."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        for term in query:
            p = self.postings(term)
            if p is not None:
                out[p.docs] += p.contributions
        return out

    def top_k(self, query: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best (doc ids, scores), best first, among documents that match any term."""
        scores = self.scores(query)
        k = min(k, self.n_docs)
        if k <= 0:
            return np.array([], dtype=np.int64), np.array([])
        # Ties at the cut are broken by lower id, as a stable sort would; argpartition alone
        # picks arbitrarily among them.
        threshold = -np.partition(-scores, k - 1)[k - 1]
        above = np.flatnonzero(scores > threshold)
        ties = np.flatnonzero(scores == threshold)[: k - len(above)]
        idx = np.concatenate([above, ties])
        idx = idx[np.lexsort((idx, -scores[idx]))]
        return idx, scores[idx]
