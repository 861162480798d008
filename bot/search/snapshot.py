"""The parsed library as arrays plus JSON, stored with the index so a restart skips parsing.

Parsing 10,000 article files takes about six seconds, and holding their text as Python strings
costs every serving process a few hundred megabytes. So the stored layout is read, not rebuilt:
article and section fields as JSON (small), every paragraph's text in one UTF-8 blob with its
byte offsets, paragraph numbers and lines as integer arrays. A loaded paragraph reads its text
from the memory-mapped blob when asked (`StoredText`). Sentences are verbatim slices of their
paragraph, so they are stored as byte bounds, not text. Paths are relative to the knowledge
folder, so a moved folder keeps its index.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Mapping
from itertools import starmap
from pathlib import Path
from typing import Any

import numpy as np

from bot.articles import Article, ArticleError, Library, Paragraph, Section
from bot.articles.model import HeaderLine

STRUCTURED = ("path", "sections", "header_lines", "warnings")
PLAIN = tuple(f.name for f in dataclasses.fields(Article) if f.name not in STRUCTURED)


def dump(library: Library) -> dict[str, np.ndarray]:
    """The library as named arrays (JSON and text as UTF-8 bytes), stored by `bot.search.store`."""
    paragraphs = [p for a in library.articles for s in a.sections for p in s.paragraphs]
    bounds: list[int] = []  # (start, end) byte offsets of every sentence in the joined text, flat
    loose: dict[int, tuple[str, ...]] = {}  # sentences that are not slices of their paragraph
    encoded = [p.text.encode() for p in paragraphs]
    offset = 0
    for i, (p, data) in enumerate(zip(paragraphs, encoded, strict=True)):
        spans = _spans(data, p.sentences)
        if spans is None:
            loose[i] = p.sentences
        else:
            bounds += (offset + x for x in spans)
        offset += len(data)
    meta = {
        "articles": [_article(a, library.folder) for a in library.articles],
        "errors": [[_relative(e.path, library.folder), e.line, e.message] for e in library.errors],
        "loose": list(loose.items()),
    }
    columns = {
        "number": [p.number for p in paragraphs],
        "line": [p.line for p in paragraphs],
        "sentences": [0 if i in loose else len(p.sentences) for i, p in enumerate(paragraphs)],
    }
    return {
        "meta": _utf8(json.dumps(meta, ensure_ascii=False)),
        "text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "ends": np.cumsum([len(d) for d in encoded], dtype=np.int64),
        "bounds": np.array(bounds, dtype=np.int64),
        **{name: np.array(values, dtype=np.int32) for name, values in columns.items()},
    }


class StoredText:
    """Paragraph and sentence texts read from the stored UTF-8 bytes when a paragraph is asked
    for them: with the arrays memory-mapped, no process holds text it does not quote, and all
    processes serving one index share the pages."""

    def __init__(self, arrays: Mapping[str, np.ndarray], loose: dict[int, tuple[str, ...]]):
        self.text = arrays["text"]
        self.ends = arrays["ends"]
        self.bounds = arrays["bounds"]
        self.counts = arrays["sentences"]
        self.loose = loose
        if len(self.ends) != len(self.counts):
            raise ValueError("paragraph ends and sentence counts disagree")
        if (int(self.ends[-1]) if len(self.ends) else 0) != len(self.text):
            raise ValueError("paragraph lengths do not add up to the stored text")
        last = np.cumsum(self.counts, dtype=np.int64)
        if 2 * (int(last[-1]) if len(last) else 0) != len(self.bounds):
            raise ValueError("sentence counts do not add up to the stored sentences")
        self.first = last - self.counts

    def _decode(self, start: int, end: int) -> str:
        return self.text[start:end].tobytes().decode()

    def paragraph_text(self, i: int) -> str:
        return self._decode(int(self.ends[i - 1]) if i else 0, int(self.ends[i]))

    def paragraph_sentences(self, i: int) -> tuple[str, ...]:
        if (found := self.loose.get(i)) is not None:
            return found
        first = 2 * int(self.first[i])
        flat = self.bounds[first : first + 2 * int(self.counts[i])].tolist()
        return tuple(self._decode(a, b) for a, b in zip(flat[::2], flat[1::2], strict=True))


def load(arrays: Mapping[str, np.ndarray], folder: Path) -> Library:
    """The library `dump` stored; `arrays` may be memory-mapped (and stay in use: paragraphs
    read their text from them)."""
    meta = json.loads(arrays["meta"].tobytes())
    source = StoredText(arrays, {int(i): tuple(s) for i, s in meta["loose"]})
    paragraphs = list(
        map(
            Paragraph.stored,
            arrays["number"].tolist(),
            arrays["line"].tolist(),
            itertools.repeat(source),
            range(len(source.ends)),
        )
    )
    taken = 0

    def take(count: int) -> tuple[Paragraph, ...]:
        nonlocal taken
        taken += count
        return tuple(paragraphs[taken - count : taken])

    articles = tuple(
        Article(
            **{name: a[name] for name in PLAIN},
            path=_absolute(a["path"], folder),
            sections=tuple(
                Section(index, heading, take(count), line)
                for index, heading, line, count in a["sections"]
            ),
            header_lines=tuple(starmap(HeaderLine, a["header_lines"])),
            warnings=tuple(a["warnings"]),
        )
        for a in meta["articles"]
    )
    if taken != len(paragraphs):
        raise ValueError("the articles do not hold the paragraphs stored")
    errors = tuple(
        ArticleError(_absolute(path, folder), line, message)
        for path, line, message in meta["errors"]
    )
    return Library(folder, articles, errors)


def _article(a: Article, folder: Path) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(a, name) for name in PLAIN}
    out["path"] = _relative(a.path, folder)
    out["sections"] = [[s.index, s.heading, s.line, len(s.paragraphs)] for s in a.sections]
    out["header_lines"] = [[h.field, h.text, h.line] for h in a.header_lines]
    out["warnings"] = a.warnings
    return out


def _spans(text: bytes, sentences: tuple[str, ...]) -> list[int] | None:
    """Each sentence's (start, end) byte offsets in the paragraph's UTF-8 text, flat; None if
    one is not a slice of it."""
    spans: list[int] = []
    end = 0
    for sentence in sentences:
        data = sentence.encode()
        start = text.find(data, end)
        if start < 0:
            return None
        end = start + len(data)
        spans += (start, end)
    return spans


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _relative(path: Path, folder: Path) -> str:
    return path.name if path.parent == folder else str(path.absolute())


def _absolute(stored: str, folder: Path) -> Path:
    return Path(stored) if os.path.isabs(stored) else folder / stored
