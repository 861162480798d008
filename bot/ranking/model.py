"""The fitted ranking model: weights in a small versioned JSON file, loaded once at start.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.ranking.features import QUESTION_FEATURES, WINDOW_FEATURES
from bot.search.index import FIELDS

MODEL_FILE = Path(__file__).with_name("model.json")
FORMAT = 1


class ModelError(Exception):
    """The model file is missing, unreadable or made for other features."""


@dataclass(frozen=True)
class Linear:
    """A linear score over standardised features z = (x - mean) / scale: z · weights + bias.

    With `interactions`, over z and every product z_i z_j (i <= j) as well: a logistic model
    that can weigh "few words matched" differently for a two-word and a ten-word question.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float = 0.0
    interactions: bool = False

    def expand(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mean) / self.scale
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
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], expected: tuple[str, ...]) -> Linear:
        features = tuple(data["features"])
        if features != expected:
            missing = sorted(set(expected) - set(features))
            extra = sorted(set(features) - set(expected))
            raise ValueError(
                f"fitted with other features (missing {missing}, unknown {extra}, or reordered)"
            )
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
        return cls(
            features,
            mean=mean,
            scale=scale,
            weights=weights,
            bias=float(data["bias"]),
            interactions=interactions,
        )


def with_interactions(z: np.ndarray) -> np.ndarray:
    """The columns of z, then z_i * z_j for every i <= j."""
    i, j = np.triu_indices(z.shape[-1])
    return np.concatenate([z, z[..., i] * z[..., j]], axis=-1)


@dataclass(frozen=True)
class RankingModel:
    """First-stage field weights, the window ranker, and the refusal decision.

    `refusal` gives the log-odds that the best window answers the question; below
    `threshold` the bot says the articles don't cover it. The threshold is the operating point
    chosen by the fitting script on the curve in docs/retrieval.md.
    """

    first_stage: tuple[float, float, float]
    ranker: Linear
    refusal: Linear
    threshold: float
    fitted_on: dict[str, Any]

    def answers(self, question: np.ndarray) -> tuple[bool, float]:
        """Whether to answer, and the probability that the best window does."""
        logit = float(self.refusal(question))
        return logit >= self.threshold, 1 / (1 + math.exp(-max(min(logit, 50.0), -50.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "first_stage": dict(zip(FIELDS, self.first_stage, strict=True)),
            "ranker": self.ranker.to_json(),
            "refusal": {**self.refusal.to_json(), "threshold": self.threshold},
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
        return cls(
            (first[0], first[1], first[2]),
            Linear.from_json(data["ranker"], WINDOW_FEATURES),
            Linear.from_json(refusal, QUESTION_FEATURES),
            float(refusal["threshold"]),
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
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        detail = f"missing field {e}" if isinstance(e, KeyError) else str(e)
        raise ModelError(f"{path}: the ranking model file is invalid: {detail}") from None
