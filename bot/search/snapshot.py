"""The parsed library as arrays plus JSON, stored with the index so a restart skips parsing.

Parsing 10,000 article files takes about six seconds. Reading them back has to make the same
million objects, so the layout is chosen for that: article and section fields as JSON (small),
every paragraph's text in one UTF-8 blob, and paragraph numbers, lines, lengths and sentence
bounds as integer arrays (JSON would spend longer scanning 60 MB of text and a million numbers
than building the objects). Sentences are verbatim slices of their paragraph, so they are stored
as bounds, not text. Paths are relative to the knowledge folder, so a moved folder keeps its
index.
"""

from __future__ import annotations

import dataclasses
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
    bounds: list[int] = []  # (start, end) of every sentence in the joined text, flat
    loose: dict[int, tuple[str, ...]] = {}  # sentences that are not slices of their paragraph
    offset = 0
    for i, p in enumerate(paragraphs):
        spans = _spans(p)
        if spans is None:
            loose[i] = p.sentences
        else:
            bounds += (offset + x for x in spans)
        offset += len(p.text)
    meta = {
        "articles": [_article(a, library.folder) for a in library.articles],
        "errors": [[_relative(e.path, library.folder), e.line, e.message] for e in library.errors],
        "loose": list(loose.items()),
    }
    columns = {
        "number": [p.number for p in paragraphs],
        "line": [p.line for p in paragraphs],
        "chars": [len(p.text) for p in paragraphs],
        "sentences": [0 if i in loose else len(p.sentences) for i, p in enumerate(paragraphs)],
    }
    return {
        "meta": _utf8(json.dumps(meta, ensure_ascii=False)),
        "text": _utf8("".join(p.text for p in paragraphs)),
        "bounds": np.array(bounds, dtype=np.int64),
        **{name: np.array(values, dtype=np.int32) for name, values in columns.items()},
    }


def load(arrays: Mapping[str, np.ndarray], folder: Path) -> Library:
    """The library `dump` stored; `arrays` may be memory-mapped."""
    meta = json.loads(arrays["meta"].tobytes())
    text = arrays["text"].tobytes().decode()
    ends = np.cumsum(arrays["chars"], dtype=np.int64)
    if (ends[-1] if len(ends) else 0) != len(text):
        raise ValueError("paragraph lengths do not add up to the stored text")
    # Whole-library passes with map and slices rather than a loop per paragraph: this runs for
    # every one of an archive's 120,000 paragraphs and 460,000 sentences at each start.
    starts = np.concatenate([[0], ends[:-1]])
    texts = list(map(text.__getitem__, map(slice, starts.tolist(), ends.tolist())))
    bounds = iter(arrays["bounds"].tolist())
    sentences = list(map(text.__getitem__, map(slice, bounds, bounds)))
    last = np.cumsum(arrays["sentences"], dtype=np.int64)
    if (last[-1] if len(last) else 0) != len(sentences):
        raise ValueError("sentence counts do not add up to the stored sentences")
    first = np.concatenate([[0], last[:-1]])
    grouped = [tuple(sentences[a:b]) for a, b in zip(first.tolist(), last.tolist(), strict=True)]
    for i, loose in meta["loose"]:
        grouped[i] = tuple(loose)
    paragraphs = list(
        map(Paragraph, arrays["number"].tolist(), texts, grouped, arrays["line"].tolist())
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


def _spans(p: Paragraph) -> list[int] | None:
    """Each sentence's (start, end) in the paragraph, flat; None if one is not a slice of it."""
    spans: list[int] = []
    end = 0
    for sentence in p.sentences:
        start = p.text.find(sentence, end)
        if start < 0:
            return None
        end = start + len(sentence)
        spans += (start, end)
    return spans


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _relative(path: Path, folder: Path) -> str:
    return path.name if path.parent == folder else str(path.absolute())


def _absolute(stored: str, folder: Path) -> Path:
    return Path(stored) if os.path.isabs(stored) else folder / stored
