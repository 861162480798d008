"""The fitted ranking model: trees and weights in a small versioned JSON file, loaded once at start.

`bench/fit_ranking.py` writes `model.json` from the development question sets; nothing here is
set by hand. The file holds, besides the weights, the feature names each part was fitted with:
a file whose names differ from `bot.ranking.features` (fitted by an older version) is refused at
start with a message naming it, as is a missing or damaged file, rather than ranking with
weights that mean something else.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from bot.ranking.features import QUESTION_FEATURES, RANKER_FEATURES, ranker_inputs
from bot.search.index import FIELDS

MODEL_FILE = Path(__file__).with_name("model.json")
FORMAT = 4
# Deepest tree a model file may hold: the walk takes one step per level for every window.
MAX_DEPTH = 64


class ModelError(Exception):
    """The model file is missing, unreadable or made for other features."""


@dataclass(frozen=True)
class Linear:
    """A linear score over standardised features z = (x - mean) / scale: z · weights + bias.

    With `interactions`, over z and every product z_i z_j (i <= j) as well: a logistic model
    that can weigh "few words matched" differently for a two-word and a ten-word question.
    Each feature is first held to the range [`low`, `high`] it took in the fit: a product of two
    features far outside it (a library a hundred times the size of any fitted) is a guess.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    low: np.ndarray
    high: np.ndarray
    bias: float = 0.0
    interactions: bool = False

    def expand(self, x: np.ndarray) -> np.ndarray:
        z = (np.clip(x, self.low, self.high) - self.mean) / self.scale
        return with_interactions(z) if self.interactions else z

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.expand(x) @ self.weights + self.bias

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "interactions": self.interactions,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "bias": self.bias,
            "low": self.low.tolist(),
            "high": self.high.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> Linear:
        features = _features(data, expected)
        interactions = bool(data.get("interactions", False))
        n = len(features)
        sizes = (n, n, n + n * (n + 1) // 2 if interactions else n)
        mean, scale, weights = (
            np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "weights")
        )
        if any(
            a.shape != (size,) or not np.isfinite(a).all()
            for a, size in zip((mean, scale, weights), sizes, strict=True)
        ):
            raise ValueError("mean, scale and weights must be finite, one per feature")
        if (scale <= 0).any():
            raise ValueError("every scale must be positive")
        low, high = (np.asarray(data[k], dtype=np.float64) for k in ("low", "high"))
        if low.shape != (n,) or high.shape != (n,) or np.isnan(low).any() or np.isnan(high).any():
            raise ValueError("low and high must be numbers, one per feature")
        if (low > high).any():
            raise ValueError("every low must be at most its high")
        return cls(
            features,
            mean=mean,
            scale=scale,
            weights=weights,
            bias=float(data["bias"]),
            interactions=interactions,
            low=low,
            high=high,
        )


