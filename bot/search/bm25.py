"""Okapi BM25 over an inverted index, scoring only the postings of the query's terms.

The formula and IDF are rank-bm25's `BM25Okapi` to the letter (including its floor of negative
IDF at `epsilon * mean IDF`), so rank-bm25 stays the reference our tests compare against; but a
query costs time proportional to its terms' postings, not to the corpus size.

Each posting stores its contribution (idf × the saturated, length-normalised term frequency),
computed once when the index is built or loaded, so a question only gathers and adds; as
float32, which keeps 7 significant digits, far finer than any two BM25 scores worth telling
apart differ (the top 10 stay rank-bm25's: `bench/run.py` checks).

Beside it, each posting's small code names its (term frequency, document length) pair, with one
table of the distinct pairs per field (a few thousand). The codes never change with the
collection's statistics (document count, document frequencies, average length), and the
contributions follow from them, the IDFs and the table in one pass: that is what lets
`bot.search.update` add or remove an article without analysing the others again.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.search import heap
from bot.search.paging import FileArray

K1 = 1.5
B = 0.75
EPSILON = 0.25
# Tokens sorted into postings, and postings coded, this many at a time: it bounds the temporary
# arrays of a large field to tens of megabytes.
BLOCK = 1 << 21
CONTRIBUTION = np.float32
# Postings of more than this share of the documents make a query term common: `BM25.top_k`
# first looks for the best documents among the other terms' (`BM25._top_among_rare`). This
# share, and the pool size below, were the quickest pair on 500 JSQuAD questions at 10,000
# real-text articles (shares 1/64, 1/128, 1/256; pools 1, 2, 4, 8, 16, 64).
COMMON_POSTINGS = 1 / 64
# How many times k (per rare term) of the best partial sums get their exact score there: more
# candidates cost more than the questions they save from the full sum.
RARE_POOL = 2
# Sample size when narrowing a large array down to its k largest values (see `kth_largest`).
SELECT_SAMPLE = 1024
# Pairs (tf, dl) are coded through a dense lookup table when tf × dl spans fewer than this many
# values (always, for sentences), else by sorting the distinct ones.
DENSE_PAIRS = 1 << 22


@dataclass(frozen=True)
class Postings:
    """One query term's documents (ascending) and its BM25 contribution to each of them."""

    term: str
    idf: float
    docs: np.ndarray
    contributions: np.ndarray

    def at(self, units: np.ndarray) -> np.ndarray:
        """The contribution to each of `units` (sorted ids), 0 where the term is absent, as
        stored (float32). Three numpy calls and a mask (`take` clipping positions past the end):
        a long question looks up over a hundred terms, and each call's overhead counts."""
        if not len(self.docs):
            return np.zeros(len(units), dtype=self.contributions.dtype)
        pos = positions(self.docs, units)
        values = self.contributions.take(pos, mode="clip")
        values[self.docs.take(pos, mode="clip") != units] = 0
        return values


