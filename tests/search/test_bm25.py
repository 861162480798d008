"""Our postings-only BM25 must give rank-bm25's BM25Okapi scores and top-10, to the float."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.search.bm25 import BM25

words = st.sampled_from([f"w{i}" for i in range(40)])
corpora = st.lists(st.lists(words, min_size=1, max_size=30), min_size=1, max_size=60)
queries = st.lists(st.one_of(words, st.just("unseen")), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(corpora, queries)
def test_scores_and_top10_match_rank_bm25(docs, query):
    ours = BM25.build(docs)
    ref = BM25Okapi(docs)
    expected = np.asarray(ref.get_scores(query))
    got = ours.scores(query)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    ids, scores = ours.top_k(query, 10)
    ref_ids = sorted(range(len(docs)), key=lambda i: (-expected[i], i))[:10]
    assert list(ids) == ref_ids
    np.testing.assert_allclose(scores, expected[ref_ids], rtol=1e-9, atol=1e-9)


def test_negative_idf_is_floored_like_rank_bm25():
    # The trap of rank_bm25 issues 39/43: on a tiny corpus even the floor is negative.
    docs = [["a", "b"], ["a", "c"], ["a", "d"]]
    ours, ref = BM25.build(docs), BM25Okapi(docs)
    assert ours.idf_of("a") == ref.idf["a"] < 0
    np.testing.assert_allclose(ours.scores(["a"]), ref.get_scores(["a"]))


def test_unseen_terms_score_nothing_but_have_the_highest_idf():
    ours = BM25.build([["a"], ["b"]])
    assert not ours.scores(["zzz"]).any()
    assert ours.postings("zzz") is None
    assert ours.idf_of("zzz") > ours.idf_of("a")
