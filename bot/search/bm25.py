"""Okapi BM25 over an inverted index, scoring only the postings of the query's terms.

The formula and IDF are rank-bm25's `BM25Okapi` to the letter (including its floor of negative
IDF at `epsilon * mean IDF`), so rank-bm25 stays the reference our tests compare against; but a
query costs time proportional to its terms' postings, not to the corpus size. Each posting's
contribution (idf × the saturated, length-normalised term frequency) is computed once when the
index is built or loaded, so a query only gathers and adds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

K1 = 1.5
B = 0.75
EPSILON = 0.25
# Tokens sorted into postings, and postings turned into contributions, this many at a time:
# it bounds the temporary arrays of a large field to tens of megabytes.
BLOCK = 1 << 21
# How each posting's contribution is stored. Computed in float64 and rounded once: float32 keeps
# 7 significant digits, far finer than any two BM25 scores worth telling apart differ, halves the
# largest arrays of the index (and the pages a question reads), and the top 10 stay rank-bm25's
# (`bench/run.py` checks, with the float64 sums rank-bm25 makes).
CONTRIBUTION = np.float32
# Sample size when narrowing a large array down to its k largest values (see `kth_largest`).
SELECT_SAMPLE = 1024


@dataclass(frozen=True)
class Postings:
    """One query term's documents (ascending) and its BM25 contribution to each of them."""

    term: str
    idf: float
    docs: np.ndarray
    contributions: np.ndarray


