"""Checks on a question before it is searched, shared by every front end."""

from __future__ import annotations

MAX_QUESTION_CHARS = 500


def question_problem(question: str) -> tuple[str, dict[str, int]] | None:
    """A message key and its parameters when the question can't be asked as it is, else None."""
    text = question.strip()
    if not text:
        return "empty", {}
    if len(text) > MAX_QUESTION_CHARS:
        return "too_long", {"limit": MAX_QUESTION_CHARS, "length": len(text)}
    return None
