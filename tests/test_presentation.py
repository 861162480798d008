"""The words front ends share, decided once."""

from bot.answers.model import Answer, AnswerKind
from bot.presentation import rate_text, refusal_lines, row_mark


def test_refusal_lines_reason_then_unknown_words_then_language_escaped_by_the_caller():
    answer = Answer("@x Tokyo?", False, AnswerKind.REFUSED, unknown_terms=("@x",), language="en")
    lines = refusal_lines(answer, "en", lambda s: s.replace("@", "@\u200b"))
    assert len(lines) == 3
    assert "@\u200bx" in lines[1] and "@x" not in lines[1]
    assert lines[0] != lines[2]
    assert refusal_lines(Answer("", False, AnswerKind.INVALID), "ja") == refusal_lines(
        Answer("?", False, AnswerKind.INVALID, unknown_terms=("x",)), "ja"
    )


def test_row_marks_and_rates():
    assert [row_mark(True, "passage"), row_mark(False, "crosslingual"), row_mark(False, None)] == [
        "✓",
        "~",
        "✗",
    ]
    assert row_mark(False, "refused", emoji=True) == "❌"
    assert row_mark(False, "rate_limited") == "…"  # turned away, not refused by the articles
    assert rate_text(None) == "-" and rate_text(0.5) == "50%"


def test_unknown_words_are_quoted_in_the_readers_language_with_the_right_verb():
    two = Answer(
        "新宿のラーメン屋は", False, AnswerKind.REFUSED, unknown_terms=("新宿", "ラーメン屋")
    )
    one = Answer("新宿は", False, AnswerKind.REFUSED, unknown_terms=("新宿",))
    assert refusal_lines(two, "ja")[1] == "「新宿」「ラーメン屋」は記事のどこにも出てきません。"
    assert refusal_lines(two, "en-US")[1] == (
        "“新宿”, “ラーメン屋” do not appear anywhere in the articles."
    )
    assert refusal_lines(one, "en-US")[1] == "“新宿” does not appear anywhere in the articles."


def test_confidence_is_a_word_from_fitted_cut_offs():
    from bot.presentation import confidence_text
    from bot.ranking.confidence import cutoffs

    high, medium, _ = cutoffs()
    assert 0 < medium <= high < 1
    sure = Answer("q", True, AnswerKind.PASSAGE, confidence=high)
    unsure = Answer("q", True, AnswerKind.PASSAGE, confidence=medium / 2)
    assert confidence_text(sure, "ja") == "確度: 高"
    assert confidence_text(unsure, "en-US") == "confidence: low"
    assert confidence_text(Answer("q", True, AnswerKind.METADATA), "ja") is None


def test_an_answer_lacking_the_asked_kind_is_never_called_sure(tmp_path, monkeypatch):
    import json

    from bot.presentation import confidence_text
    from bot.ranking import confidence

    fitted = json.loads(confidence.CUTOFFS_FILE.read_text(encoding="utf-8"))
    fitted["lacking_kind"]["at_most"] = "medium"
    capped = tmp_path / "confidence.json"
    capped.write_text(json.dumps(fitted))
    monkeypatch.setattr(confidence, "CUTOFFS_FILE", capped)
    confidence.cutoffs.cache_clear()
    try:
        _, medium, _ = confidence.cutoffs()
        lacking = Answer("q", True, AnswerKind.PASSAGE, confidence=1.0, lacking_kind="time")
        assert (
            confidence_text(lacking, "ja")
            == "確度: 中（この箇所に、質問の求める日時は見当たりません）"
        )
        low = Answer("q", True, AnswerKind.PASSAGE, confidence=medium / 2, lacking_kind="place")
        # Capped, never raised.
        assert confidence_text(low, "en-US") == (
            "confidence: low (this passage gives no place, which the question asks for)"
        )
    finally:
        confidence.cutoffs.cache_clear()


def test_the_engine_says_when_the_first_passage_lacks_the_asked_kind(kb):
    # The seed article never dates the meeting in its text (only its photo caption does).
    undated = kb.ask("いつ会談が行われた？")
    assert undated.answered and undated.lacking_kind == "time"
    assert kb.ask("アンカレッジは最終的な平和だったのか").lacking_kind is None


def test_unreadable_cut_offs_name_their_file(tmp_path, monkeypatch, kb):
    import json
    from pathlib import Path

    import pytest

    from bot.answers.engine import Answerer
    from bot.ranking import confidence
    from bot.ranking.model import ModelError

    broken = tmp_path / "confidence.json"
    broken.write_text("{not json")
    monkeypatch.setattr(confidence, "CUTOFFS_FILE", broken)
    confidence.cutoffs.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"confidence\.json: the confidence cut-offs are"):
            confidence.level(0.5)
        packaged = Path(confidence.__file__).with_name("confidence.json")
        fields = json.loads(packaged.read_text(encoding="utf-8"))
        broken.write_text(json.dumps({k: v for k, v in fields.items() if k != "lacking_kind"}))
        confidence.cutoffs.cache_clear()
        with pytest.raises(ModelError, match=r"confidence\.json: .* lack the field 'lacking_kind'"):
            confidence.level(0.5)
        # Read when an answerer is made: the bot stops at start, not at its first answer.
        confidence.cutoffs.cache_clear()
        with pytest.raises(ModelError, match=r"confidence\.json"):
            Answerer(kb.library, kb.answerer.analyzer, kb.answerer.index, kb.answerer.model)
    finally:
        confidence.cutoffs.cache_clear()
