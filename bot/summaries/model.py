"""What a summary is: verbatim sentences with their place in the article, and its errors.

Plain data, so that the command line, the console chat and Discord render the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Length = Literal["short", "long", "outline"]
LENGTHS: tuple[Length, ...] = ("short", "long", "outline")


@dataclass(frozen=True)
class SummarySentence:
    """One sentence quoted as written; `paragraph` counts from 1 within its section."""

    text: str
    section: str
    section_index: int
    paragraph: int

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "section": self.section,
            "section_index": self.section_index,
            "paragraph": self.paragraph,
        }


@dataclass(frozen=True)
class Summary:
    """Sentences in article order; `section` is set when one section was summarised."""

    article_id: str
    title: str
    length: Length
    section: str | None
    section_index: int | None
    sentences: tuple[SummarySentence, ...]

    def by_section(self) -> list[tuple[int, str, list[SummarySentence]]]:
        """(section index, heading, sentences) in article order, for rendering under headings."""
        groups: list[tuple[int, str, list[SummarySentence]]] = []
        for s in self.sentences:
            if not groups or groups[-1][0] != s.section_index:
                groups.append((s.section_index, s.section, []))
            groups[-1][2].append(s)
        return groups

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article_id,
            "title": self.title,
            "length": self.length,
            "section": self.section,
            "section_index": self.section_index,
            "sentences": [s.to_json() for s in self.sentences],
        }


class SummaryError(LookupError):
    """A request that names no existing article, section or length: the message's key and what
    it names (what exists), worded in the reader's language by `bot.presentation`."""

    def __init__(self, message_key: str, /, **params: object) -> None:
        self.message_key = message_key
        self.params = params
        super().__init__(message_key, params)
