"""The article data model shared by every part of the bot.

Text is kept exactly as in the source file (only the paragraph indent is dropped), because
answers quote it verbatim; normalisation happens in `bot.text`, never here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

_DATE = re.compile(r"(\d{4})(?:\D{1,3}(\d{1,2})(?:\D{1,3}(\d{1,2}))?)?")

LEAD_HEADING = "リード"


class ArticleError(ValueError):
    """A file that cannot be read as an article; names the file and the line at fault."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


class TextSource(Protocol):
    """Where a stored library's paragraph texts are read from (`bot.search.snapshot`)."""

    def paragraph_text(self, i: int) -> str: ...

    def paragraph_sentences(self, i: int) -> tuple[str, ...]: ...


class Paragraph:
    """One paragraph; `number` counts from 1 within its section, `line` is 1-based in the file.

    A paragraph parsed from a file holds its text. One read back from the stored index holds
    only where its text is (`stored`): an archive has half a million sentences, and as Python
    strings in every serving process they were most of its memory and of its start-up time,
    while a question reads the text of a few paragraphs. Both compare equal by value.
    """

    __slots__ = ("_at", "_sentences", "_source", "_text", "line", "number")

    def __init__(self, number: int, text: str, sentences: tuple[str, ...], line: int) -> None:
        self.number = number
        self.line = line
        self._text: str | None = text
        self._sentences: tuple[str, ...] | None = sentences
        self._source: TextSource | None = None
        self._at = -1

    @classmethod
    def stored(cls, number: int, line: int, source: TextSource, at: int) -> Paragraph:
        """Paragraph `at` of `source`, its text read when asked for."""
        p = cls.__new__(cls)
        p.number, p.line = number, line
        p._text = p._sentences = None
        p._source, p._at = source, at
        return p

    @property
    def text(self) -> str:
        if self._text is not None:
            return self._text
        assert self._source is not None
        return self._source.paragraph_text(self._at)

    @property
    def sentences(self) -> tuple[str, ...]:
        if self._sentences is not None:
            return self._sentences
        assert self._source is not None
        return self._source.paragraph_sentences(self._at)

    def _key(self) -> tuple[int, str, tuple[str, ...], int]:
        return (self.number, self.text, self.sentences, self.line)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Paragraph) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Paragraph(number={self.number}, text={self.text!r}, line={self.line})"


@dataclass(frozen=True)
class Section:
    """A `■`/`##` section. Index 0 is the lead: the text before the first heading."""

    index: int
    heading: str
    paragraphs: Sequence[Paragraph]
    line: int

    @property
    def is_lead(self) -> bool:
        return self.index == 0 and self.heading == LEAD_HEADING

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def sentences(self) -> tuple[str, ...]:
        return tuple(s for p in self.paragraphs for s in p.sentences)


@dataclass(frozen=True)
class HeaderLine:
    """A header line kept verbatim, so that metadata answers can quote the article itself."""

    field: str
    text: str
    line: int


@dataclass(frozen=True)
class Article:
    """One article with its header fields (any may be missing) and its sections in order."""

    id: str
    path: Path
    format: str
    title: str
    sections: tuple[Section, ...]
    subtitle: str | None = None
    original_title: str | None = None
    author: str | None = None
    author_role: str | None = None
    translator: str | None = None
    publisher: str | None = None
    date: str | None = None
    series: str | None = None
    number: str | None = None
    category: str | None = None
    caption: str | None = None
    first_published: str | None = None
    url: str | None = None
    header_lines: tuple[HeaderLine, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def section(self, key: int | str) -> Section | None:
        """Find a section by index, by exact heading, or by a unique part of its heading."""
        if isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit()):
            i = int(key)
            return self.sections[i] if 0 <= i < len(self.sections) else None
        key = key.strip().lstrip("■#").strip()
        exact = [s for s in self.sections if s.heading == key]
        if exact:
            return exact[0]
        partial = [s for s in self.sections if key and key in s.heading]
        return partial[0] if len(partial) == 1 else None

    @property
    def date_order(self) -> tuple[int, int, int]:
        """(year, month, day) of `date` for sorting, whatever its spelling (2025-09-01,
        2025年9月1日, 2025/9/1, 2025年6月, 2025; missing parts are 0); (0, 0, 0) when there is
        none, so undated articles sort last when newest come first."""
        found = _DATE.search(self.date or "")
        if not found:
            return (0, 0, 0)
        year, month, day = (int(x or 0) for x in found.groups())
        return (year, month, day)

    @property
    def credit(self) -> str:
        return credit(self.author, self.publisher, self.date)

    def header(self, field_name: str) -> HeaderLine | None:
        return next((h for h in self.header_lines if h.field == field_name), None)

    @property
    def paragraph_count(self) -> int:
        return sum(len(s.paragraphs) for s in self.sections)

    @property
    def sentence_count(self) -> int:
        return sum(len(p.sentences) for s in self.sections for p in s.paragraphs)


def credit(author: str | None, publisher: str | None, date: str | None) -> str:
    """`author, publisher, date`, leaving out what is missing: how every front end credits."""
    return ", ".join(x for x in (author, publisher, date) if x)
