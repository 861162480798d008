"""Passage search: sentences are the indexed unit, windows of 1–3 of them are what we quote.

Why sentences: BM25 needs many documents for its IDF to mean anything (on a handful of sections
rank-bm25's Okapi IDF goes to zero or below, rank_bm25 issues 39 and 43), and a sentence is the
natural size of a verbatim quote. The section stays the unit of citation.

Why windows: an answer often spans two sentences (a topic sentence, then the point), so a window
scores each query term once at its best sentence, and pays a small price per extra sentence so
that it only grows when the neighbour brings terms of its own.

Why three fields: lemmas match conjugations (求めている/求める); character bigrams match
paraphrase and compound splits (首脳会談/会談); single kanji, weighted lowest, match words that
share no two characters but a meaning-bearing one (強まる/強化, 崩れる/崩壊, 成果/成功). Each
field's score is divided by the best score the query could possibly reach in it, so fused
scores are comparable across questions and the refusal cut-off means the same thing for every
question.

Why arrays: over an archive (460,000 sentences) a common term has a few hundred thousand
postings, so sentence scores are summed into one dense array with numpy, the 30 best sentences
are picked with a partition over only those that reach a cheap lower bound, and just the windows
around them are scored, as a small matrix. The results are those of the plain-Python tally this
replaced, to the last tie (`tests/search/test_index.py` keeps that tally as the reference).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from bot.articles import Library
from bot.search.bm25 import BM25, Postings, accumulate, kth_largest, positions
from bot.search.parts import IndexParts
from bot.search.units import Units
from bot.text.tokens import Analyzer, bigrams, kanji

MAX_QUOTE_CHARS = 300
MAX_WINDOW = 3
FIELDS = ("lemma", "bigram", "kanji")
CANDIDATE_SENTENCES = 30
# A sentence opening with one of these turns on the one before it (「…が訪れると語る者もいる。
# しかし、回復すべきものは何もない。」): a quote that stops before it gives the very view the
# author goes on to reject, so it is taken into the quote whenever the limits allow.
CONTRAST_OPENERS = (
    "しかし",
    "だが",
    "ただし",
    "とはいえ",
    "それでも",
    "ところが",
    "けれども",
    "もっとも",
)
# How many sentences of the rarest query terms set the bound below which none is ranked.
LOWER_BOUND_SAMPLE = 2048
# A query term in more than this share of the sentences does not gather candidates, which come
# from the POOL best sentences by the other terms (`SearchIndex._first_stage`). Fitted by
# bench/fit_first_stage.py on JSQuAD's questions over 10,000 real-text articles.
COMMON_SHARE = 0.02
POOL = 300
# A term with more postings than this many per looked-up sentence is searched for the
# sentences; one with fewer has its postings searched among them (`_contributions_at`).
SEARCH_EACH = 16


@dataclass(frozen=True)
class QueryTerms:
    lemmas: Counter[str]
    bigrams: Counter[str]
    kanji: Counter[str]
    # The question's bigrams in order, for how long a stretch of it a sentence repeats.
    bigram_sequence: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.lemmas and not self.bigrams

    def plus(self, other: QueryTerms) -> QueryTerms:
        """These terms and `other`'s (a follow-up's and the question it continues)."""
        return QueryTerms(
            self.lemmas + other.lemmas,
            self.bigrams + other.bigrams,
            self.kanji + other.kanji,
            self.bigram_sequence + other.bigram_sequence,
        )


@dataclass(frozen=True)
class _TermHits:
    """One query term's postings in one field, their contributions to be multiplied by scale.

    The scaled values are computed where needed rather than stored: a common term has a few
    hundred thousand postings, and only the sentences of about 30 windows are looked up.
    """

    postings: Postings
    field: int
    scale: float

    @property
    def term(self) -> str:
        return self.postings.term

    @property
    def docs(self) -> np.ndarray:
        return self.postings.docs

    @property
    def idf(self) -> float:
        return self.postings.idf

    @property
    def contributions(self) -> np.ndarray:
        return self.postings.contributions

    def at(self, units: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The scaled contribution to each of `units` (sorted), 0.0 where the term is absent;
        written into `out` when given (float32 products, as stored, otherwise)."""
        return np.multiply(self.postings.at(units), self.scale, out=out)


