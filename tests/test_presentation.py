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