@dataclass(frozen=True)
class Trees:
    """The window ranker: a sum of regression trees over `RANKER_FEATURES`, called on a
    question's windows × WINDOW_FEATURES.

    Fitted by gradient boosting (LightGBM's lambdarank, in `bench/fit_ranking.py`) and
    evaluated here in numpy, so serving needs no LightGBM. The trees are flattened into arrays
    of nodes: an inner node sends a row left when its feature is <= the threshold; a leaf points
    to itself with an infinite threshold, so every row walks exactly `depth` steps and all trees
    and windows move together, one numpy step per level.
    """

    features: tuple[str, ...]
    feature: np.ndarray  # per node: the column it splits on (0 at leaves)
    threshold: np.ndarray  # per node: go left when x <= threshold (+inf at leaves)
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # per node: the leaf's output (0 at inner nodes)
    roots: np.ndarray  # per tree: its first node
    depth: int

    children: np.ndarray = field(init=False, repr=False)  # 2 node + (went left): the next node

    def __post_init__(self) -> None:
        children = np.empty(2 * len(self.left), dtype=np.intp)
        children[0::2], children[1::2] = self.right, self.left
        object.__setattr__(self, "children", children)

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        x = ranker_inputs(windows)
        # One flat array and `take` rather than 2-D fancy indexing: 0.36 → 0.22 ms for the
        # 87 windows of a typical question.
        flat = x.ravel()
        row_start = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            went_left = flat.take(row_start + self.feature.take(node)) <= self.threshold.take(node)
            node = self.children.take(2 * node + went_left)
        return self.value.take(node).sum(axis=1)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "depth": self.depth,
            "roots": self.roots.tolist(),
            "nodes": {
                # JSON has no infinity: leaves are stored with threshold null.
                "threshold": [None if math.isinf(t) else t for t in self.threshold.tolist()],
                **{k: getattr(self, k).tolist() for k in ("feature", "left", "right", "value")},
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> Trees:
        features = _features(data, expected)
        nodes = data["nodes"]
        threshold = np.array(
            [math.inf if t is None else t for t in nodes["threshold"]], dtype=np.float64
        )
        raw = [np.asarray(nodes[k]) for k in ("feature", "left", "right")] + [
            np.asarray(data["roots"])
        ]
        if any(a.ndim != 1 or (a.size and a.dtype.kind not in "iu") for a in raw):
            raise ValueError("feature, left, right and roots must be lists of whole numbers")
        feature, left, right, roots = (a.astype(np.intp) for a in raw)
        value = np.asarray(nodes["value"], dtype=np.float64)
        depth = data["depth"]
        if not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
            raise ValueError(f"depth must be a whole number from 0 to {MAX_DEPTH}")
        n = len(threshold)
        if not n or any(a.shape != (n,) for a in (feature, left, right, value)):
            raise ValueError("every node needs a feature, threshold, left, right and value")
        if not roots.size:
            raise ValueError("the trees need at least one root")
        if (
            not np.isfinite(value).all()
            or np.isnan(threshold).any()
            or ((feature < 0) | (feature >= len(features))).any()
            or any(((a < 0) | (a >= n)).any() for a in (left, right, roots))
        ):
            raise ValueError("a node has a non-finite value or points outside the trees")
        leaf = np.isinf(threshold)
        if not ((left[leaf] == np.flatnonzero(leaf)) & (right[leaf] == left[leaf])).all():
            raise ValueError("a leaf must point to itself")
        reached = roots
        for _ in range(depth):
            reached = np.unique(np.concatenate([left[reached], right[reached]]))
        if not leaf[reached].all():
            raise ValueError(f"a tree is deeper than its stated depth {depth}")
        return cls(features, feature, threshold, left, right, value, roots, depth)


def _features(data: dict[str, Any], expected: tuple[str, ...]) -> tuple[str, ...]:
    """The feature names a part was fitted with, which must be this version's."""
    features = tuple(data["features"])
    if features != expected:
        missing = sorted(set(expected) - set(features))
        extra = sorted(set(features) - set(expected))
        raise ValueError(
            f"fitted with other features (missing {missing}, unknown {extra}, or reordered)"
        )
    return features


def with_interactions(z: np.ndarray) -> np.ndarray:
    """The columns of z, then z_i * z_j for every i <= j."""
    i, j = np.triu_indices(z.shape[-1])
    return np.concatenate([z, z[..., i] * z[..., j]], axis=-1)


class Verdict(NamedTuple):
    """The refusal decision on a question's best window."""

    answered: bool
    # Refused, but by less than the model's `near_margin`: the window is shown as the nearest
    # passage, marked as not an answer.
    near: bool
    probability: float  # that the best window answers the question


@dataclass(frozen=True)
class RankingModel:
    """First-stage field weights, the window ranker, and the refusal decision.

    `refusal` gives the log-odds that the best window answers the question; below
    `threshold` the bot says the articles don't cover it. The threshold is the operating point
    chosen by the fitting script on the curve in docs/retrieval.md. Refused questions whose
    log-odds lie within `near_margin` (≤ 0) of it are shown their best window as the nearest
    passage: on articles the refusal was never fitted on, many of its refusals of answerable
    questions fall there, and the margin keeps the band where those windows hold the answer
    more often than not (`bench/fit_ranking.py`, docs/retrieval.md).
    """

    first_stage: tuple[float, float, float]
    ranker: Trees
    refusal: Linear
    threshold: float
    near_margin: float
    fitted_on: dict[str, Any]

    def verdict(self, question: np.ndarray) -> Verdict:
        """Whether to answer, whether a refusal is near enough to show its window, and the
        probability that the best window answers."""
        logit = float(self.refusal(question))
        answered = logit >= self.threshold
        near = not answered and logit >= self.threshold + self.near_margin
        return Verdict(answered, near, 1 / (1 + math.exp(-max(min(logit, 50.0), -50.0))))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "first_stage": dict(zip(FIELDS, self.first_stage, strict=True)),
            "ranker": self.ranker.to_json(),
            "refusal": {
                **self.refusal.to_json(),
                "threshold": self.threshold,
                "near_margin": self.near_margin,
            },
            "fitted_on": self.fitted_on,
        }

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RankingModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this version reads {FORMAT}")
        first = tuple(float(data["first_stage"][f]) for f in FIELDS)
        if not all(math.isfinite(w) and w >= 0 for w in first) or not any(first):
            raise ValueError("first_stage weights must be finite, non-negative, not all zero")
        refusal = data["refusal"]
        near_margin = float(refusal["near_margin"])
        if not (math.isfinite(near_margin) and near_margin <= 0):
            raise ValueError(f"refusal near_margin {near_margin!r} must be a finite number ≤ 0")
        return cls(
            (first[0], first[1], first[2]),
            Trees.from_json(data["ranker"], RANKER_FEATURES),
            Linear.from_json(refusal, QUESTION_FEATURES),
            float(refusal["threshold"]),
            near_margin,
            dict(data.get("fitted_on", {})),
        )


@functools.cache
def load_model(path: Path = MODEL_FILE) -> RankingModel:
    """The model in `path`; a `ModelError` naming the file and the fault if it can't be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(
            f"{path}: the ranking model file is missing; reinstall the package, or fit it with "
            "`python bench/fit_ranking.py`"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"{path}: the ranking model file is unreadable ({e})") from None
    try:
        return RankingModel.from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
        detail = f"missing field {e}" if isinstance(e, KeyError) else str(e)
        raise ModelError(f"{path}: the ranking model file is invalid: {detail}") from None
