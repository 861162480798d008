"""A few articles added, edited or removed: the stored index spliced, not rebuilt.

A full build runs MeCab over every sentence: two minutes at 10,000 articles, on every core.
When only a few files changed since the stored index was made, only their articles are parsed
and analysed, and every stored array is copied once into a new generation with the old
articles' rows dropped and the new ones spliced in at their place in file order. Of what is
stored only the contributions depend on the collection's statistics (document count, document
frequencies, average length), and they are computed again from each posting's (tf, length) code
(`bot.search.bm25`) right after: the result is the index a full build makes of the same files,
except that new terms take the next free ids instead of ids by frequency (no answer depends
on term ids). tests/search/test_update.py holds it to that, array by array and answer by answer.

Postings are copied a block at a time into the output files, so an update's working memory
does not grow with the archive's size: one block per field, the three fields in threads side by
side (about 170 MB traced at 10,000 articles, against 110 MB when they ran one after another).
Its cost is one pass over the stored postings and a second over the new contributions
(`bench/update.py` measures it).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.articles import Article, ArticleError, Library
from bot.articles.library import (
    file_order,
    is_article_name,
    load_article,
    sidecar_name,
    unique_ids,
)
from bot.search import fields, snapshot
from bot.search.bm25 import (
    BLOCK,
    BM25,
    CONTRIBUTION,
    okapi_idf,
    pair_codes,
    postings_of,
    saturation,
    term_values,
)
from bot.search.fields import Encoded
from bot.search.paging import read_through
from bot.search.parts import IndexParts
from bot.search.units import FIELDS as UNIT_FIELDS
from bot.search.units import Units
from bot.text.tokens import Analyzer

log = logging.getLogger(__name__)

# More changed articles than this and a full build is made instead: it analyses on every core,
# and past a few hundred articles the splice saves little.
MAX_CHANGED = 100


def changed_articles(
    old_files: dict[str, list[int]], new_files: dict[str, list[int]], old_names: set[str]
) -> set[str] | None:
    """The article file names whose article must be read again (added, edited, removed, or
    with an edited metadata sidecar); None when too many changed for an update to pay."""
    changed = {
        n for n in old_files.keys() | new_files.keys() if old_files.get(n) != new_files.get(n)
    }
    names = {n for n in changed if is_article_name(n)}
    sidecars = {n for n in changed if not is_article_name(n)}
    # Articles sharing a metadata file are read again together: a broken one is reported once
    # per article, and its errors are replaced as a group.
    shared = {sidecar_name(n) for n in names} & (old_files.keys() | new_files.keys())
    if wanted := sidecars | shared:
        every = old_names | {n for n in new_files if is_article_name(n)}
        names |= {n for n in every if sidecar_name(n) in wanted}
    return names if len(names) <= MAX_CHANGED else None


@dataclass(frozen=True)
class _Piece:
    """A run of the new library in order: stored articles [lo, hi) or one parsed article."""

    old: tuple[int, int] | None = None
    new: int | None = None


class Splice:
    """The new library's articles as runs of stored ones and parsed ones, with every range the
    stored arrays are cut by (articles, sentences, paragraphs, bytes)."""

    def __init__(
        self,
        folder: Path,
        library: Library,
        parts: IndexParts,
        stored: dict[str, np.ndarray],
        names: set[str],
        analyzer: Analyzer,
    ) -> None:
        self.folder = folder
        self.analyzer = analyzer
        self.old_library = library
        self.old = parts
        self.stored = stored
        self.meta = json.loads(stored["meta"].tobytes())
        parsed: list[Article] = []
        errors: list[ArticleError] = [
            e for e in library.errors if not self._affected(e.path.name, names)
        ]
        for name in sorted(names, key=file_order):
            path = folder / name
            if not path.is_file():
                continue
            try:
                parsed.append(load_article(path))
            except ArticleError as e:
                errors.append(e)
        self.errors = tuple(sorted(errors, key=lambda e: file_order(e.path.name)))
        self.parsed = parsed
        self.pieces = self._pieces(names)
        self.new_library = Library(folder, tuple(parsed))
        self.new_units = Units.of(self.new_library)
        self.new_snapshot = snapshot.dump(self.new_library)
        self.encoded, self.new_kinds = fields.encode(list(self.new_units.texts()), analyzer)
        n_old = len(library.articles)
        self.old_sentence = np.searchsorted(parts.units["article"], np.arange(n_old + 1))
        self.new_sentence = np.searchsorted(self.new_units.article, np.arange(len(parsed) + 1))
        self.old_paragraph = _paragraph_starts(self.meta["articles"])
        self.new_paragraph = _paragraph_starts(
            json.loads(self.new_snapshot["meta"].tobytes())["articles"]
        )
        self.articles = unique_ids(
            [
                article
                for piece in self.pieces
                for article in (
                    library.articles[piece.old[0] : piece.old[1]]
                    if piece.old
                    else [parsed[piece.new]]  # type: ignore[index]
                )
            ]
        )

        self._number_sentences()

    def _number_sentences(self) -> None:
        """Where the stored sentences go (`moved`: each old id's new one, -1 for a removed
        article's) and the parsed ones (`new_id`, and `before`: the stored sentence each is
        inserted before, for placing its postings)."""
        n_old = len(self.old.units["sentence"])
        n_parsed = len(self.new_units)
        self.moved = np.full(n_old, -1, dtype=np.int32)
        self.new_id = np.zeros(n_parsed, dtype=np.int64)
        self.before = np.full(n_parsed, n_old, dtype=np.int64)
        waiting: list[tuple[int, int]] = []
        at = 0
        for stored, lo, hi in self.runs(self.old_sentence, self.new_sentence):
            if not stored:
                self.new_id[lo:hi] = np.arange(at, at + hi - lo)
                waiting.append((lo, hi))
            elif hi > lo:
                self.moved[lo:hi] = np.arange(at, at + hi - lo, dtype=np.int32)
                for a, b in waiting:
                    self.before[a:b] = lo
                waiting = []
            at += hi - lo
        # The removed articles' sentences, analysed again: their postings are the stored ones
        # that go, so each term's document frequency is known without reading every posting.
        gone = [self.old_library.articles[i] for i in self.removed]
        texts = list(Units.of(Library(self.folder, tuple(gone))).texts())
        self.removed_encoded = fields.encode(texts, self.analyzer)[0] if texts else None

    @staticmethod
    def _affected(error_name: str, names: set[str]) -> bool:
        return error_name in names or any(sidecar_name(n) == error_name for n in names)

    def _pieces(self, names: set[str]) -> list[_Piece]:
        """Stored articles not read again, and parsed ones, merged in file order."""
        old = self.old_library.articles
        kept = [i for i, a in enumerate(old) if a.path.name not in names]
        self.removed = [i for i, a in enumerate(old) if a.path.name in names]
        merged = sorted(
            [(file_order(old[i].path.name), 0, i) for i in kept]
            + [(file_order(a.path.name), 1, k) for k, a in enumerate(self.parsed)]
        )
        pieces: list[_Piece] = []
        for _, kind, i in merged:
            last = pieces[-1] if pieces else None
            if kind == 1:
                pieces.append(_Piece(new=i))
            elif last is not None and last.old is not None and last.old[1] == i:
                pieces[-1] = _Piece(old=(last.old[0], i + 1))
            else:
                pieces.append(_Piece(old=(i, i + 1)))
        return pieces

    def runs(
        self, old_starts: np.ndarray, new_starts: np.ndarray
    ) -> Iterator[tuple[bool, int, int]]:
        """Per piece: (stored?, lo, hi) in the stored arrays or the parsed ones, for rows cut
        by per-article `starts` (sentences, paragraphs)."""
        for piece in self.pieces:
            if piece.old:
                yield True, int(old_starts[piece.old[0]]), int(old_starts[piece.old[1]])
            else:
                k = piece.new
                assert k is not None
                yield False, int(new_starts[k]), int(new_starts[k + 1])

    def rows(
        self, old: np.ndarray, new: np.ndarray, old_starts: np.ndarray, new_starts: np.ndarray
    ) -> np.ndarray:
        """A per-row array of the new library from the stored one's rows and the parsed one's."""
        taken = [
            (old if stored else new)[lo:hi] for stored, lo, hi in self.runs(old_starts, new_starts)
        ]
        return np.concatenate(taken) if taken else old[:0]

    def sentence_rows(self, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        return self.rows(old, new, self.old_sentence, self.new_sentence)

    def paragraph_rows(self, old: np.ndarray, new: np.ndarray) -> np.ndarray:
        return self.rows(old, new, self.old_paragraph, self.new_paragraph)

    def write(self, out: Path) -> list[str]:
        """Every array of the new index into folder `out`; their names."""
        arrays: dict[str, np.ndarray] = {}
        units = {
            name: self.sentence_rows(self.old.units[name], self.new_units.arrays[name])
            for name in UNIT_FIELDS
        }
        units["article"] = self._article_column()
        arrays.update({f"units_{name}": a for name, a in units.items()})
        arrays["kinds"] = self.sentence_rows(self.old.kinds, self.new_kinds)
        old_fields = (self.old.lemma, self.old.bigram, self.old.kanji)
        gone: list[Encoded | None] = (
            list(self.removed_encoded) if self.removed_encoded else [None] * len(old_fields)
        )
        # The three fields' postings are most of the bytes written (half a gigabyte at 10,000
        # articles) and their copying runs in numpy without the GIL: side by side, beside the
        # library's arrays, they take two cores instead of one (bench/update.py).
        with ThreadPoolExecutor(max_workers=len(old_fields)) as pool:
            written = [
                pool.submit(_FieldSplice(self, field, encoded, removed).write, out, name)
                for name, field, encoded, removed in zip(
                    fields.FIELD_NAMES, old_fields, self.encoded, gone, strict=True
                )
            ]
            arrays.update({f"library_{n}": a for n, a in self._library_arrays(out).items()})
            for name, a in arrays.items():
                np.save(out / f"{name}.npy", np.ascontiguousarray(a), allow_pickle=False)
            names = [*arrays, "library_text"]
            for future in written:
                names += future.result()
        return names

    def _article_column(self) -> np.ndarray:
        """Each sentence's article: its index in the new library."""
        columns: list[np.ndarray] = []
        at = 0
        for stored, lo, hi in self.runs(self.old_sentence, self.new_sentence):
            if stored:
                column = self.old.units["article"][lo:hi]
                first = int(column[0]) if len(column) else 0
                columns.append(column - first + at)
                at += int(column[-1]) - first + 1 if len(column) else 0
            else:
                columns.append(np.full(hi - lo, at, dtype=np.int32))
                at += 1
        return np.concatenate(columns).astype(np.int32) if columns else np.zeros(0, np.int32)

    def _library_arrays(self, out: Path) -> dict[str, np.ndarray]:
        """The stored library (`bot.search.snapshot`) of the new articles: paragraphs' rows
        spliced, their text copied into `out/library_text.npy` and byte offsets moved."""
        old, new = self.stored, self.new_snapshot
        result = {
            name: self.paragraph_rows(old[name], new[name])
            for name in ("number", "line", "sentences", "checks")
        }
        old_ends, new_ends = np.asarray(old["ends"]), np.asarray(new["ends"])
        old_first = np.concatenate([[0], np.cumsum(old["sentences"], dtype=np.int64)])
        new_first = np.concatenate([[0], np.cumsum(new["sentences"], dtype=np.int64)])
        texts: list[tuple[np.ndarray, int, int]] = []
        bounds: list[np.ndarray] = []
        lengths: list[np.ndarray] = []
        loose: list[list] = []
        at = byte_at = 0
        new_loose = json.loads(new["meta"].tobytes())["loose"]
        for stored, lo, hi in self.runs(self.old_paragraph, self.new_paragraph):
            ends, first, source = (
                (old_ends, old_first, old) if stored else (new_ends, new_first, new)
            )
            start = int(ends[lo - 1]) if lo else 0
            end = int(ends[hi - 1]) if hi else 0
            texts.append((source["text"], start, end))
            starts = np.concatenate([[start], ends[lo:hi]])
            lengths.append(np.diff(starts))
            b = source["bounds"][2 * int(first[lo]) : 2 * int(first[hi])]
            bounds.append(b - start + byte_at)
            for i, sentences in self.meta["loose"] if stored else new_loose:
                if lo <= i < hi:
                    loose.append([i - lo + at, sentences])
            at += hi - lo
            byte_at += end - start
        text = _NpyWriter(out / "library_text.npy", np.dtype(np.uint8), byte_at)
        for source_text, start, end in texts:
            text.add(source_text[start:end])
        text.close()
        records = self._records()
        meta = {
            "articles": records,
            "errors": [
                [snapshot.relative(e.path, self.folder), e.line, e.message] for e in self.errors
            ],
            "loose": loose,
        }
        result["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), np.uint8)
        result["ends"] = np.cumsum(np.concatenate(lengths) if lengths else [], dtype=np.int64)
        result["bounds"] = np.concatenate(bounds) if bounds else np.zeros(0, np.int64)
        return result

    def _records(self) -> list[dict]:
        """Each article's stored record (fields, sections), with its id as made unique now."""
        new_records = json.loads(self.new_snapshot["meta"].tobytes())["articles"]
        records: list[dict] = []
        for piece in self.pieces:
            if piece.old:
                records += self.meta["articles"][piece.old[0] : piece.old[1]]
            else:
                records.append(new_records[piece.new])  # type: ignore[index]
        for record, article in zip(records, self.articles, strict=True):
            record["id"] = article.id
        return records


class _FieldSplice:
    """One BM25 field's postings: the stored ones of kept sentences, renumbered, merged with
    the parsed articles' in (term, sentence) order, a block at a time."""

    def __init__(
        self, splice: Splice, field: BM25, encoded: Encoded, removed: Encoded | None
    ) -> None:
        self.field = field
        self.moved = splice.moved
        self.any_removed = bool(splice.removed)
        # The parsed articles' postings in the field's term ids (new terms after the old).
        local = list(encoded.vocabulary)
        n_terms = len(field.vocabulary)
        ids = np.empty(len(local), dtype=np.int64)
        self.terms = list(field.vocabulary)
        for j, word in enumerate(local):
            tid = field.vocabulary.get(word)
            if tid is None:
                tid = len(self.terms)
                self.terms.append(word)
            ids[j] = tid
        indptr, docs, tf = postings_of(len(local), encoded.token_ids, encoded.lengths)
        term = np.repeat(ids, np.diff(indptr))
        self.new_term = term
        self.new_doc = splice.new_id[docs]
        lengths = np.asarray(encoded.lengths, dtype=np.int32)
        codes, self.pairs = pair_codes(tf, docs, lengths, known=np.asarray(field.pairs))
        order = np.lexsort((self.new_doc, term))
        self.new_term, self.new_doc, self.new_codes = term[order], self.new_doc[order], codes[order]
        # Where each goes among the stored postings: before the first of its term's postings
        # at or after the old sentence it is inserted before (past the end for a new term).
        goes_before = splice.before[docs][order]
        self.insert = np.full(len(order), len(field.doc_ids), dtype=np.int64)
        old_terms = self.new_term < n_terms
        keys = np.unique(np.stack([self.new_term[old_terms], goes_before[old_terms]]), axis=1)
        found = {}
        for t, x in keys.T.tolist():
            lo, hi = int(field.indptr[t]), int(field.indptr[t + 1])
            found[t, x] = lo + int(np.searchsorted(field.doc_ids[lo:hi], x))
        self.insert[old_terms] = [
            found[t, x]
            for t, x in zip(
                self.new_term[old_terms].tolist(), goes_before[old_terms].tolist(), strict=True
            )
        ]
        self.doc_len = splice.sentence_rows(np.asarray(field.doc_len), lengths)
        self.removed_df = np.zeros(len(field.vocabulary), dtype=np.int64)
        if removed is not None:
            gone_ids = np.array([field.vocabulary[t] for t in removed.vocabulary], dtype=np.int64)
            gone_indptr, _, _ = postings_of(len(gone_ids), removed.token_ids, removed.lengths)
            np.add.at(self.removed_df, gone_ids, np.diff(gone_indptr))

    def write(self, out: Path, name: str) -> list[str]:
        field = self.field
        n_old = len(field.doc_ids)
        blocks = [(lo, min(lo + BLOCK, n_old)) for lo in range(0, n_old, BLOCK)]
        df = np.zeros(len(self.terms), dtype=np.int64)
        df[: len(field.vocabulary)] = np.diff(field.indptr) - self.removed_df
        df += np.bincount(self.new_term, minlength=len(self.terms))
        total = int(df.sum())
        dtype = np.result_type(field.codes.dtype, self.new_codes.dtype)
        keep_terms = df > 0
        indptr = np.concatenate([[0], np.cumsum(df[keep_terms])]).astype(np.int64)
        # Every contribution again, from the new document frequencies and average length.
        n_docs = len(self.doc_len)
        idf = okapi_idf(df[keep_terms], n_docs, field.epsilon, field.min_idf)
        avgdl = int(self.doc_len.sum(dtype=np.int64)) / n_docs if n_docs else 0.0
        weights = saturation(self.pairs, avgdl, field.k1, field.b)
        doc_out = _NpyWriter(out / f"{name}_doc_ids.npy", np.dtype(np.int32), total)
        code_out = _NpyWriter(out / f"{name}_codes.npy", dtype, total)
        value_out = _NpyWriter(out / f"{name}_contributions.npy", np.dtype(CONTRIBUTION), total)

        def put(docs: np.ndarray, codes: np.ndarray) -> None:
            at = doc_out.written
            doc_out.add(docs)
            code_out.add(codes)
            value_out.add(term_values(indptr, idf, at, at + len(docs)) * weights[codes])

        # Questions read the doc ids at random; this reads them through once.
        with read_through(field.doc_ids):
            edges = np.searchsorted(self.insert, [lo for lo, _ in blocks] + [n_old], side="left")
            for (lo, hi), a, b in zip(blocks, edges[:-1], edges[1:], strict=True):
                docs = self.moved[field.doc_ids[lo:hi]]
                codes = field.codes[lo:hi].astype(dtype, copy=False)
                slots = self.insert[a:b] - lo
                if self.any_removed:
                    gone = np.flatnonzero(docs < 0)
                    if len(gone):
                        # Each insertion point moves back by the removed postings before it.
                        slots = slots - np.searchsorted(gone, slots)
                        docs, codes = np.delete(docs, gone), np.delete(codes, gone)
                if b > a:
                    docs = np.insert(docs, slots, self.new_doc[a:b])
                    codes = np.insert(codes, slots, self.new_codes[a:b])
                put(docs, codes)
            tail = slice(int(edges[-1]) if blocks else 0, None)
            put(self.new_doc[tail], self.new_codes[tail].astype(dtype))
        for writer in (doc_out, code_out, value_out):
            writer.close()
        arrays = {
            "indptr": indptr,
            "pairs": self.pairs,
            "doc_len": self.doc_len,
            "vocabulary": np.frombuffer(
                json.dumps(
                    [t for t, k in zip(self.terms, keep_terms.tolist(), strict=True) if k],
                    ensure_ascii=False,
                ).encode(),
                np.uint8,
            ),
        }
        for part, array in arrays.items():
            np.save(out / f"{name}_{part}.npy", np.ascontiguousarray(array), allow_pickle=False)
        return [f"{name}_{part}" for part in (*arrays, "doc_ids", "codes", "contributions")]


def _paragraph_starts(records: list[dict]) -> np.ndarray:
    """Each stored article record's first paragraph (and the total last)."""
    counts = [sum(section[3] for section in record["sections"]) for record in records]
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])


class _NpyWriter:
    """A 1-D `.npy` file written a block at a time with plain writes (a memory map's page
    faults cost a third of an update), checked to be exactly as long as its header says."""

    def __init__(self, path: Path, dtype: np.dtype, length: int) -> None:
        self.path, self.dtype, self.length = path, dtype, length
        self.file = path.open("wb")
        header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False}
        np.lib.format.write_array_header_1_0(self.file, {**header, "shape": (length,)})
        self.written = 0

    def add(self, block: np.ndarray) -> None:
        np.ascontiguousarray(block, dtype=self.dtype).tofile(self.file)
        self.written += len(block)

    def close(self) -> None:
        self.file.close()
        if self.written != self.length:
            raise ValueError(f"{self.path}: {self.written} values written, {self.length} expected")
