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
# Below this many postings in all, a query adds every term's (no pruning to pay for).
PRUNE_MIN_POSTINGS = 50_000
# A pruned term is added to the whole score array when it has at most this many postings per
# pooled document, else looked up at the pooled ones (a binary search each).
LOOKUP_RATIO = 8
# Relative margin on the pruning bounds, for rounding in sums added in another order.
SLACK = 1e-9
# Sample size when narrowing a large array down to its k largest values (see `kth_largest`).
SELECT_SAMPLE = 1024


@dataclass(frozen=True)
class Postings:
    """One query term's documents (ascending) and its BM25 contribution to each of them."""

    term: str
    idf: float
    docs: np.ndarray
    contributions: np.ndarray
    impact: float  # the largest contribution: what the term can give one document at most


class BM25:
    """An immutable BM25 index: vocabulary, CSR postings with each one's contribution, lengths."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        contributions: np.ndarray,
        doc_len: np.ndarray,
        impacts: np.ndarray,
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
        self.impacts = impacts
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
        return cls(
            vocabulary, indptr, doc_ids, out, doc_len, impacts(indptr, out), k1, b, epsilon, min_idf
        )

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
        return Postings(
            term,
            float(self.idf[tid]),
            self.doc_ids[lo:hi],
            self.contributions[lo:hi],
            float(self.impacts[tid]),
        )

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every document, as rank-bm25's `get_scores` (repeated query terms count again)."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        for term in query:
            p = self.postings(term)
            if p is not None:
                out[p.docs] += p.contributions
        return out

    def top_k(self, query: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best (doc ids, scores), best first, ties by lower id, as a stable full sort gives.

        Pruned (`maxscore_pool`) when the postings are many and no IDF is negative: the same
        documents, their scores summed in another order."""
        found = [p for p in map(self.postings, query) if p is not None]
        terms = [Weighted(p.docs, p.contributions, 1.0, p.impact) for p in found]
        if k > 0 and (pooled := maxscore_pool(terms, self.n_docs, k)) is not None:
            pool, values = pooled
            order = best_k(pool, values, k)
            return order, values[np.searchsorted(pool, order)]
        scores = self.scores(query)
        idx = select_top(scores, k)
        return idx, scores[idx]


def impacts(indptr: np.ndarray, contributions: np.ndarray) -> np.ndarray:
    """Each term's largest contribution (0.0 for a term without postings): the bound that lets
    a query skip what a term could never change (`bot.search.index`)."""
    out = np.zeros(len(indptr) - 1, dtype=contributions.dtype)
    starts = indptr[:-1]
    present = np.flatnonzero(np.diff(indptr) > 0)
    if len(present):
        out[present] = np.maximum.reduceat(contributions, starts[present])
    return out


@dataclass(frozen=True)
class Weighted:
    """A query term's postings times `factor` (its count, field weight, scale: >= 0)."""

    docs: np.ndarray
    contributions: np.ndarray
    factor: float
    impact: float

    @property
    def bound(self) -> float:
        return self.impact * self.factor

    def add_to(self, scores: np.ndarray) -> None:
        # A term's postings name each document once, so plain fancy-index addition is exact.
        scores[self.docs] += self.contributions * self.factor

    def at(self, docs: np.ndarray) -> np.ndarray:
        """The weighted contribution to each of `docs` (sorted), 0.0 where the term is absent."""
        pos = np.minimum(positions(self.docs, docs), len(self.docs) - 1)
        return np.where(self.docs[pos] == docs, self.contributions[pos] * self.factor, 0.0)


def positions(docs: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """`np.searchsorted(docs, needles)`, with the needles in the postings' own integer type:
    given int64 needles, numpy first converts all of an int32 postings array (300,000 entries
    for a common term) to int64, which made one lookup cost 25 times its search."""
    return np.searchsorted(docs, np.asarray(needles).astype(docs.dtype, copy=False))


def maxscore_pool(
    terms: Sequence[Weighted], n_docs: int, k: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Documents (ascending) that hold every one whose full score reaches the k-th best, with
    their full scores. None when pruning would not pay (fewer than `PRUNE_MIN_POSTINGS`) or
    not be exact (a negative contribution or factor), or when fewer than k documents score
    above zero (then every document competes): the caller then adds every term's postings.

    MaxScore (Turtle & Flood 1995): terms are added strongest first, by the most any one
    document can get from each. Partial sums only grow, so the k-th best partial score is a
    floor for the k-th best full score. Once the terms left could not lift an untouched
    document to that floor together, only touched documents that could still reach it stay in
    the pool; each further term is added to those (by binary search when its postings are many
    times the pool: 「した」 is in 300,000 sentences), and the pool shrinks as the floor rises
    and the terms left can add less. Scores are those of adding every term, in another order.
    """
    if sum(len(t.docs) for t in terms) < PRUNE_MIN_POSTINGS or any(
        t.impact < 0 or t.factor < 0
        for t in terms  # a term's contributions share its sign
    ):
        return None
    order = sorted(terms, key=lambda t: -t.bound)
    # What the terms from position i of `order` on can add at most (slack for rounding).
    suffix = np.cumsum([t.bound for t in reversed(order)])[::-1].tolist()
    left = [b * (1 + SLACK) for b in [*suffix, 0.0]]
    scores = np.zeros(n_docs, dtype=np.float64)
    seen = np.zeros(n_docs, dtype=bool)
    # The touched documents that may be among the k best partial scores: every other touched
    # one scored below the k-th best when last looked at, and has not changed since (it was
    # not in a term added since), so the k-th best of the leaders and the latest term's
    # documents is the k-th best of all touched ones.
    leading = np.zeros(n_docs, dtype=bool)
    leaders = np.zeros(0, dtype=np.int64)
    floor = 0.0
    i = 0
    while i < len(order) and floor <= left[i]:
        t = order[i]
        t.add_to(scores)
        seen[t.docs] = True
        group = np.concatenate([leaders, t.docs[~leading[t.docs]]])
        leading[leaders] = False
        if len(group) >= k:
            values = scores[group]
            best = kth_largest(values, k)
            leaders = group[values >= best]
            floor = max(floor, best * (1 - SLACK))
        else:
            leaders = group
        leading[leaders] = True
        i += 1
    if floor <= 0:
        return None
    cut = floor - left[i]
    pool = np.flatnonzero(scores >= cut) if cut > 0 else np.flatnonzero(seen)
    values = scores[pool]
    extra = np.zeros(len(pool))  # what terms looked up by binary search added
    for j in range(i, len(order)):
        t = order[j]
        if len(t.docs) <= LOOKUP_RATIO * len(pool):
            t.add_to(scores)
        else:
            extra += t.at(pool)
        values = scores[pool] + extra
        floor = max(floor, kth_largest(values, k) * (1 - SLACK))
        keep = values >= floor - left[j + 1]
        pool, extra, values = pool[keep], extra[keep], values[keep]
    return pool, values


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
