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

import array
import dataclasses
import json
import operator
import os
import zlib
from collections.abc import Callable, Mapping, Sequence
from itertools import starmap
from pathlib import Path
from typing import Any, overload

import numpy as np

from bot.articles import Article, ArticleError, Library, Paragraph, Section
from bot.articles.library import load_article
from bot.articles.model import HeaderLine, TextSource

STRUCTURED = ("path", "sections", "header_lines", "warnings")
PLAIN = tuple(f.name for f in dataclasses.fields(Article) if f.name not in STRUCTURED)


def dump(library: Library) -> dict[str, np.ndarray]:
    """The library as named arrays (JSON and text as UTF-8 bytes), stored by `bot.search.store`.

    Written paragraph by paragraph into growing buffers, each paragraph's checksum as it goes:
    a list of every paragraph's bytes and of every sentence bound, then joined, was the peak of
    a 10,000-article build (about 120 MB more than the buffers)."""
    paragraphs = [p for a in library.articles for s in a.sections for p in s.paragraphs]
    text = bytearray()
    ends = array.array("q")
    bounds = array.array("q")  # (start, end) byte offsets of every sentence in the text, flat
    checks = array.array("I")
    counts = array.array("i")
    loose: dict[int, tuple[str, ...]] = {}  # sentences that are not slices of their paragraph
    for i, p in enumerate(paragraphs):
        data = p.text.encode()
        spans = _spans(data, p.sentences)
        if spans is None:
            loose[i] = p.sentences
            spans = []
        relative_spans = array.array("q", spans)
        # CRC-32 over the bytes, then the bounds relative to the paragraph's start: relative,
        # so that a paragraph moved by an update (`bot.search.update`) keeps its check.
        checks.append(zlib.crc32(relative_spans.tobytes(), zlib.crc32(data)))
        bounds.extend(len(text) + x for x in spans)
        counts.append(len(spans) // 2)
        text += data
        ends.append(len(text))
    meta = {
        "articles": [_article(a, library.folder) for a in library.articles],
        "errors": [[relative(e.path, library.folder), e.line, e.message] for e in library.errors],
        "loose": list(loose.items()),
    }
    return {
        "meta": _utf8(json.dumps(meta, ensure_ascii=False)),
        "text": np.frombuffer(text, dtype=np.uint8),
        "ends": np.frombuffer(ends, dtype=np.int64),
        "bounds": np.frombuffer(bounds, dtype=np.int64),
        "checks": np.array(checks, dtype=np.uint32),
        "number": np.array([p.number for p in paragraphs], dtype=np.int32),
        "line": np.array([p.line for p in paragraphs], dtype=np.int32),
        "sentences": np.array(counts, dtype=np.int32),
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


class StoredParagraphs(Sequence[Paragraph]):
    """A stored section's paragraphs (`Paragraph.stored`), each made when read.

    A handle per paragraph was 200,000 Python objects at 10,000 articles, built at every start
    and every update (0.25 s) and kept by every serving process (20 MB), while a question reads
    a few. Compares equal to the tuple of the same paragraphs.
    """

    __slots__ = ("_first", "_lines", "_numbers", "_source")

    def __init__(self, source: TextSource, numbers: np.ndarray, lines: np.ndarray, first: int):
        """Paragraphs `first` onwards of `source`, as many as `numbers` (and `lines`) hold."""
        self._source, self._numbers, self._lines, self._first = source, numbers, lines, first

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, i: int) -> Paragraph: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Paragraph, ...]: ...
    def __getitem__(self, i: int | slice) -> Paragraph | tuple[Paragraph, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("paragraph index out of range")
        number, line = int(self._numbers[i]), int(self._lines[i])
        return Paragraph.stored(number, line, self._source, self._first + i)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, tuple | StoredParagraphs):
            return NotImplemented  # as a tuple: never equal to a list
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def load(
    arrays: Mapping[str, np.ndarray],
    folder: Path,
    on_damage: Callable[[str], None] = lambda detail: None,
) -> Library:
    """The library `dump` stored; `arrays` may be memory-mapped (and stay in use: paragraphs
    read their text from them). `on_damage` hears of text found damaged when read."""
    meta = json.loads(arrays["meta"].tobytes())
    # For reading a paragraph again from its file: each article's path, and where its
    # sections' and paragraphs' counts start. Small copies, not `meta` (20 MB decoded at
    # 10,000 articles) nor the articles: this closure lives as long as the library, which holds
    # it, and a cycle would keep a start-up library (frozen, `bot.search.store`) for good.
    paths = [_absolute(a["path"], folder) for a in meta["articles"]]
    counts = np.array([s[3] for a in meta["articles"] for s in a["sections"]], dtype=np.int64)
    first_section = np.cumsum([0] + [len(a["sections"]) for a in meta["articles"]])
    starts = np.concatenate([[0], np.cumsum(counts)])[first_section]

    def recover(i: int) -> tuple[str, tuple[str, ...]]:
        a = int(np.searchsorted(starts, i, side="right")) - 1
        j = i - int(starts[a])
        for k, count in enumerate(counts[first_section[a] : first_section[a + 1]].tolist()):
            if j < count:
                try:
                    paragraph = load_article(paths[a]).sections[k].paragraphs[j]
                except IndexError:
                    break  # the file changed since the index was built: it will be
                return paragraph.text, paragraph.sentences
            j -= count
        raise ValueError(f"{paths[a]}: paragraph {i} of the stored index is not in this article")

    source = StoredText(arrays, {int(i): tuple(s) for i, s in meta["loose"]}, recover, on_damage)
    numbers, lines = arrays["number"], arrays["line"]
    taken = 0

    def take(count: int) -> StoredParagraphs:
        nonlocal taken
        taken += count
        first = taken - count
        return StoredParagraphs(source, numbers[first:taken], lines[first:taken], first)

    articles = tuple(
        Article(
            **{name: a[name] for name in PLAIN},
            path=path,
            sections=tuple(
                Section(index, heading, take(count), line)
                for index, heading, line, count in a["sections"]
            ),
            header_lines=tuple(starmap(HeaderLine, a["header_lines"])),
            warnings=tuple(a["warnings"]),
        )
        for a, path in zip(meta["articles"], paths, strict=True)
    )
    if taken != len(source.ends):
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
