"""The indexed sentences ("units") and where each sits, kept as arrays rather than objects.

An archive of 10,000 articles has about 460,000 sentences: one Python object each would cost
about 100 MB and a second at every start, while five integer arrays load in milliseconds and
are what the persisted index stores. `Unit` objects are made on demand for the few sentences an
answer quotes; their text is read from the library, which already holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from bot.articles import Library

FIELDS = ("article", "section", "paragraph", "sentence", "chars")


@dataclass(frozen=True)
class Unit:
    """One indexed sentence and where it sits."""

    article: int
    section: int
    paragraph: int
    sentence: int
    text: str


class Units(Sequence[Unit]):
    """Every sentence of a library in reading order, with its article, section, paragraph, length."""

    def __init__(self, library: Library, arrays: dict[str, np.ndarray]) -> None:
        self.library = library
        self.arrays = arrays
        self.article = arrays["article"]
        self.section = arrays["section"]
        self.paragraph = arrays["paragraph"]
        self.sentence = arrays["sentence"]
        self.chars = arrays["chars"]
        # Sentences of one paragraph are consecutive: it ends where the next one starts at 0.
        bounds = np.append(np.flatnonzero(self.sentence == 0), len(self.sentence))
        self.paragraph_end = np.repeat(bounds[1:] - 1, np.diff(bounds))

    @classmethod
    def of(cls, library: Library) -> Units:
        rows = [
            (ai, section.index, pi, si, len(text))
            for ai, article in enumerate(library.articles)
            for section in article.sections
            for pi, paragraph in enumerate(section.paragraphs)
            for si, text in enumerate(paragraph.sentences)
        ]
        table = np.array(rows, dtype=np.int32).reshape(-1, len(FIELDS))
        return cls(library, {name: table[:, i].copy() for i, name in enumerate(FIELDS)})

    def __len__(self) -> int:
        return len(self.sentence)

    @overload
    def __getitem__(self, i: int) -> Unit: ...
    @overload
    def __getitem__(self, i: slice) -> list[Unit]: ...
    def __getitem__(self, i: int | slice) -> Unit | list[Unit]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        a, s, p, n = (
            int(x[i]) for x in (self.article, self.section, self.paragraph, self.sentence)
        )
        text = self.library.articles[a].sections[s].paragraphs[p].sentences[n]
        return Unit(a, s, p, n, text)

    def __iter__(self) -> Iterator[Unit]:
        return (self[i] for i in range(len(self)))

    def texts(self) -> Iterator[str]:
        """Every sentence's text in unit order, straight from the library."""
        for article in self.library.articles:
            for section in article.sections:
                for paragraph in section.paragraphs:
                    yield from paragraph.sentences
