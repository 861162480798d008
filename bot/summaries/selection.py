"""Choosing sentences: maximal marginal relevance, spread over the article's sections.

MMR (Carbonell & Goldstein 1998) trades a sentence's score against its similarity to what is
already chosen, so the summary does not say the same thing twice; a sentence too close to a
chosen one is never taken. Until every group (section) has a sentence, only sentences of
groups without one compete, so a summary covers the article instead of its densest part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RELEVANCE = 0.7
REDUNDANT = 0.5


def select(scores: np.ndarray, sim: np.ndarray, groups: Sequence[int], k: int) -> list[int]:
    """Indices of up to `k` sentences, in the order chosen."""
    n = len(scores)
    relevance = scores / scores.max() if n and scores.max() > 0 else np.zeros(n)
    chosen: list[int] = []
    closest = np.zeros(n)
    while len(chosen) < k:
        covered = {groups[i] for i in chosen}
        open_ = [i for i in range(n) if i not in chosen and closest[i] <= REDUNDANT]
        if not open_:
            break
        uncovered = [i for i in open_ if groups[i] not in covered]
        pool = uncovered or open_
        best = max(pool, key=lambda i: RELEVANCE * relevance[i] - (1 - RELEVANCE) * closest[i])
        chosen.append(best)
        closest = np.maximum(closest, sim[best])
    return chosen


def best_per_group(scores: np.ndarray, groups: Sequence[int]) -> list[int]:
    """The highest-scoring sentence of each group, for an outline."""
    best: dict[int, int] = {}
    for i, g in enumerate(groups):
        if g not in best or scores[i] > scores[best[g]]:
            best[g] = i
    return list(best.values())
