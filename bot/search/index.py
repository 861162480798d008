"""Passage search: sentences are the indexed unit, windows of 1–3 of them are what we quote.

Why sentences: BM25 needs many documents for its IDF to mean anything (on a handful of sections
rank-bm25's Okapi IDF goes to zero or below, rank_bm25 issues 39 and 43), and a sentence is the
natural size of a verbatim quote. The section stays the unit of citation.

Why windows: an answer often spans two sentences (a topic sentence, then the point), so a window
scores each query term once at its best sentence, and pays a small price per extra sentence so
that it only grows when the neighbour brings terms of its own.

Why two fields: lemmas match conjugations (求めている/求める); character bigrams match paraphrase
and compound splits (強化/強く, 首脳会談/会談). Each field's score is divided by the best score the
query could possibly reach in it, so fused scores are comparable across questions and the
refusal cut-off means the same thing for every question.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.articles import Library
from bot.search.bm25 import BM25, Postings
from bot.text.tokens import Analyzer, bigrams

MAX_QUOTE_CHARS = 300
MAX_WINDOW = 3
BIGRAM_WEIGHT = 1.5
EXTRA_SENTENCE_COST = 0.08
CANDIDATE_SENTENCES = 30


@dataclass(frozen=True)
class Unit:
    """One indexed sentence and where it sits."""

    article: int
    section: int
    paragraph: int
    sentence: int
    text: str


@dataclass(frozen=True)
class Hit:
    """A window of consecutive sentences from one paragraph, with its fused score."""

    units: tuple[int, ...]
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class QueryTerms:
    lemmas: Counter[str]
    bigrams: Counter[str]

    @property
    def empty(self) -> bool:
        return not self.lemmas and not self.bigrams


class SearchIndex:
    """Both BM25 fields over every sentence of a library, plus the sentence locations."""

    def __init__(self, library: Library, analyzer: Analyzer) -> None:
        self.library = library
        self.analyzer = analyzer
        self.units: list[Unit] = []
        for ai, article in enumerate(library.articles):
            for section in article.sections:
                for pi, paragraph in enumerate(section.paragraphs):
                    for si, text in enumerate(paragraph.sentences):
                        self.units.append(Unit(ai, section.index, pi, si, text))
        self.lemma_field = BM25.build(analyzer.lemmas(u.text) for u in self.units)
        self.bigram_field = BM25.build(bigrams(u.text) for u in self.units)

    def query_terms(self, question: str) -> QueryTerms:
        return QueryTerms(Counter(self.analyzer.lemmas(question)), Counter(bigrams(question)))

    def is_known(self, lemma: str) -> bool:
        return lemma in self.lemma_field.vocabulary

    def search(self, terms: QueryTerms, k: int = 5) -> list[Hit]:
        """The k best non-overlapping windows, best first."""
        fields = [
            (1.0, self.lemma_field, terms.lemmas),
            (BIGRAM_WEIGHT, self.bigram_field, terms.bigrams),
        ]
        # Per field: each query term's postings, as {doc: weighted, normalised contribution}.
        per_term: list[tuple[str, bool, dict[int, float]]] = []
        sentence_score: Counter[int] = Counter()
        for weight, bm25, counts in fields:
            ideal = sum(bm25.max_contribution(t) * c for t, c in counts.items())
            if ideal <= 0:
                continue
            for term, count in counts.items():
                p: Postings | None = bm25.postings(term)
                if p is None:
                    continue
                scale = weight * count / ideal
                contrib = dict(
                    zip(p.docs.tolist(), (p.contributions * scale).tolist(), strict=True)
                )
                per_term.append((term, bm25 is self.lemma_field, contrib))
                for doc, value in contrib.items():
                    sentence_score[doc] += value
        if not sentence_score:
            return []
        candidates = [doc for doc, _ in sentence_score.most_common(CANDIDATE_SENTENCES)]
        windows = {w for doc in candidates for w in self._windows_around(doc)}
        scored: list[Hit] = []
        for window in windows:
            score = -EXTRA_SENTENCE_COST * (len(window) - 1)
            matched: list[str] = []
            for term, is_lemma, contrib in per_term:
                best = max((contrib.get(u, 0.0) for u in window), default=0.0)
                score += best
                if best > 0 and is_lemma:
                    matched.append(term)
            scored.append(Hit(window, round(score, 4), tuple(matched)))
        scored.sort(key=lambda h: (-h.score, h.units))
        chosen: list[Hit] = []
        used: set[int] = set()
        for hit in scored:
            if used.isdisjoint(hit.units):
                chosen.append(hit)
                used.update(hit.units)
                if len(chosen) == k:
                    break
        return chosen

    def _windows_around(self, doc: int) -> list[tuple[int, ...]]:
        """Windows of up to 3 consecutive sentences of one paragraph that contain `doc` and fit."""
        unit = self.units[doc]
        first = doc - unit.sentence
        last = first
        while last + 1 < len(self.units) and self._same_paragraph(self.units[last + 1], unit):
            last += 1
        out: list[tuple[int, ...]] = []
        for size in range(1, MAX_WINDOW + 1):
            for start in range(max(first, doc - size + 1), min(doc, last - size + 1) + 1):
                window = tuple(range(start, start + size))
                if size == 1 or sum(len(self.units[u].text) for u in window) <= MAX_QUOTE_CHARS:
                    out.append(window)
        return out

    @staticmethod
    def _same_paragraph(a: Unit, b: Unit) -> bool:
        return (a.article, a.section, a.paragraph) == (b.article, b.section, b.paragraph)

    def max_lemma_coverage(self, terms: QueryTerms, hit: Hit) -> float:
        """Share of the question's lemma IDF mass that the window matches (unknown terms count)."""
        total = sum(self.lemma_field.idf_of(t) for t in terms.lemmas)
        if total <= 0:
            return 0.0
        return sum(self.lemma_field.idf_of(t) for t in hit.matched_terms) / total
