"""The packaged ranking model loads; a missing, damaged or mismatched one is a clear error."""

import json
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge_base import KnowledgeBase
from bot.ranking.features import QUESTION_FEATURES, WINDOW_FEATURES
from bot.ranking.model import MODEL_FILE, ModelError, RankingModel, load_model


def test_the_packaged_model_loads_with_the_features_named_in_the_code():
    model = load_model()
    assert model.ranker.features == WINDOW_FEATURES
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
            lambda d: {**d, "ranker": {**d["ranker"], "weights": d["ranker"]["weights"][:-1]}},
            "one per feature",
        ),
        (lambda d: {**d, "first_stage": {"lemma": 0, "bigram": 0, "kanji": 0}}, "not all zero"),
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
    assert np.array_equal(again.ranker.weights, model.ranker.weights)


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
