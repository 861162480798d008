"""Our postings-only BM25 must give rank-bm25's BM25Okapi scores and top-10.

Contributions are stored as float32 (`bm25.CONTRIBUTION`), so scores agree to float32's
precision (a relative 1e-6, summed in float64), not to the last bit of a float64.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.search import bm25
from bot.search.bm25 import BM25

# Everything a BM25 index holds as arrays, for comparing two of them.
ARRAYS = ("indptr", "doc_ids", "codes", "pairs", "doc_len", "idf", "weights", "contributions")
words = st.sampled_from([f"w{i}" for i in range(40)])
corpora = st.lists(st.lists(words, min_size=1, max_size=30), min_size=1, max_size=60)
queries = st.lists(st.one_of(words, st.just("unseen")), min_size=1, max_size=6)
RTOL = 1e-6


@settings(max_examples=150, deadline=None)
@given(corpora, queries)
def test_scores_and_top10_match_rank_bm25(docs, query):
    ours = BM25.build(docs)
    ref = BM25Okapi(docs)
    expected = np.asarray(ref.get_scores(query))
    got = ours.scores(query)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=RTOL)
    ids, scores = ours.top_k(query, 10)
    ref_ids = sorted(range(len(docs)), key=lambda i: (-expected[i], i))[:10]
    # Same documents in the same order, except that documents whose scores are equal in exact
    # arithmetic (「w0 w0 w0 w1 w1」 and 「w0」 both give idf × 2.5/1.75) may come either way
    # round: the last bit of a float sum decides, in rank-bm25 as in ours.
    np.testing.assert_allclose(expected[list(ids)], expected[ref_ids], rtol=RTOL, atol=RTOL)
    distinct = [
        i for i in ref_ids if sum(abs(expected[i] - expected[j]) < RTOL for j in ref_ids) == 1
    ]
    assert [i for i in ids if i in distinct] == distinct
    np.testing.assert_allclose(scores, expected[ref_ids], rtol=RTOL, atol=RTOL)


def test_a_tie_in_exact_arithmetic_may_come_either_way_round():
    """The case hypothesis found: equal scores in exact arithmetic, unequal in the last bit."""
    docs = [["w0", "w0", "w0", "w1", "w1"], ["w0"]]
    ids, scores = BM25.build(docs).top_k(["w0"], 10)
    assert sorted(ids.tolist()) == [0, 1]
    assert scores[0] == pytest.approx(scores[1], rel=1e-12)


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


@settings(max_examples=60, deadline=None)
@given(corpora, queries)
def test_building_in_small_blocks_gives_the_same_index(docs, query):
    # Large fields are sorted into postings and scored a block at a time; the block size must
    # not change a single number.
    whole = BM25.build(docs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bm25, "BLOCK", 7)
        blocked = BM25.build(docs)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(blocked, name), getattr(whole, name))
    np.testing.assert_array_equal(blocked.scores(query), whole.scores(query))


def test_from_token_ids_equals_build_and_empty_corpora_work():
    docs = [["a", "b", "a"], [], ["c"]]
    built = BM25.build(docs)
    ids = BM25.from_token_ids({"a": 0, "b": 1, "c": 2}, np.array([0, 1, 0, 2]), np.array([3, 0, 1]))
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(ids, name), getattr(built, name))
    empty = BM25.build([])
    assert empty.n_docs == 0 and not empty.scores(["a"]).size
    assert list(empty.top_k(["a"], 10)[0]) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.0, 0.0, 1.5, 2.25, -1.0, 7.0]), min_size=1, max_size=400),
    st.integers(1, 40),
    st.sampled_from([1, 2, 8]),
)
def test_kth_largest_matches_a_sort_on_tie_heavy_arrays(values, k, sample):
    values = np.array(values)
    k = min(k, len(values))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bm25, "SELECT_SAMPLE", sample)  # narrow even small arrays
        got = bm25.kth_largest(values, k)
    assert got == np.sort(values)[len(values) - k]


def test_an_idf_floor_lets_a_tiny_library_find_its_sentence():
    docs = [["ロシア", "安定"], ["ロシア", "強める"], ["ロシア"]]
    plain = BM25.build(docs)
    assert plain.idf_of("ロシア") <= 0  # rank-bm25's trap: in every document
    floored = BM25.build(docs, min_idf=0.05)
    assert floored.idf_of("ロシア") == pytest.approx(0.05)
    assert (floored.scores(["ロシア"]) > 0).all()
    # informative terms keep rank-bm25's IDF
    assert floored.idf_of("安定") == pytest.approx(plain.idf_of("安定"))


def _zipf_corpus(n_docs: int, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[f"t{int(w)}" for w in rng.zipf(1.4, rng.integers(3, 20)) % 500] for _ in range(n_docs)]


ZIPF = _zipf_corpus(10_000)
ZIPF_INDEX = BM25.build(ZIPF)


@settings(max_examples=300, deadline=None)
@given(
    # Mostly terms in tens to hundreds of documents (ranked among the touched ones), some in
    # most of them (every document competes), repeats and unseen terms.
    st.lists(
        st.sampled_from([f"t{i}" for i in range(12, 500, 5)] + ["t1", "t2", "zzz"]), max_size=8
    ),
    st.integers(1, 40),
)
def test_top_k_among_the_touched_documents_is_the_full_selection(query, k):
    """top_k ranks only the documents the postings name (when few are): the same ids, order
    and scores as selecting among every document's score, repeats and ties included."""
    ids, scores = ZIPF_INDEX.top_k(query, k)
    full = ZIPF_INDEX.scores(query)
    expected = bm25.select_top(full, k)
    assert ids.tolist() == expected.tolist()
    assert scores.tolist() == full[expected].tolist()  # bit for bit: the same sums


