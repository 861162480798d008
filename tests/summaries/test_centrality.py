import numpy as np

from bot.summaries.centrality import lexrank, similarity, tfidf


def test_tfidf_rows_are_unit_length_and_rare_words_weigh_more():
    m = tfidf([["ロシア", "会談"], ["ロシア", "経済"], ["ロシア"], []])
    assert np.allclose(np.linalg.norm(m[:3], axis=1), 1.0)
    assert not m[3].any()  # a sentence without tokens stays a zero row
    first = dict(zip(["ロシア", "会談"], m[0, :2], strict=True))
    assert first["会談"] > first["ロシア"]


def test_similarity_averages_the_views():
    a = np.eye(2)
    b = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert np.allclose(similarity([a, b]), [[1.0, 0.5], [0.5, 1.0]])


def test_lexrank_favours_the_hub_and_tolerates_isolated_sentences():
    sim = np.array(
        [
            [1.0, 0.5, 0.5, 0.0],
            [0.5, 1.0, 0.0, 0.0],
            [0.5, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )
    scores = lexrank(sim)
    assert np.isclose(scores.mean(), 1.0)
    assert scores[0] > scores[1] == scores[2]
    assert scores[3] < scores[1]
    assert np.allclose(lexrank(np.eye(3)), 1.0)
    assert lexrank(np.zeros((0, 0))).shape == (0,)
