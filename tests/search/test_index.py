"""The vectorised passage search picks exactly the windows the plain-Python algorithm picks.

The reference below is the search as first written: a running tally (Counter) of sentence
scores, its 30 most common, every window around them scored term by term from dicts. Random
articles over a tiny vocabulary make ties, shared terms and long paragraphs common.
"""

import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.articles import Article, Library, Paragraph, Section
from bot.search import index as search
from bot.search.bm25 import Postings
from bot.search.index import SearchIndex
from bot.text.tokens import Analyzer

ANALYZER = Analyzer()
WORDS = ["ロシア", "会談", "安定", "世界", "圧力", "アメリカ", "政治", "経済", "勝利", "対話"]
PARTICLES = ["は", "を", "の", "に", "が", "と"]

words = st.sampled_from(WORDS)
sentences = st.lists(st.tuples(words, st.sampled_from(PARTICLES)), min_size=1, max_size=6).map(
    lambda pairs: "".join(w + p for w, p in pairs) + "求めた。"
)
paragraphs = st.lists(sentences, min_size=1, max_size=5)
sections = st.lists(paragraphs, min_size=1, max_size=4)
articles = st.lists(sections, min_size=1, max_size=4)
questions = st.lists(words, min_size=1, max_size=4).map(lambda ws: "の".join(ws) + "は何か")


def library_of(raw: list[list[list[list[str]]]]) -> Library:
    folder = Path("/nonexistent")
    built = []
    for ai, secs in enumerate(raw):
        sections_ = tuple(
            Section(
                si,
                f"節{si}",
                tuple(Paragraph(pi + 1, "".join(p), tuple(p), 1) for pi, p in enumerate(paras)),
                1,
            )
            for si, paras in enumerate(secs)
        )
        built.append(Article(f"a{ai}", folder / f"a{ai}.md", "markdown", f"記事{ai}", sections_))
    return Library(folder, tuple(built))


WEIGHTS = (1.0, 1.5, 0.5)


def reference_candidates(index: SearchIndex, question: str) -> dict[tuple[int, ...], tuple]:
    """Per window: each field's score (every term once, at its best sentence), the fused score,
    the best single sentence's fused score, and the lemma IDF coverage."""
    terms = index.query_terms(question)
    fields = [
        (index.lemma_field, terms.lemmas),
        (index.bigram_field, terms.bigrams),
        (index.kanji_field, terms.kanji),
    ]
    per_term: list[tuple[int, float, dict[int, float]]] = []
    tally: Counter[int] = Counter()
    for field, (bm25, counts) in enumerate(fields):
        ideal = sum(bm25.max_contribution(t) * c for t, c in counts.items())
        if ideal <= 0:
            continue
        for term, count in counts.items():
            p = bm25.postings(term)
            if p is None:
                continue
            values = (p.contributions * (count / ideal)).tolist()
            contrib = dict(zip(p.docs.tolist(), values, strict=True))
            per_term.append((field, p.idf * count, contrib))
            # summed as the index sums them, so that ties at the cut fall the same way
            weighted = (p.contributions * ((count / ideal) * WEIGHTS[field])).tolist()
            for doc, value in zip(p.docs.tolist(), weighted, strict=True):
                tally[doc] += value
    if not tally:
        return {}
    mass = sum(index.lemma_field.idf_of(t) * c for t, c in terms.lemmas.items())
    candidates = [doc for doc, _ in tally.most_common(search.CANDIDATE_SENTENCES)]
    out = {}
    for window in {w for doc in candidates for w in index._windows_around(doc)}:
        scores = [0.0, 0.0, 0.0]
        covered = 0.0
        for field, idf, contrib in per_term:
            best = max(contrib.get(u, 0.0) for u in window)
            scores[field] += best
            if field == 0 and best > 0:
                covered += idf
        core = max(
            sum(WEIGHTS[f] * contrib.get(u, 0.0) for f, _, contrib in per_term) for u in window
        )
        fused = sum(w * s for w, s in zip(WEIGHTS, scores, strict=True))
        out[window] = (*scores, fused, core, covered / mass if mass else 0.0)
    return out


@settings(max_examples=60, deadline=None)
@given(articles, st.lists(questions, min_size=1, max_size=4))
def test_candidates_match_the_reference(raw, asked):
    index = SearchIndex(library_of(raw), ANALYZER)
    for question in asked:
        found = index.candidates(index.query_terms(question), WEIGHTS)
        expected = reference_candidates(index, question)
        if found is None:
            assert expected == {}
            continue
        got = {
            w: (*found.fields[j], found.fused[j], found.core[j], found.lemma_coverage[j])
            for j, w in enumerate(found.windows)
        }
        assert set(got) == set(expected)
        for w, numbers in expected.items():
            assert np.allclose(got[w], numbers), w