def test_most_mixed_questions_are_settled_among_their_rare_terms_documents():
    """The shortcut is taken (not only the full sum the property test above also reaches), and
    where it is, it gives the full selection's ids and scores bit for bit."""
    rng = np.random.default_rng(1)
    taken = 0
    for _ in range(200):
        rare = [f"t{i}" for i in rng.integers(100, 500, rng.integers(1, 4))]
        query = [*rare, "t1", "t2"]  # t1 and t2 are in most documents
        found = [p for p in map(ZIPF_INDEX.postings, query) if p is not None]
        top = ZIPF_INDEX._top_among_rare(found, 10)
        if top is not None:
            taken += 1
            full = ZIPF_INDEX.scores(query)
            assert top[0].tolist() == bm25.select_top(full, 10).tolist()
            assert top[1].tolist() == full[top[0]].tolist()
    assert taken >= 20  # 46 of 200 at this writing


def test_the_reused_sums_are_cleared_and_kept_per_thread():
    from concurrent.futures import ThreadPoolExecutor

    queries = [["t3", "t10"], ["t3"], ["t77", "t3", "t3"], ["zzz"], ["t140", "t1"]] * 20
    alone = [ZIPF_INDEX.top_k(q, 10)[0].tolist() for q in queries]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda q: ZIPF_INDEX.top_k(q, 10)[0].tolist(), queries))
    assert together == alone
    assert alone[0] == bm25.select_top(ZIPF_INDEX.scores(["t3", "t10"]), 10).tolist()


def test_a_term_more_than_255_times_in_a_document_keeps_its_count():
    docs = [["a"] * 300 + ["b"], ["b", "c"], ["a", "c"]]
    ours = BM25.build(docs)
    np.testing.assert_allclose(
        ours.scores(["a", "b"]), BM25Okapi(docs).get_scores(["a", "b"]), rtol=RTOL
    )


def test_terms_numbered_by_frequency_keep_every_token():
    from bot.search.fields import Encoded

    vocabulary = {"a": 0, "b": 1, "c": 2, "d": 3}  # d never occurs
    ids = np.array([0, 1, 1, 2, 2, 2, 1, 0, 2], dtype=np.int32)
    tokens = [list(vocabulary)[i] for i in ids]
    encoded = Encoded(dict(vocabulary), ids.copy(), np.array([4, 5]))
    encoded.by_frequency()
    assert list(encoded.vocabulary) == ["c", "b", "a", "d"]  # by count, ties first-seen first
    assert list(encoded.vocabulary.values()) == [0, 1, 2, 3]
    names = list(encoded.vocabulary)
    assert [names[i] for i in encoded.token_ids] == tokens
