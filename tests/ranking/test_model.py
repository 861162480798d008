"""The packaged ranking model loads; a missing, damaged or mismatched one is a clear error."""

import json
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge_base import KnowledgeBase
from bot.ranking.features import (
    QUESTION_FEATURES,
    RANKED,
    RANKER_FEATURES,
    WINDOW_FEATURES,
    ranker_inputs,
)
from bot.ranking.model import MODEL_FILE, ModelError, RankingModel, Trees, load_model


def test_the_packaged_model_loads_with_the_features_named_in_the_code():
    model = load_model()
    assert model.ranker.features == RANKER_FEATURES
    assert model.refusal.features == QUESTION_FEATURES
    assert all(w > 0 for w in model.first_stage)
    assert model.fitted_on["ranker"]["questions"] > 1000  # fitted, not the hand-set bootstrap


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "model.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def packaged() -> dict:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


def test_a_missing_model_file_names_the_file(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(ModelError, match=r"nowhere\.json.*missing"):
        load_model(path)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: "{not json", "unreadable"),
        (lambda d: {**d, "format": 99}, "format 99"),
        (lambda d: {k: v for k, v in d.items() if k != "refusal"}, "missing field 'refusal'"),
        (
            lambda d: {**d, "ranker": {**d["ranker"], "features": d["ranker"]["features"][::-1]}},
            "other features",
        ),
        (
            lambda d: {**d, "refusal": {**d["refusal"], "weights": d["refusal"]["weights"][:-1]}},
            "one per feature",
        ),
        (lambda d: {**d, "ranker": {**d["ranker"], "depth": 1}}, "deeper than its stated depth"),
        (
            lambda d: {**d, "ranker": {**d["ranker"], "roots": [10**9]}},
            "points outside the trees",
        ),
        (
            lambda d: {
                **d,
                "ranker": {
                    **d["ranker"],
                    "nodes": {**d["ranker"]["nodes"], "value": d["ranker"]["nodes"]["value"][1:]},
                },
            },
            "every node needs",
        ),
        (lambda d: {**d, "first_stage": {"lemma": 0, "bigram": 0, "kanji": 0}}, "not all zero"),
        (lambda d: {**d, "refusal": {**d["refusal"], "near_margin": 1.0}}, "near_margin 1.0"),
        (
            lambda d: {**d, "refusal": {**d["refusal"], "low": d["refusal"]["high"][:-1]}},
            "low and high",
        ),
        (
            lambda d: {
                **d,
                "refusal": {
                    **d["refusal"],
                    "low": d["refusal"]["high"],
                    "high": d["refusal"]["low"],
                },
            },
            "at most its high",
        ),
        (
            lambda d: {
                **d,
                "refusal": {k: v for k, v in d["refusal"].items() if k != "near_margin"},
            },
            "missing field 'near_margin'",
        ),
    ],
)
def test_a_damaged_model_file_is_a_clear_error_naming_it(tmp_path, damage, message):
    path = write(tmp_path, damage(packaged()))
    with pytest.raises(ModelError, match=message) as caught:
        load_model(path)
    assert str(path) in str(caught.value)


def test_a_model_round_trips_through_its_file(tmp_path):
    model = load_model()
    path = tmp_path / "copy.json"
    model.save(path)
    again = load_model(path)
    assert again.first_stage == model.first_stage and again.threshold == model.threshold
    for part in ("feature", "threshold", "left", "right", "value", "roots"):
        assert np.array_equal(getattr(again.ranker, part), getattr(model.ranker, part))
    assert again.ranker.depth == model.ranker.depth
    assert np.array_equal(again.refusal.weights, model.refusal.weights)
    assert np.array_equal(again.refusal.low, model.refusal.low)
    assert np.array_equal(again.refusal.high, model.refusal.high)


def test_the_refusal_reads_a_feature_beyond_its_fitted_range_as_its_edge():
    """A library a hundred times any fitted one is read as the largest fitted: the model's
    pairwise products are not extrapolated."""
    refusal = load_model().refusal
    assert refusal.low is not None and refusal.high is not None
    at_edge = refusal.high.copy()
    beyond = at_edge.copy()
    size = QUESTION_FEATURES.index("library_size")
    beyond[size] = at_edge[size] + np.log(100)
    assert refusal(beyond[None])[0] == refusal(at_edge[None])[0]
    inside = at_edge.copy()
    inside[size] = (refusal.low[size] + refusal.high[size]) / 2
    assert refusal(inside[None])[0] != refusal(at_edge[None])[0]


