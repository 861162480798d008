import numpy as np

from bot.summaries.selection import best_per_group, select


def test_every_group_is_covered_before_any_gets_a_second_sentence():
    scores = np.array([1.0, 0.9, 0.8, 0.1])
    sim = np.eye(4)
    assert select(scores, sim, [0, 0, 0, 1], 2) == [0, 3]
    assert select(scores, sim, [0, 0, 0, 1], 3) == [0, 3, 1]


def test_a_near_duplicate_of_a_chosen_sentence_is_never_taken():
    scores = np.array([1.0, 0.99, 0.2])
    sim = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert select(scores, sim, [0, 0, 0], 3) == [0, 2]


def test_best_per_group_keeps_group_order():
    assert best_per_group(np.array([0.2, 0.5, 0.9, 0.1]), [0, 0, 1, 1]) == [1, 2]