def _contributions_at(per_term: list[_TermHits], members: np.ndarray, out: np.ndarray) -> None:
    """Each term's scaled contribution to each of `members` (sorted sentence ids) into the
    rows of `out` (zeros; columns past the members are left alone).

    A term with many postings is searched for the members (`_TermHits.at`); the others, most
    of a question's terms, are looked up the other way round, all at once: their postings
    searched among the members in one call. A long question has a hundred terms or more, and
    a search per term cost 2-3 ms of it.
    """
    short = []
    for i, t in enumerate(per_term):
        if len(t.docs) <= SEARCH_EACH * len(members):
            short.append(i)
        else:
            t.at(members, out[i, : len(members)])
    if not short or not len(members):
        return
    docs = np.concatenate([per_term[i].docs for i in short])
    rows = np.repeat(short, [len(per_term[i].docs) for i in short])
    scaled = np.concatenate([per_term[i].contributions * per_term[i].scale for i in short])
    at = members.searchsorted(docs)
    hit = at < len(members)
    hit[hit] = members[at[hit]] == docs[hit]
    out[rows[hit], at[hit]] = scaled[hit]


@dataclass(frozen=True)
class Candidates:
    """The first stage's windows for one question, with the evidence the ranking model reads.

    Every per-window array has one row per window. Field scores count each query term once, at
    its best sentence of the window, as a share of the best score the question could reach in
    that field (so 1.0 means every term at full strength, whatever the question).
    """

    windows: list[tuple[int, ...]]
    terms: tuple[str, ...]
    term_fields: np.ndarray  # per term: index into FIELDS
    best: np.ndarray  # terms × windows: each term's scaled contribution at its best sentence
    fields: np.ndarray  # windows × FIELDS
    fused: np.ndarray  # the first stage's score of the window
    core: np.ndarray  # the first stage's score of the window's best single sentence
    # per term: its share of the question's lemma IDF mass (0 for a bigram or kanji term)
    lemma_share: np.ndarray
    lemma_coverage: np.ndarray  # share of the question's lemma IDF mass the window matches
    core_coverage: np.ndarray  # the same, of the window's best-covering single sentence
    core_fields: np.ndarray  # windows × FIELDS: each field's score of its best single sentence
    bigram_run: np.ndarray  # longest stretch of the question's bigrams in one sentence, as a share
    article_coverage: np.ndarray  # share of the question's lemma IDF mass the article matches
    # The rarest question lemma (IDF as a share of an unseen word's) that the window, and that
    # its whole article, lacks: 「ラオスの経済が安定したのは」 quoted from an article on Portugal
    # matches 経済 and 安定, but never ラオス, which an average over the IDF mass blurs.
    window_missing: np.ndarray
    article_missing: np.ndarray
    articles: np.ndarray  # the article of each window (index into the library)
    kinds: np.ndarray  # windows × KINDS: summed over the window's sentences
    chars: np.ndarray

    def matched(self, j: int) -> tuple[str, ...]:
        """The lemma terms window `j` matches."""
        rows = np.flatnonzero((self.term_fields == 0) & (self.best[:, j] > 0))
        return tuple(self.terms[i] for i in rows)