def tree(feature: str, threshold: float, low: float, high: float, root: int = 0) -> dict:
    """One split's nodes (root, then its two leaves), numbered from `root`."""
    return {
        "feature": [RANKER_FEATURES.index(feature), 0, 0],
        "threshold": [threshold, float("inf"), float("inf")],
        "left": [root + 1, root + 1, root + 2],
        "right": [root + 2, root + 1, root + 2],
        "value": [0.0, low, high],
    }


def stumps(*parts: dict) -> Trees:
    nodes = {k: [v for p in parts for v in p[k]] for k in parts[0]}
    nodes["threshold"] = [None if t == float("inf") else t for t in nodes["threshold"]]
    roots = [3 * i for i in range(len(parts))]
    data = {"features": list(RANKER_FEATURES), "depth": 1, "roots": roots, "nodes": nodes}
    return Trees.from_json(data, RANKER_FEATURES)


def test_the_trees_add_up_the_leaf_each_window_reaches():
    windows = np.zeros((3, len(WINDOW_FEATURES)))
    windows[:, WINDOW_FEATURES.index("bigram")] = [0.2, 0.5, 0.9]
    ranker = stumps(
        tree("bigram", 0.5, low=-1.0, high=1.0),  # x <= 0.5 goes left (low), as in LightGBM
        tree("bigram_below_best", -0.3, low=0.0, high=10.0, root=3),
    )
    # bigram_below_best: -0.7, -0.4, 0.0
    assert ranker(windows).tolist() == [-1.0, -1.0, 11.0]


def test_the_ranker_inputs_are_each_ranked_feature_its_gap_to_the_best_and_the_count():
    windows = np.arange(2 * len(WINDOW_FEATURES), dtype=float).reshape(2, -1)
    x = ranker_inputs(windows)
    assert x.shape == (2, len(RANKER_FEATURES))
    n = len(RANKED)
    gap = -float(len(WINDOW_FEATURES))
    assert np.array_equal(x[:, :n], windows[:, [WINDOW_FEATURES.index(f) for f in RANKED]])
    assert np.array_equal(x[0, n : 2 * n], np.full(n, gap))
    assert np.array_equal(x[1, n : 2 * n], np.zeros(n))
    assert x[0, -1] == pytest.approx(np.log(2))


def test_the_answerer_uses_the_model_it_is_given(kb, tmp_path):
    data = packaged()
    data["refusal"]["threshold"] = 1e9  # nothing is ever confident enough
    strict = RankingModel.from_json(data)
    folder = kb.library.folder
    answer = KnowledgeBase.load(folder, persist=False, model=strict).ask(
        "アメリカの変化は善意によるものか"
    )
    assert not answer.answered and answer.kind == "refused"
    assert answer.passages  # still ranked: the candidates are shown as what was found
    assert not answer.nearest  # far below the threshold, beyond the near margin


def test_a_refusal_within_the_near_margin_shows_its_window_as_the_nearest_passage(kb):
    data = packaged()
    data["refusal"]["threshold"] = 1e9
    data["refusal"]["near_margin"] = -1e12  # every refusal counts as near
    near = KnowledgeBase.load(kb.library.folder, persist=False, model=RankingModel.from_json(data))
    answer = near.ask("アメリカの変化は善意によるものか")
    assert (answer.answered, answer.kind, answer.nearest) == (False, "refused", True)
    assert answer.refusal_key == "refused_near"
    assert "善意" in answer.passages[0].quote
    assert json.loads(json.dumps(answer.to_json(), ensure_ascii=False))["nearest"] is True
    # A question about something else is not shown a near passage, however lenient the margin.
    elsewhere = near.ask("明日の東京の天気は？")
    assert not elsewhere.nearest


def test_the_verdict_is_answer_near_or_refuse_by_the_threshold_and_margin():
    model = load_model()
    x = np.zeros(len(QUESTION_FEATURES))
    logit = float(model.refusal(x))
    at = RankingModel(
        model.first_stage, model.ranker, model.refusal, logit, -1.0, model.fitted_on
    ).verdict(x)
    assert (at.answered, at.near) == (True, False)
    above = RankingModel(
        model.first_stage, model.ranker, model.refusal, logit + 0.5, -1.0, model.fitted_on
    ).verdict(x)
    assert (above.answered, above.near) == (False, True)
    beyond = RankingModel(
        model.first_stage, model.ranker, model.refusal, logit + 1.5, -1.0, model.fitted_on
    ).verdict(x)
    assert (beyond.answered, beyond.near) == (False, False)
    assert 0 < beyond.probability < 1
