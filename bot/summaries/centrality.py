"""LexRank: a sentence is central when sentences that are themselves central resemble it.

Similarity is TF-IDF cosine over the retriever's two token views (content-word lemmas and
character bigrams), averaged, so a summary and an answer agree on what "the same topic" means.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

DAMPING = 0.85
TOLERANCE = 1e-10
MAX_ITERATIONS = 500


def tfidf(docs: Sequence[Sequence[str]]) -> np.ndarray:
    """L2-normalised rows of sublinear TF times smoothed IDF, with IDF taken over `docs`.

    Sublinear TF keeps a word repeated in one sentence from dominating its vector; smoothing
    keeps words found in every sentence at a small positive weight instead of zero.
    """
    vocabulary: dict[str, int] = {}
    counts = [Counter(doc) for doc in docs]
    for c in counts:
        for term in c:
            vocabulary.setdefault(term, len(vocabulary))
    matrix = np.zeros((len(docs), len(vocabulary)))
    for row, c in enumerate(counts):
        for term, tf in c.items():
            matrix[row, vocabulary[term]] = 1.0 + np.log(tf)
    df = np.count_nonzero(matrix, axis=0)
    matrix *= np.log((1 + len(docs)) / (1 + df)) + 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def similarity(views: Sequence[np.ndarray]) -> np.ndarray:
    """Mean cosine similarity over the token views (rows already unit length)."""
    return sum(v @ v.T for v in views) / len(views)


def lexrank(sim: np.ndarray, damping: float = DAMPING) -> np.ndarray:
    """Stationary scores of a random walk on the similarity graph, scaled to mean 1.

    Continuous LexRank (Erkan & Radev 2004): edges weighted by similarity, self-loops removed,
    and a sentence that resembles nothing jumps uniformly, so every score is defined.
    """
    n = len(sim)
    if n == 0:
        return np.zeros(0)
    weights = np.clip(sim, 0.0, None)
    np.fill_diagonal(weights, 0.0)
    out = weights.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1.0), 1.0 / n)
    scores = np.full(n, 1.0 / n)
    for _ in range(MAX_ITERATIONS):
        updated = (1 - damping) / n + damping * transition.T @ scores
        if np.abs(updated - scores).sum() < TOLERANCE:
            scores = updated
            break
        scores = updated
    return scores * n
