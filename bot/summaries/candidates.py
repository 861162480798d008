"""The sentences a summary may quote, each with where it stands in the article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.articles import Section


@dataclass(frozen=True)
class Candidate:
    """A verbatim sentence; `group` is the unit a summary should spread over."""

    text: str
    section: Section
    paragraph: int
    group: int
    opens_section: bool
    opens_paragraph: bool
    closes_paragraph: bool


def candidates(sections: Sequence[Section], *, by_paragraph: bool) -> list[Candidate]:
    """Sentences in article order, grouped by section, or by paragraph inside one section."""
    out: list[Candidate] = []
    for section in sections:
        for p_index, paragraph in enumerate(section.paragraphs):
            last = len(paragraph.sentences) - 1
            for i, text in enumerate(paragraph.sentences):
                out.append(
                    Candidate(
                        text=text,
                        section=section,
                        paragraph=paragraph.number,
                        group=paragraph.number if by_paragraph else section.index,
                        opens_section=p_index == 0 and i == 0,
                        opens_paragraph=i == 0,
                        closes_paragraph=i == last,
                    )
                )
    return out