def _random_library(seed: int) -> Library:
    """A few hundred sentences over ten words: common and rare terms, many ties."""
    rng = random.Random(seed)

    def sentence() -> str:
        pairs = (rng.choice(WORDS) + rng.choice(PARTICLES) for _ in range(rng.randint(1, 6)))
        return "".join(pairs) + "求めた。"

    return library_of(
        [
            [[[sentence() for _ in range(rng.randint(1, 5))] for _ in range(4)] for _ in range(4)]
            for _ in range(8)
        ]
    )


@pytest.mark.parametrize("seed", range(3))
def test_common_terms_are_added_to_the_pool_only(seed, monkeypatch):
    index = SearchIndex(_random_library(seed), ANALYZER)
    n = len(index.units)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.3)
    monkeypatch.setattr(search, "POOL", 60)
    rng = random.Random(seed)
    pooled = 0
    for _ in range(40):
        question = "の".join(rng.sample(WORDS, rng.randint(2, 4))) + "は何か"
        per_term = index._term_hits(index.query_terms(question))
        factor = [t.scale * WEIGHTS[t.field] for t in per_term]
        full = np.zeros(n)
        rare = np.zeros(n)
        for t, f in zip(per_term, factor, strict=True):
            full[t.docs] += t.contributions * f
            if len(t.docs) <= 0.3 * n:
                rare[t.docs] += t.contributions * f
        picked = index._first_stage(per_term, WEIGHTS)
        if not rare.any() or rare.all() or len(np.flatnonzero(rare)) < search.CANDIDATE_SENTENCES:
            continue
        pooled += 1
        touched = np.flatnonzero(rare > 0)
        pool = touched[rare[touched] >= np.sort(rare[touched])[-min(60, len(touched))]]
        # The pick is the 30 best of the pool by every term's score.
        assert set(picked.tolist()) <= set(pool.tolist())
        rest = np.setdiff1d(pool, picked)
        if len(rest):
            assert full[picked].min() >= full[rest].max() - 1e-9
    assert pooled, "no question took the pooled path: the test no longer exercises it"


def test_small_libraries_get_the_exact_pick(monkeypatch):
    index = SearchIndex(_random_library(0), ANALYZER)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.02)  # 2% of 400 sentences < a pool of 300
    for question in ["ロシアの会談は何か", "世界の経済と政治は何か", "勝利の対話は何か"]:
        per_term = index._term_hits(index.query_terms(question))
        scores = np.zeros(len(index.units))
        for t in per_term:
            scores[t.docs] += t.contributions * (t.scale * WEIGHTS[t.field])
        expected = SearchIndex._candidates(scores, per_term)
        assert sorted(index._first_stage(per_term, WEIGHTS).tolist()) == sorted(expected.tolist())


def test_windows_stay_in_their_paragraph_and_under_the_quote_limit():
    long = "ロシアは" + "安定" * 140 + "を求めた。"
    index = SearchIndex(
        library_of([[["ロシアを見た。", long, "世界が動いた。"], ["会談。"]]]), ANALYZER
    )
    windows = index._windows_around(0)
    assert (0,) in windows and all(w[0] >= 0 and w[-1] <= 2 for w in windows)
    assert all(
        len(w) == 1 or sum(len(index.units[u].text) for u in w) <= search.MAX_QUOTE_CHARS
        for w in windows
    )
    assert index._windows_around(3)[0] == (3,)


postings = st.lists(
    st.dictionaries(
        st.integers(0, 79), st.sampled_from([0.5, 1.0, 2.0, -0.25, 0.0]), min_size=1, max_size=60
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(postings)
def test_candidates_are_the_tallys_most_common_ties_included(terms):
    # Few distinct values over many sentences: ties at the cut are the rule, not the exception.
    per_term = [
        search._TermHits(
            Postings(f"t{i}", 1.0, np.array(sorted(p)), np.array([p[d] for d in sorted(p)])),
            0,
            1.0,
        )
        for i, p in enumerate(terms)
    ]
    tally: Counter[int] = Counter()
    for p in terms:
        for doc in sorted(p):
            tally[doc] += p[doc]
    scores = np.zeros(80)
    for t in per_term:
        scores[t.docs] += t.contributions
    expected = {doc for doc, _ in tally.most_common(search.CANDIDATE_SENTENCES)}
    assert set(SearchIndex._candidates(scores, per_term).tolist()) == expected


def test_article_coverage_tells_apart_identical_sentences_in_different_articles(tmp_path):
    from bot.knowledge_base import KnowledgeBase
    from tests.conftest import markdown_article

    same = "圧力が強まった。"
    markdown_article(tmp_path, "a", "甲", same, 別="天気は晴れだ。")
    markdown_article(tmp_path, "b", "乙", same, 関税="インドは関税に反発した。")
    index = KnowledgeBase.load(tmp_path, persist=False).answerer.index
    found = index.candidates(index.query_terms("インドへの関税の圧力"), WEIGHTS)
    assert found is not None
    coverage = {
        (int(found.articles[j]), index.units[w[0]].text): found.article_coverage[j]
        for j, w in enumerate(found.windows)
        if len(w) == 1
    }
    # the same sentence, but only the second article also speaks of インド and 関税
    assert coverage[(1, same)] > coverage[(0, same)]