class BM25:
    """An immutable BM25 index: vocabulary, CSR postings with each one's contribution, lengths."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        contributions: np.ndarray,
        doc_len: np.ndarray,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
        min_idf: float | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.indptr = indptr
        self.doc_ids = doc_ids
        self.contributions = contributions
        self.doc_len = doc_len
        self.k1, self.b, self.epsilon, self.min_idf = k1, b, epsilon, min_idf
        self.n_docs = len(doc_len)
        self.idf = okapi_idf(np.diff(indptr), self.n_docs, epsilon, min_idf)

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], **params: float) -> BM25:
        """Index token lists; term ids follow first appearance, as rank-bm25's dicts do."""
        vocabulary: dict[str, int] = {}
        ids: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            lengths.append(len(doc))
            ids.extend(vocabulary.setdefault(term, len(vocabulary)) for term in doc)
        return cls.from_token_ids(
            vocabulary, np.array(ids, dtype=np.int64), np.array(lengths, dtype=np.int64), **params
        )

    @classmethod
    def from_token_ids(
        cls,
        vocabulary: dict[str, int],
        token_ids: np.ndarray,
        doc_lengths: np.ndarray,
        **params: float,
    ) -> BM25:
        """Index documents given as one array of term ids, cut into documents by their lengths.

        Postings are made a range of terms at a time (about `BLOCK` tokens each), so that the
        int64 sort keys of a 15-million-token field never all exist at once.
        """
        n_docs, n_terms = max(len(doc_lengths), 1), len(vocabulary)
        doc_of = np.repeat(np.arange(len(doc_lengths), dtype=np.int32), doc_lengths)
        df = np.zeros(n_terms, dtype=np.int64)
        doc_parts: list[np.ndarray] = []
        tf_parts: list[np.ndarray] = []
        for lo, hi in _term_ranges(np.bincount(token_ids, minlength=n_terms)):
            inside = (token_ids >= lo) & (token_ids < hi)
            # One key per token, term-major: sorted, a run of equal keys is one posting and its
            # length the term frequency.
            keys = token_ids[inside].astype(np.int64) * n_docs + doc_of[inside]
            keys.sort()
            first = np.flatnonzero(np.diff(keys, prepend=-1))
            tf_parts.append(np.diff(first, append=len(keys)).astype(np.uint32))
            keys = keys[first]
            doc_parts.append((keys % n_docs).astype(np.int32))
            df[lo:hi] = np.bincount(keys // n_docs - lo, minlength=hi - lo)
        indptr = np.concatenate([[0], np.cumsum(df)])
        doc_ids = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=np.int32)
        top = max((int(t.max()) for t in tf_parts if len(t)), default=0)
        tf_dtype = np.min_scalar_type(top)
        term_freqs = np.concatenate(
            [t.astype(tf_dtype) for t in tf_parts] or [np.zeros(0, tf_dtype)]
        )
        del doc_of, doc_parts, tf_parts  # 150 MB at 15 million tokens, not needed any more
        doc_len = np.asarray(doc_lengths, dtype=np.float64)
        return cls.from_counts(vocabulary, indptr, doc_ids, term_freqs, doc_len, **params)

    @classmethod
    def from_counts(
        cls,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        term_freqs: np.ndarray,
        doc_len: np.ndarray,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
        min_idf: float | None = None,
    ) -> BM25:
        """Index CSR postings with their term counts, computing each posting's contribution."""
        idf = okapi_idf(np.diff(indptr), len(doc_len), epsilon, min_idf)
        avgdl = float(doc_len.mean()) if len(doc_len) else 0.0
        # Per-document length factor, then idf * tf * (k1 + 1) / (tf + norm) per posting.
        norm = k1 * (1 - b + b * doc_len / avgdl) if avgdl else np.full(len(doc_len), k1)
        out = np.empty(len(doc_ids), dtype=CONTRIBUTION)
        for lo in range(0, len(out), BLOCK):
            hi = min(lo + BLOCK, len(out))
            # The terms whose postings overlap [lo, hi), and how many of each fall inside.
            first = int(np.searchsorted(indptr, lo, side="right")) - 1
            last = int(np.searchsorted(indptr, hi - 1, side="right")) - 1
            inside = np.minimum(indptr[first + 1 : last + 2], hi) - np.maximum(
                indptr[first : last + 1], lo
            )
            tf = term_freqs[lo:hi].astype(np.float64)
            term_idf = np.repeat(idf[first : last + 1], inside)
            out[lo:hi] = term_idf * tf * (k1 + 1) / (tf + norm[doc_ids[lo:hi]])
        return cls(vocabulary, indptr, doc_ids, out, doc_len, k1, b, epsilon, min_idf)

    def document_frequency(self, term: str) -> int:
        """How many documents hold the term (0 for an unseen one)."""
        tid = self.vocabulary.get(term)
        return 0 if tid is None else int(self.indptr[tid + 1] - self.indptr[tid])

    def idf_of(self, term: str) -> float:
        """IDF of a term; an unseen term gets the IDF it would have with a document frequency of 0."""
        tid = self.vocabulary.get(term)
        return self.unseen_idf if tid is None else float(self.idf[tid])

    @property
    def unseen_idf(self) -> float:
        """The highest IDF there is: a term's with a document frequency of 0."""
        return math.log(self.n_docs + 0.5) - math.log(0.5) if self.n_docs else 0.0

    def max_contribution(self, term: str) -> float:
        """The most one occurrence-rich, short document can get from a term: idf * (k1 + 1)."""
        return self.idf_of(term) * (self.k1 + 1)

    def postings(self, term: str) -> Postings | None:
        """The term's postings as views into the index (no copy)."""
        tid = self.vocabulary.get(term)
        if tid is None:
            return None
        lo, hi = self.indptr[tid], self.indptr[tid + 1]
        return Postings(term, float(self.idf[tid]), self.doc_ids[lo:hi], self.contributions[lo:hi])

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every document, as rank-bm25's `get_scores` (repeated query terms count again)."""
        found = [p for p in map(self.postings, query) if p is not None]
        return accumulate(self.n_docs, [p.docs for p in found], [p.contributions for p in found])

    def top_k(self, query: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best (doc ids, scores), best first, ties by lower id, as a stable full sort gives."""
        scores = self.scores(query)
        idx = select_top(scores, k)
        return idx, scores[idx]


def positions(docs: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """`np.searchsorted(docs, needles)`, with the needles in the postings' own integer type:
    given int64 needles, numpy first converts all of an int32 postings array (300,000 entries
    for a common term) to int64, which made one lookup cost 25 times its search."""
    return docs.searchsorted(np.asarray(needles).astype(docs.dtype, copy=False))


def accumulate(n_docs: int, docs: list[np.ndarray], values: list[np.ndarray]) -> np.ndarray:
    """Every document's sum of `values` over the postings `docs` (float64; 0 where none).

    One `np.bincount` over all the query's postings: the same sums, added in the same order
    per document, as adding each term's with fancy indexing, in half the time (no conversion
    of every term's int32 ids to int64, one pass instead of a gather, an add and a scatter).
    """
    if not docs:
        return np.zeros(n_docs, dtype=np.float64)
    return np.bincount(np.concatenate(docs), np.concatenate(values), minlength=n_docs)


def select_top(scores: np.ndarray, k: int) -> np.ndarray:
    """The ids of the k best scores, best first, ties by lower id.

    Unmatched documents score 0, so with k positive scores the best k are all among them and
    only those are looked at (a typical question touches a few percent of the sentences);
    otherwise (few matches, or negative IDFs) every document competes.
    """
    k = min(k, len(scores))
    if k <= 0:
        return np.array([], dtype=np.int64)
    positive = np.flatnonzero(scores > 0)
    pool = positive if len(positive) >= k else np.arange(len(scores))
    return best_k(pool, scores[pool], k)


def best_k(ids: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """The k ids of highest value, best first; ties broken by lower id (`ids` ascending)."""
    if len(ids) > k:
        threshold = kth_largest(values, k)
        above = values > threshold
        ties = np.flatnonzero(values == threshold)[: k - int(above.sum())]
        keep = np.concatenate([np.flatnonzero(above), ties])
        ids, values = ids[keep], values[keep]
    order = np.lexsort((ids, -values))
    return ids[order]


def kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of `values` (1 <= k <= len), fast even when most values are equal.

    `np.partition` slows down fifteenfold on arrays where most values are equal (numpy 2.4:
    65 ms instead of 4 ms on 450,000 mostly-zero scores), which is what sentence scores look
    like. So large arrays are first narrowed: the k-th largest of an evenly spaced sample is a
    lower bound; if fewer than k values exceed it, it is the answer, else only those go on.
    """
    while len(values) > SELECT_SAMPLE * 4 and k <= SELECT_SAMPLE:
        sample = values[:: len(values) // SELECT_SAMPLE]
        bound = np.partition(sample, len(sample) - k)[len(sample) - k]
        above = values[values > bound]
        if len(above) < k:
            return float(bound)
        values = above
    return float(np.partition(values, len(values) - k)[len(values) - k])


def okapi_idf(
    df: np.ndarray, n_docs: int, epsilon: float, min_idf: float | None = None
) -> np.ndarray:
    """rank-bm25's BM25Okapi IDF: log((N - df + 0.5) / (df + 0.5)), negatives set to eps × mean."""
    idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
    if len(idf):
        idf[idf < 0] = epsilon * idf.mean()
    if min_idf is not None:
        # Not rank-bm25's: on a library of a few sentences, a word in most of them gets an IDF
        # of zero or below even after the epsilon floor (its mean is negative too), and could
        # never find its sentence (rank_bm25 issues 39, 43). None keeps rank-bm25's numbers.
        idf = np.maximum(idf, min_idf)
    return idf


def _term_ranges(tokens_per_term: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive term-id ranges of about `BLOCK` tokens each (one term may exceed it)."""
    cumulative = np.cumsum(tokens_per_term)
    total = int(cumulative[-1]) if len(cumulative) else 0
    cuts = np.searchsorted(cumulative, np.arange(BLOCK, total, BLOCK), side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [len(tokens_per_term)]])).tolist()
    return list(itertools.pairwise(bounds))