class BM25:
    """An immutable BM25 index: vocabulary, CSR postings with (tf, dl) codes, document lengths."""

    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        codes: np.ndarray,
        pairs: np.ndarray,
        doc_len: np.ndarray,
        contributions: np.ndarray | None = None,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
        min_idf: float | None = None,
    ) -> None:
        """`contributions`: as stored with the rest; computed from the codes when None."""
        self.vocabulary = vocabulary
        self.indptr = indptr
        self.doc_ids = doc_ids
        self.codes = codes
        self.pairs = pairs  # code -> (tf, dl), int32 × 2
        self.doc_len = doc_len
        self.k1, self.b, self.epsilon, self.min_idf = k1, b, epsilon, min_idf
        self.n_docs = len(doc_len)
        self.idf = okapi_idf(np.diff(indptr), self.n_docs, epsilon, min_idf)
        # rank-bm25's average length: the exact token count over the document count.
        self.avgdl = int(doc_len.sum(dtype=np.int64)) / self.n_docs if self.n_docs else 0.0
        self.weights = saturation(pairs, self.avgdl, k1, b)
        if contributions is None:
            contributions = np.empty(len(doc_ids), dtype=CONTRIBUTION)
            contributions_of(indptr, codes, self.idf, self.weights, contributions)
        self.contributions = contributions
        self.files: tuple[FileArray, FileArray] | None = None
        self._tally = Tally(self.n_docs)
        self._largest_of: dict[str, float] = {}

    def read_from(self, doc_ids: FileArray, contributions: FileArray) -> None:
        """Read postings by offset from the stored files `doc_ids` and `contributions` are
        mapped from, rather than through the map, where `postings` is asked to."""
        self.files = (doc_ids, contributions)

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], **params: float) -> BM25:
        """Index token lists; term ids follow first appearance, as rank-bm25's dicts do (a
        stored index numbers them by frequency instead: `Encoded.by_frequency`)."""
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
        indptr, doc_ids, term_freqs = postings_of(len(vocabulary), token_ids, doc_lengths)
        return cls.from_postings(vocabulary, indptr, doc_ids, term_freqs, doc_lengths, **params)

    @classmethod
    def from_postings(
        cls,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        doc_ids: np.ndarray,
        term_freqs: np.ndarray,
        doc_lengths: np.ndarray,
        **params: float,
    ) -> BM25:
        """Index CSR postings with their term frequencies (`postings_of`'s), so that a build can
        let the token ids go first (`bot.search.parts`)."""
        doc_len = np.asarray(doc_lengths, dtype=np.int32)
        codes, pairs = pair_codes(term_freqs, doc_ids, doc_len)
        del term_freqs
        return cls(vocabulary, indptr, doc_ids, codes, pairs, doc_len, None, **params)

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

    def postings(self, term: str, read_up_to: int = 0) -> Postings | None:
        """The term's postings: views into the index, or, for a stored index and at most
        `read_up_to` postings, read from its files into arrays of their own (a question that
        reads them all keeps no mapped pages for them: `bot.search.paging`)."""
        tid = self.vocabulary.get(term)
        if tid is None:
            return None
        lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
        if self.files is not None and hi - lo <= read_up_to:
            docs, values = (f.read(lo, hi) for f in self.files)
        else:
            docs, values = self.doc_ids[lo:hi], self.contributions[lo:hi]
        return Postings(term, float(self.idf[tid]), docs, values)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every document, as rank-bm25's `get_scores` (repeated query terms count again)."""
        found = [p for p in map(self.postings, query) if p is not None]
        return accumulate(self.n_docs, [p.docs for p in found], [p.contributions for p in found])

    def top_k(self, query: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k best (doc ids, scores), best first, ties by lower id, as a stable full sort gives.

        The same sums as `scores`, but added into a reused array of zeros and cleared again, and
        the best looked for among the documents the postings name, not among all of them: a
        typical question's terms reach a few percent of the sentences, and making, then
        scanning, an array of every sentence's score was most of the time. Most questions are
        answered sooner still, among their rare terms' documents (`_top_among_rare`).
        """
        found = [p for p in map(self.postings, query) if p is not None]
        if (top := self._top_among_rare(found, k)) is not None:
            return top
        with self._tally.summed([p.docs for p in found], [p.contributions for p in found]) as (
            scores,
            ids,
        ):
            idx = select_touched(scores, ids, k, len(found))
            return idx, scores[idx]

    def _top_among_rare(
        self, found: list[Postings], k: int
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The k best when they are provably among the documents of the question's rare terms
        (postings of at most `COMMON_POSTINGS` of the documents); None when they are not.

        A median question's 48,000 postings at 10,000 articles are mostly its one or two common
        words', which cannot lift a document far: at most their largest contributions
        together. So the rare terms' postings are summed alone, the documents with the best of
        those partial sums get their exact scores (every term's contribution looked up for
        them alone, in query order, so the sums are `scores`' to the bit), and if the k-th of
        those beats what any other document could reach (its partial sum at most the best one
        left out, plus every common term's largest contribution), they are the k best. This is
        MaxScore's bound (Turtle and Flood, 1995), over whole postings.
        """
        limit = self.n_docs * COMMON_POSTINGS
        rare = [p for p in found if len(p.docs) <= limit]
        common = [p for p in found if len(p.docs) > limit]
        if k <= 0 or not rare or not common or any(p.idf < 0 for p in found):
            return None
        with self._tally.summed([p.docs for p in rare], [p.contributions for p in rare]) as (
            partial,
            ids,
        ):
            if not len(ids):
                return None
            values = partial[ids]
            floor = kth_largest(values, min(RARE_POOL * k * len(rare), len(values)))
            pool = np.unique(ids[values >= floor])
            below = values[values < floor]
            rest = float(below.max()) if len(below) else 0.0
        if len(pool) < k:
            return None
        exact = np.zeros(len(pool), dtype=np.float64)
        for p in found:
            exact += p.at(pool)  # adding 0.0 where absent leaves a sum as it was, to the bit
        idx = best_k(pool, exact, k)
        scores = exact[np.searchsorted(pool, idx)]
        reachable = rest + sum(self._largest(p) for p in common)
        if scores[-1] <= reachable * (1 + 1e-6):  # the margin covers float rounding
            return None
        return idx, scores

    def _largest(self, p: Postings) -> float:
        """A common term's largest contribution, found once (its postings are read anyway)."""
        if (found := self._largest_of.get(p.term)) is None:
            found = self._largest_of[p.term] = float(p.contributions.max())
        return found


def postings_of(
    n_terms: int, token_ids: np.ndarray, doc_lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR postings (indptr, doc ids ascending per term, term frequencies) of documents given
    as one array of term ids cut by their lengths, a range of terms at a time.

    Built for the peak memory of a large field (30 million tokens): each range's tokens are
    found with two reused masks, and their documents by a binary search over the documents'
    first tokens rather than from a token-to-document array (120 MB at that size); term
    frequencies are kept as uint16 where they fit.
    """
    n_docs = max(len(doc_lengths), 1)
    starts = np.cumsum(doc_lengths) - doc_lengths  # each document's first token
    df = np.zeros(n_terms, dtype=np.int64)
    # Written in place a range at a time rather than kept in parts and joined at the end (both
    # at once, at the build's peak): a token makes at most one posting, and the pages past the
    # last posting written are never touched, so never resident.
    doc_ids = np.empty(len(token_ids), dtype=np.int32)
    n_postings = 0
    term_freqs = np.empty(len(token_ids), dtype=np.uint8)  # widened if a count passes 255
    inside = np.empty(len(token_ids), dtype=bool)
    below = np.empty(len(token_ids), dtype=bool)
    for lo, hi in _term_ranges(token_counts(token_ids, n_terms)):
        np.greater_equal(token_ids, lo, out=inside)
        np.less(token_ids, hi, out=below)
        np.logical_and(inside, below, out=inside)
        at = np.flatnonzero(inside)
        # One key per token, term-major: sorted, a run of equal keys is one posting and its
        # length the term frequency.
        keys = token_ids[at].astype(np.int64) * n_docs
        keys += np.searchsorted(starts, at, side="right") - 1
        del at
        keys.sort()
        first = np.flatnonzero(np.diff(keys, prepend=-1))
        tf = np.diff(first, append=len(keys))
        if int(tf.max(initial=0)) > np.iinfo(term_freqs.dtype).max:
            wider = np.empty(len(token_ids), dtype=np.min_scalar_type(int(tf.max())))
            wider[:n_postings] = term_freqs[:n_postings]  # not the unwritten rest
            term_freqs = wider
        keys = keys[first]
        doc_ids[n_postings : n_postings + len(keys)] = keys % n_docs
        term_freqs[n_postings : n_postings + len(keys)] = tf
        n_postings += len(keys)
        df[lo:hi] = np.bincount(keys // n_docs - lo, minlength=hi - lo)
        del keys, first, tf
        heap.trim()  # this range's temporaries, freed between long-lived postings (10-50 MB)
    del inside, below
    indptr = np.concatenate([[0], np.cumsum(df)])
    doc_ids = doc_ids[:n_postings]
    term_freqs = term_freqs[:n_postings]
    return indptr, doc_ids, term_freqs


def pair_codes(
    term_freqs: np.ndarray,
    doc_ids: np.ndarray,
    doc_len: np.ndarray,
    known: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's code and the table of distinct (tf, dl) pairs (`known` first, in its
    order, so that codes already stored keep their meaning: see `bot.search.update`).

    Codes are uint16 while there are fewer than 65,536 distinct pairs (tens of thousands of
    sentences have a few thousand), uint32 beyond.
    """
    known = np.zeros((0, 2), dtype=np.int32) if known is None else known
    width = int(max(doc_len.max(initial=0), known[:, 1].max(initial=0))) + 1
    top = int(max(term_freqs.max(initial=0), known[:, 0].max(initial=0))) + 1

    def keys(lo: int, hi: int) -> np.ndarray:
        return term_freqs[lo:hi].astype(np.int64) * width + doc_len[doc_ids[lo:hi]]

    old = known[:, 0].astype(np.int64) * width + known[:, 1]
    blocks = [(lo, min(lo + BLOCK, len(doc_ids))) for lo in range(0, len(doc_ids), BLOCK)]
    if top * width <= DENSE_PAIRS:
        seen = np.zeros(top * width, dtype=bool)
        for lo, hi in blocks:
            seen[keys(lo, hi)] = True
        seen[old] = False
        distinct = np.concatenate([old, np.flatnonzero(seen)])
    else:
        found = [np.unique(keys(lo, hi)) for lo, hi in blocks]
        fresh = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
        distinct = np.concatenate([old, np.setdiff1d(fresh, old, assume_unique=True)])
    dtype = np.uint16 if len(distinct) <= 1 << 16 else np.uint32
    order = np.argsort(distinct, kind="stable")
    codes = np.empty(len(doc_ids), dtype=dtype)
    for lo, hi in blocks:
        codes[lo:hi] = order[np.searchsorted(distinct, keys(lo, hi), sorter=order)]
    pairs = np.stack([distinct // width, distinct % width], axis=1).astype(np.int32)
    return codes, pairs


def contributions_of(
    indptr: np.ndarray, codes: np.ndarray, idf: np.ndarray, weights: np.ndarray, out: np.ndarray
) -> None:
    """Each posting's idf × weight[code] into `out`, a block of postings at a time (`out` may
    be a memory-mapped file)."""
    for lo in range(0, len(out), BLOCK):
        hi = min(lo + BLOCK, len(out))
        out[lo:hi] = term_values(indptr, idf, lo, hi) * weights[codes[lo:hi]]


def term_values(indptr: np.ndarray, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """For postings lo to hi (of CSR postings `indptr`), the value of each one's term."""
    # The terms whose postings overlap [lo, hi), and how many of each fall inside.
    first = int(np.searchsorted(indptr, lo, side="right")) - 1
    last = int(np.searchsorted(indptr, hi - 1, side="right")) - 1
    inside = np.minimum(indptr[first + 1 : last + 2], hi) - np.maximum(indptr[first : last + 1], lo)
    return np.repeat(values[first : last + 1], inside)


def saturation(pairs: np.ndarray, avgdl: float, k1: float = K1, b: float = B) -> np.ndarray:
    """Each (tf, dl) pair's idf-free BM25 weight, with rank-bm25's operations in its order."""
    tf = pairs[:, 0].astype(np.float64)
    dl = pairs[:, 1].astype(np.float64)
    if not avgdl:
        return tf * (k1 + 1) / (tf + k1)
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


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
    The postings are gathered straight into the index and weight types bincount works in
    (int64, float64), so that it does not convert them again: over 400 JSQuAD questions at
    10,000 real-text articles the scoring step's p99 went from 4.5 to 1.7-2.4 ms.
    """
    if not docs:
        return np.zeros(n_docs, dtype=np.float64)
    total = sum(map(len, docs))
    ids = np.concatenate(docs, out=np.empty(total, dtype=np.intp))
    weights = np.concatenate(values, out=np.empty(total, dtype=np.float64))
    return np.bincount(ids, weights, minlength=n_docs)


class Tally:
    """Per-document sums over a query's postings in an array of zeros kept for the next query
    (one per thread), cleared where it was added to: no array of every document's score is
    made, or scanned, per query."""

    def __init__(self, n_docs: int) -> None:
        self.n_docs = n_docs
        self._local = threading.local()

    @contextlib.contextmanager
    def summed(
        self, docs: list[np.ndarray], values: list[np.ndarray]
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(every document's sum, the postings' documents), valid inside the block only. The
        sums are `accumulate`'s to the bit: float64, added in the same order per document."""
        sums = getattr(self._local, "sums", None)
        if sums is None:
            sums = self._local.sums = np.zeros(self.n_docs, dtype=np.float64)
        ids = _NO_IDS
        if docs:
            total = sum(map(len, docs))
            ids = np.concatenate(docs, out=np.empty(total, dtype=np.intp))
            weights = np.concatenate(values, out=np.empty(total, dtype=np.float64))
            np.add.at(sums, ids, weights)
        try:
            yield sums, ids
        finally:
            sums[ids] = 0.0


_NO_IDS = np.zeros(0, dtype=np.intp)


def select_touched(scores: np.ndarray, ids: np.ndarray, k: int, copies: int) -> np.ndarray:
    """`select_top(scores, k)`, looking only at the documents `ids` names (each at most
    `copies` times, as when it lists a query's postings) when that is enough.

    The k × copies-th largest score among the listed ones is at most the k-th largest among
    distinct documents, so every document of the best k scores at least that much; only
    those are ranked. With fewer than k positive scores every document competes, as there.
    """
    if len(ids) < len(scores) // 4:
        values = scores[ids]
        if len(values) >= k > 0:
            floor = kth_largest(values, min(k * max(copies, 1), len(values)))
            if floor > 0:
                pool = np.unique(ids[values >= floor])
                if len(pool) >= k:
                    return best_k(pool, scores[pool], k)
    return select_top(scores, k)


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
        # Summed one after another, as rank-bm25 adds them up (numpy's pairwise `mean` can
        # differ in the last bit).
        idf[idf < 0] = epsilon * (float(np.cumsum(idf)[-1]) / len(idf))
    if min_idf is not None:
        # Not rank-bm25's: on a library of a few sentences, a word in most of them gets an IDF
        # of zero or below even after the epsilon floor (its mean is negative too), and could
        # never find its sentence (rank_bm25 issues 39, 43). None keeps rank-bm25's numbers.
        idf = np.maximum(idf, min_idf)
    return idf


def token_counts(token_ids: np.ndarray, n_terms: int) -> np.ndarray:
    """How many tokens each term has, counted a block at a time: `np.bincount` copies the ids it
    is given to intp first (240 MB for the 30 million int32 bigram ids of 10,000 articles)."""
    counts = np.zeros(n_terms, dtype=np.int64)
    for lo in range(0, len(token_ids), BLOCK):
        counts += np.bincount(token_ids[lo : lo + BLOCK], minlength=n_terms)
    return counts


def _term_ranges(tokens_per_term: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive term-id ranges of about `BLOCK` tokens each (one term may exceed it)."""
    cumulative = np.cumsum(tokens_per_term)
    total = int(cumulative[-1]) if len(cumulative) else 0
    cuts = np.searchsorted(cumulative, np.arange(BLOCK, total, BLOCK), side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [len(tokens_per_term)]])).tolist()
    return list(itertools.pairwise(bounds))
