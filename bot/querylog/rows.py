"""What the reports return: plain dataclasses that front ends render.

Every field is a str, int, float, bool, None or a list of these dataclasses, so
`dataclasses.asdict(result)` is ready for `json.dumps`. Times are UTC ISO 8601 text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueryRow:
    """One logged question; `score` is the top passage's score (column `top_score`)."""

    id: int
    time: str
    source: str
    guild_id: int | None
    channel_id: int | None
    user_id: int | None
    user_name: str | None
    question: str
    answered: bool
    top_article: str | None
    top_section: str | None
    top_paragraph: int | None
    score: float | None
    n_passages: int
    latency_ms: float | None
    app_version: str
    kind: str | None  # None for rows written before the log recorded it
    top_quote: str | None  # the quote shown first; None before the log recorded it
    continues: int | None  # the id of the question this one followed up
    thumbs_up: int
    thumbs_down: int


@dataclass(frozen=True)
class Downvote:
    """A 👎 with what was shown and why: `reason` one of `writes.REASONS` or None (not said)."""

    row: QueryRow
    voter_id: int
    time: str
    reason: str | None
    detail: str | None
    message_url: str | None


@dataclass(frozen=True)
class QuestionGroup:
    """Questions that differ only in punctuation, width, case or a few characters."""

    count: int
    question: str
    last_asked: str


@dataclass(frozen=True)
class QuestionGroups:
    """A grouping report. `complete` is False when it covers only the most asked questions
    (too many distinct ones, or its time ran out): front ends say so."""

    groups: list[QuestionGroup]
    complete: bool = True


@dataclass(frozen=True)
class SectionCount:
    article: str | None
    section: str
    count: int


@dataclass(frozen=True)
class DayCount:
    date: str
    answered: int
    refused: int


@dataclass(frozen=True)
class Stats:
    """Figures for the `days` calendar days up to today in the time zone asked for."""

    days: int
    since: str
    total: int
    answered: int
    refused: int
    answer_rate: float | None
    thumbs_up: int
    thumbs_down: int
    top_questions: list[QuestionGroup]
    top_questions_complete: bool
    top_sections: list[SectionCount]
    daily: list[DayCount]
