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
import zlib
from collections.abc import Callable, Mapping
from itertools import starmap
from pathlib import Path
from typing import Any

import numpy as np

from bot.articles import Article, ArticleError, Library, Paragraph, Section
from bot.articles.library import load_article
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
        "errors": [[relative(e.path, library.folder), e.line, e.message] for e in library.errors],
        "loose": list(loose.items()),
    }
    columns = {
        "number": [p.number for p in paragraphs],
        "line": [p.line for p in paragraphs],
        "sentences": [0 if i in loose else len(p.sentences) for i, p in enumerate(paragraphs)],
    }
    stored_bounds = np.array(bounds, dtype=np.int64)
    return {
        "meta": _utf8(json.dumps(meta, ensure_ascii=False)),
        "text": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "ends": np.cumsum([len(d) for d in encoded], dtype=np.int64),
        "bounds": stored_bounds,
        "checks": _checks(encoded, stored_bounds, columns["sentences"]),
        **{name: np.array(values, dtype=np.int32) for name, values in columns.items()},
    }


class DamagedText(ValueError):
    """A stored paragraph whose bytes or sentence bounds are not what was written."""


class StoredText:
    """Paragraph and sentence texts read from the stored UTF-8 bytes when a paragraph is asked
    for them: with the arrays memory-mapped, no process holds text it does not quote, and all
    processes serving one index share the pages.

    Text read this way is never checked at start (that would read all of it), so each read is:
    a paragraph's bytes and sentence bounds carry the CRC-32 written with them. One that does
    not match (a damaged file) is read from its article file instead, and `on_damage` is told,
    so that the index is rebuilt: a damaged index never puts other words in an author's mouth.
    """

    def __init__(
        self,
        arrays: Mapping[str, np.ndarray],
        loose: dict[int, tuple[str, ...]],
        recover: Callable[[int], tuple[str, tuple[str, ...]]],
        on_damage: Callable[[str], None],
    ):
        self.text = arrays["text"]
        self.ends = arrays["ends"]
        self.bounds = arrays["bounds"]
        self.counts = arrays["sentences"]
        self.checks = arrays["checks"]
        self.loose = loose
        self.recover = recover
        self.on_damage = on_damage
        if not len(self.ends) == len(self.counts) == len(self.checks):
            raise ValueError("paragraph ends, sentence counts and checksums disagree")
        if (int(self.ends[-1]) if len(self.ends) else 0) != len(self.text):
            raise ValueError("paragraph lengths do not add up to the stored text")
        last = np.cumsum(self.counts, dtype=np.int64)
        if 2 * (int(last[-1]) if len(last) else 0) != len(self.bounds):
            raise ValueError("sentence counts do not add up to the stored sentences")
        self.first = last - self.counts

    def _read(self, i: int) -> tuple[str, tuple[str, ...]]:
        """Paragraph i's text and sentences, checked against its checksum."""
        start, end = (int(self.ends[i - 1]) if i else 0), int(self.ends[i])
        data = self.text[start:end].tobytes()
        first = 2 * int(self.first[i])
        spans = self.bounds[first : first + 2 * int(self.counts[i])]
        try:
            if zlib.crc32((spans - start).tobytes(), zlib.crc32(data)) != int(self.checks[i]):
                raise DamagedText(f"paragraph {i}: checksum mismatch")
            flat = (spans - start).tolist()
            sentences = tuple(
                data[a:b].decode() for a, b in zip(flat[::2], flat[1::2], strict=True)
            )
            text = data.decode()
        except (DamagedText, UnicodeDecodeError) as e:
            self.on_damage(f"paragraph {i}: {e}")
            return self.recover(i)
        return text, self.loose.get(i, sentences)

    def paragraph_text(self, i: int) -> str:
        return self._read(i)[0]

    def paragraph_sentences(self, i: int) -> tuple[str, ...]:
        return self._read(i)[1]


def _checks(encoded: list[bytes], bounds: np.ndarray, counts: list[int]) -> np.ndarray:
    """Each paragraph's CRC-32 over its bytes, then its sentence bounds relative to its start:
    relative, so that a paragraph moved by an update (`bot.search.update`) keeps its check."""
    out = np.zeros(len(encoded), dtype=np.uint32)
    first = offset = 0
    for i, (data, count) in enumerate(zip(encoded, counts, strict=True)):
        spans = bounds[2 * first : 2 * (first + count)] - offset
        out[i] = zlib.crc32(spans.tobytes(), zlib.crc32(data))
        first += count
        offset += len(data)
    return out


def load(
    arrays: Mapping[str, np.ndarray],
    folder: Path,
    on_damage: Callable[[str], None] = lambda detail: None,
) -> Library:
    """The library `dump` stored; `arrays` may be memory-mapped (and stay in use: paragraphs
    read their text from them). `on_damage` hears of text found damaged when read."""
    meta = json.loads(arrays["meta"].tobytes())
    # Where each article's paragraphs start, for reading one again from its file.
    starts = np.cumsum([0] + [sum(s[3] for s in a["sections"]) for a in meta["articles"]])

    def recover(i: int) -> tuple[str, tuple[str, ...]]:
        a = int(np.searchsorted(starts, i, side="right")) - 1
        record, j = meta["articles"][a], i - int(starts[a])
        path = _absolute(record["path"], folder)
        for k, (_, _, _, count) in enumerate(record["sections"]):
            if j < count:
                try:
                    paragraph = load_article(path).sections[k].paragraphs[j]
                except IndexError:
                    break  # the file changed since the index was built: it will be
                return paragraph.text, paragraph.sentences
            j -= count
        raise ValueError(f"{path}: paragraph {i} of the stored index is not in this article")

    source = StoredText(arrays, {int(i): tuple(s) for i, s in meta["loose"]}, recover, on_damage)
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
    out["path"] = relative(a.path, folder)
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


def relative(path: Path, folder: Path) -> str:
    return path.name if path.parent == folder else str(path.absolute())


def _absolute(stored: str, folder: Path) -> Path:
    return Path(stored) if os.path.isabs(stored) else folder / stored