class SearchIndex:
    """Both BM25 fields over every sentence of a library, plus the sentence locations."""

    def __init__(self, library: Library, analyzer: Analyzer, parts: IndexParts | None = None):
        self.library = library
        self.analyzer = analyzer
        self.parts = parts or IndexParts.build(library, analyzer)
        self.units = Units(library, self.parts.units)
        self.lemma_field = self.parts.lemma
        self.bigram_field = self.parts.bigram
        self.kanji_field = self.parts.kanji

    def query_terms(self, question: str) -> QueryTerms:
        sequence = bigrams(question)
        return QueryTerms(
            Counter(self.analyzer.lemmas(question)),
            Counter(sequence),
            Counter(kanji(question)),
            tuple(sequence),
        )

    def terms_of_words(self, words: list[str]) -> QueryTerms:
        """Query terms for words already in the articles' spelling (an English question's
        counterparts), each searched as a lemma and by its characters."""
        return QueryTerms(
            Counter(words),
            Counter(g for w in words for g in bigrams(w)),
            Counter(k for w in words for k in kanji(w)),
        )

    def is_known(self, lemma: str) -> bool:
        return lemma in self.lemma_field.vocabulary

    @staticmethod
    def unknown_share(counts: Counter[str], field: BM25) -> float:
        """Share of the query terms' IDF mass (in one field) that no sentence holds."""
        weights = {t: field.idf_of(t) * c for t, c in counts.items()}
        total = sum(weights.values())
        missing = sum(w for t, w in weights.items() if t not in field.vocabulary)
        return missing / total if total > 0 else 0.0

    def candidates(
        self, terms: QueryTerms, weights: tuple[float, float, float]
    ) -> Candidates | None:
        """The windows around the sentences that score best with the fields fused by `weights`
        (the ranking model's first stage), or None when no query term occurs anywhere."""
        per_term = self._term_hits(terms)
        if not per_term:
            return None
        sentences = self._first_stage(per_term, weights)
        windows = sorted({w for doc in sentences.tolist() for w in self._windows_around(doc)})
        return self._describe(windows, per_term, terms, np.asarray(weights, dtype=np.float64))

    def _term_hits(self, terms: QueryTerms) -> list[_TermHits]:
        """Per field, each query term's postings scaled by count / the field's ideal score."""
        fields = (
            (self.lemma_field, terms.lemmas),
            (self.bigram_field, terms.bigrams),
            (self.kanji_field, terms.kanji),
        )
        out: list[_TermHits] = []
        # The postings `_first_stage` sums are read whole, the common terms' only searched.
        common = len(self.units) * COMMON_SHARE
        read_up_to = int(common) if common > POOL else len(self.units)
        for field, (bm25, counts) in enumerate(fields):
            ideal = sum(bm25.max_contribution(t) * c for t, c in counts.items())
            if ideal <= 0:
                continue
            for term, count in counts.items():
                p = bm25.postings(term, read_up_to)
                if p is not None:
                    scale = count / ideal
                    out.append(_TermHits(p, field, scale))
        return out

    def _first_stage(
        self, per_term: list[_TermHits], weights: tuple[float, float, float]
    ) -> np.ndarray:
        """The sentences to build windows around: the 30 best by the fused score.

        On a large library a question's common terms (「年」 in one sentence of five) hold most
        of its postings, summed at a few nanoseconds each, and decide little. So a term in
        more than `COMMON_SHARE` of the sentences does not gather candidates: they are drawn
        from the `POOL` best sentences by the other terms, the common terms are added to those
        only (a binary search each), and the 30 best by that full score are picked. A sentence
        that only common terms reach is missed; over 4,442 JSQuAD questions on 10,000 articles
        that cost no right answers and cut p99 by almost half (`bench/fit_first_stage.py`
        fits both values there). Libraries under POOL / COMMON_SHARE sentences, where a common
        term has fewer postings than the pool, and questions of common terms only, get the
        exact pick.
        """
        n = len(self.units)

        def summed(terms: list[_TermHits]) -> np.ndarray:
            weighted = [t.contributions * (t.scale * weights[t.field]) for t in terms]
            return accumulate(n, [t.docs for t in terms], weighted)

        common = n * COMMON_SHARE
        if common > POOL:
            rare = [t for t in per_term if len(t.docs) <= common]
            if 0 < len(rare) < len(per_term):
                # The common terms' postings are never weighted or summed on this path.
                scores = summed(rare)
                # Only sentences reaching a bound below the POOL-th best are gathered (a
                # hundred thousand touched ones narrowed to about a thousand in one pass);
                # the pool is the same as ranking every touched one.
                bound = self._lower_bound(scores, rare, POOL)
                pool = np.flatnonzero(scores >= bound if bound > 0 else scores > 0)
                if len(pool) >= CANDIDATE_SENTENCES:
                    if len(pool) > POOL:
                        values = scores[pool]
                        pool = pool[values >= kth_largest(values, POOL)]
                    values = scores[pool]
                    for t in per_term:
                        if len(t.docs) > common:
                            values = values + t.at(pool) * weights[t.field]
                    return self._pick(pool, values, per_term)
        return self._candidates(summed(per_term), per_term)

    @staticmethod
    def _candidates(scores: np.ndarray, per_term: list[_TermHits]) -> np.ndarray:
        """The sentences worth building windows around: the best-scoring touched ones.

        Ties at the cut go to the sentence an earlier query term reached first, then the lower
        id: the order in which a running tally (a Counter) would have met them.
        """
        n = CANDIDATE_SENTENCES
        bound = SearchIndex._lower_bound(scores, per_term)
        if bound > 0:
            pool = np.flatnonzero(scores >= bound)
        else:
            # With n positive scores the best n are all touched sentences (untouched ones score
            # 0); otherwise (few matches, negative IDFs) every touched one competes.
            positive = np.flatnonzero(scores > 0)
            if len(positive) >= n:
                pool = positive
            else:
                pool = np.unique(np.concatenate([t.docs for t in per_term]))
        return SearchIndex._pick(pool, scores[pool], per_term)

    @staticmethod
    def _pick(pool: np.ndarray, values: np.ndarray, per_term: list[_TermHits]) -> np.ndarray:
        """The 30 best of `pool` (ascending ids) by `values`, ties as `_candidates` breaks them."""
        n = CANDIDATE_SENTENCES
        if len(pool) <= n:
            return pool
        threshold = kth_largest(values, n)
        above = pool[values > threshold]
        tied = pool[values == threshold]
        if len(above) + len(tied) > n:
            # Only when the tied ones don't all fit does the order among them matter; each
            # term is looked up only while some tied sentence has no first term yet (a long
            # question has over a hundred terms, and a binary search each cost 2 ms).
            first = np.full(len(tied), len(per_term))
            for i, t in enumerate(per_term):
                open_ = first == len(per_term)
                if not open_.any():
                    break
                pos = np.minimum(positions(t.docs, tied), len(t.docs) - 1)
                first[open_ & (t.docs[pos] == tied)] = i
            tied = tied[np.lexsort((tied, first))][: n - len(above)]
        return np.concatenate([above, tied])

    @staticmethod
    def _lower_bound(
        scores: np.ndarray, per_term: list[_TermHits], n: int = CANDIDATE_SENTENCES
    ) -> float:
        """A score at most the n-th best, so that only sentences reaching it need ranking.

        The n-th best of any n or more touched sentences will do; those of the rarest terms
        tend to score high, which makes the bound tight. 0.0 when there are too few.
        """
        sample: list[np.ndarray] = []
        for t in sorted(per_term, key=lambda t: len(t.docs)):
            sample.append(t.docs[:LOWER_BOUND_SAMPLE])
            if sum(map(len, sample)) >= LOWER_BOUND_SAMPLE:
                break
        docs = np.sort(np.concatenate(sample))
        values = scores[docs[np.concatenate([[True], docs[1:] != docs[:-1]])]]  # distinct ones
        return kth_largest(values, n) if len(values) >= n else 0.0

    def _windows_around(self, doc: int) -> list[tuple[int, ...]]:
        """Windows of up to 3 consecutive sentences of one paragraph that contain `doc` and fit."""
        units = self.units
        lo = max(doc - int(units.sentence[doc]), doc - MAX_WINDOW + 1)
        hi = min(int(units.paragraph_end[doc]), doc + MAX_WINDOW - 1)
        chars = dict(zip(range(lo, hi + 1), units.chars[lo : hi + 1].tolist(), strict=True))
        out: list[tuple[int, ...]] = []
        for size in range(1, MAX_WINDOW + 1):
            for start in range(max(lo, doc - size + 1), min(doc, hi - size + 1) + 1):
                window = tuple(range(start, start + size))
                if size == 1 or sum(chars[u] for u in window) <= MAX_QUOTE_CHARS:
                    out.append(window)
        return out

    def _describe(
        self,
        windows: list[tuple[int, ...]],
        per_term: list[_TermHits],
        terms: QueryTerms,
        weights: np.ndarray,
    ) -> Candidates:
        """Score every window (each term once, at its best sentence) and gather its evidence."""
        # In the postings' own type, so that no lookup below converts them again.
        members = np.array(sorted({u for w in windows for u in w}), dtype=np.int32)
        # Term × sentence contributions, plus a last column of zeros that pads short windows.
        values = np.zeros((len(per_term), len(members) + 1))
        _contributions_at(per_term, members, values)
        # Each window's sentences as columns of `values`, short windows padded with the zeros;
        # found with one search for all windows (a search per window cost 0.4 ms a question).
        padded = np.array([w + (-1,) * (MAX_WINDOW - len(w)) for w in windows], dtype=np.int64)
        slots = np.where(padded >= 0, np.searchsorted(members, padded), len(members))
        best = values[:, slots].max(axis=2)
        term_fields = np.array([t.field for t in per_term])
        fields = np.stack([best[term_fields == f].sum(axis=0) for f in range(len(FIELDS))], 1)
        sentence_scores = weights[term_fields] @ values
        lemma_rows = term_fields == 0
        lemma_idf = np.array([t.idf for t in per_term])[lemma_rows] * np.array(
            [terms.lemmas[t.term] for t in per_term if t.field == 0]
        )
        idf_mass = sum(self.lemma_field.idf_of(t) * c for t, c in terms.lemmas.items())
        sentence_coverage = (
            lemma_idf @ (values[lemma_rows] > 0) / idf_mass
            if idf_mass > 0
            else np.zeros(values.shape[1])
        )
        lemma_share = np.zeros(len(per_term))
        if idf_mass > 0:
            lemma_share[lemma_rows] = lemma_idf / idf_mass
        coverage = (
            lemma_idf @ (best[lemma_rows] > 0) / idf_mass
            if idf_mass > 0
            else np.zeros(len(windows))
        )
        sentence_fields = np.stack(
            [values[term_fields == f].sum(axis=0) for f in range(len(FIELDS))], 1
        )
        run = self._bigram_runs(values, per_term, terms.bigram_sequence)
        rarity = self._rarity(per_term)
        window_missing = (rarity[lemma_rows, None] * (best[lemma_rows] <= 0)).max(
            axis=0, initial=0.0
        )
        article_coverage, article_missing = self._article_evidence(windows, per_term, rarity)
        kinds = np.vstack([self.parts.kinds[members], np.zeros((1, self.parts.kinds.shape[1]))])
        chars = self.units.chars[members].astype(np.float64)
        return Candidates(
            windows=windows,
            terms=tuple(t.term for t in per_term),
            term_fields=term_fields,
            best=best,
            fields=fields,
            fused=fields @ weights,
            lemma_share=lemma_share,
            core=sentence_scores[slots].max(axis=1),
            lemma_coverage=coverage,
            core_coverage=sentence_coverage[slots].max(axis=1),
            core_fields=sentence_fields[slots].max(axis=1),
            bigram_run=run[slots].max(axis=1),
            article_coverage=article_coverage,
            window_missing=window_missing,
            article_missing=article_missing,
            articles=self.units.article[[w[0] for w in windows]],
            kinds=kinds[slots].sum(axis=1),
            chars=np.append(chars, 0.0)[slots].sum(axis=1),
        )

    @staticmethod
    def _bigram_runs(
        values: np.ndarray, per_term: list[_TermHits], sequence: tuple[str, ...]
    ) -> np.ndarray:
        """Per sentence (and the padding column), the longest stretch of consecutive question
        bigrams it holds, as a share of the question's bigrams: how closely it repeats a phrase
        of the question, which word-by-word scores cannot tell."""
        rows = {t.term: i for i, t in enumerate(per_term) if t.field == 1}
        longest = np.zeros(values.shape[1])
        if not sequence:
            return longest
        current = np.zeros(values.shape[1])
        for gram in sequence:
            row = rows.get(gram)
            present = values[row] > 0 if row is not None else np.zeros(values.shape[1], bool)
            current = np.where(present, current + 1, 0.0)
            np.maximum(longest, current, out=longest)
        return longest / len(sequence)

    def _rarity(self, per_term: list[_TermHits]) -> np.ndarray:
        """Each term's IDF as a share of the IDF a word in no sentence would have (0 to 1)."""
        unseen = self.lemma_field.unseen_idf
        idf = np.array([max(t.idf, 0.0) for t in per_term])
        return idf / unseen if unseen > 0 else np.zeros(len(per_term))

    def _article_evidence(
        self, windows: list[tuple[int, ...]], per_term: list[_TermHits], rarity: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per window, the share of the question's lemma IDF mass found anywhere in its article,
        and the rarity of the rarest question lemma the article lacks.

        With several articles, a passage whose article also speaks of the question's other
        words elsewhere is more likely the one meant (関税 and インド in the energy article, not
        the one sentence about pressure in the summit article). The same for every window of a
        single article, so it changes nothing there.
        """
        rows = [i for i, t in enumerate(per_term) if t.field == 0]
        lemmas = [per_term[i] for i in rows]
        weights = np.array([self.lemma_field.idf_of(t.term) for t in lemmas])
        if not lemmas or weights.sum() <= 0:
            return np.zeros(len(windows)), np.zeros(len(windows))
        articles = self.units.article
        of_window = articles[[w[0] for w in windows]]
        candidates = np.unique(of_window)
        # Sentences of an article are consecutive: [lo, hi) in unit ids.
        lo = np.searchsorted(articles, candidates, side="left")
        hi = np.searchsorted(articles, candidates, side="right")
        present = np.array([positions(t.docs, lo) < positions(t.docs, hi) for t in lemmas])
        coverage = weights @ present / weights.sum()
        missing = (rarity[rows, None] * ~present).max(axis=0, initial=0.0)
        at = np.searchsorted(candidates, of_window)
        return coverage[at], missing[at]

    def with_contrast(self, window: tuple[int, ...], used: set[int]) -> tuple[int, ...]:
        """The window and the next sentence of its paragraph if that one opens with a contrast,
        within 3 sentences and the quote limit."""
        units = self.units
        last = window[-1]
        nxt = last + 1
        if (
            len(window) >= MAX_WINDOW
            or nxt > int(units.paragraph_end[last])
            or nxt in used
            or int(units.chars[list(window)].sum()) + int(units.chars[nxt]) > MAX_QUOTE_CHARS
            or not units[nxt].text.lstrip().startswith(CONTRAST_OPENERS)
        ):
            return window
        return (*window, nxt)
