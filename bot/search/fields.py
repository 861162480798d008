"""Tokens of every sentence in the search fields, encoded as term-id arrays, and each sentence's
answer kinds (`bot.text.kinds`), from the same MeCab pass.

MeCab analysis is most of an index build (about 120 µs a sentence, a minute for 460,000), so a
large archive is analysed in chunks by one worker process per CPU. Each chunk comes back as its
own small vocabulary plus an id array (not as millions of Python strings), and the chunks are
merged in order, so term ids are the same as a single pass would give: first appearance (then
numbered by frequency for a stored index: `Encoded.by_frequency`).
"""

from __future__ import annotations

import array
import functools
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from bot.search.bm25 import BLOCK, token_counts
from bot.search.progress import Progress
from bot.text.kinds import KINDS, sentence_kinds
from bot.text.tokens import Analyzer, bigrams, kanji

log = logging.getLogger(__name__)

FIELD_NAMES = ("lemma", "bigram", "kanji")
# Set in the environment of index worker processes while they start (see `_encode_in_workers`).
WORKER_ENV = "KIJI_BOT_INDEX_WORKER"
CHUNK = 4000
# Below this, starting worker processes (each loads the dictionary) costs more than it saves.
PARALLEL_MIN_SENTENCES = 40_000

# Per field (terms, token ids, lengths), and the sentences' kinds (sentences × KINDS).
Chunk = tuple[tuple[tuple[list[str], np.ndarray, np.ndarray], ...], np.ndarray]


@dataclass
class Encoded:
    """One field of a whole corpus: vocabulary (term -> id), every token's id, each doc's length."""

    vocabulary: dict[str, int]
    token_ids: np.ndarray
    lengths: np.ndarray

    def arrays(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """The arguments of `BM25.from_token_ids`."""
        return self.vocabulary, self.token_ids, self.lengths

    def by_frequency(self) -> None:
        """Number the terms by descending token count (ties: first appearance first), token
        ids renumbered in place (the largest array of a build: a copy would add to its peak).

        A stored index is built from this order: the postings of the most frequent terms (by
        token count, which follows the number of sentences closely), which questions
        binary-search through the memory map instead of reading them whole, then lie together
        at the start of each file, and the pages a serving process maps for them are theirs,
        not their neighbours' (`bot.search.paging`).
        """
        ids = self.token_ids
        order = np.argsort(-token_counts(ids, len(self.vocabulary)), kind="stable")  # new -> old
        renumber = np.empty(len(order), dtype=ids.dtype)
        renumber[order] = np.arange(len(order), dtype=ids.dtype)
        # A block at a time: numpy makes an intp copy of the int32 ids it indexes with (240 MB
        # for a 30-million-token field).
        for lo in range(0, len(ids), BLOCK):
            block = ids[lo : lo + BLOCK]
            block[:] = renumber[block]
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)  # by old id
        self.vocabulary = {terms[old]: new for new, old in enumerate(order.tolist())}


def encode_chunk(texts: list[str], analyzer: Analyzer | None = None) -> Chunk:
    """Per field: the chunk's terms in first-appearance order, token ids into them, doc lengths;
    and each text's answer kinds."""
    analyzer = analyzer or _worker_analyzer()
    kinds = np.zeros((len(texts), len(KINDS)), dtype=np.uint8)
    lemma_lists: list[list[str]] = []
    for i, text in enumerate(texts):
        morphemes = analyzer.parse(text)
        lemma_lists.append([m.lemma for m in morphemes if m.is_content])
        kinds[i] = sentence_kinds(text, morphemes)
    views = (lemma_lists, [bigrams(t) for t in texts], [kanji(t) for t in texts])
    return tuple(_encode_tokens(tokens) for tokens in views), kinds


def _encode_tokens(token_lists: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    local: dict[str, int] = {}
    ids: list[int] = []
    lengths = np.empty(len(token_lists), dtype=np.int64)
    for i, tokens in enumerate(token_lists):
        lengths[i] = len(tokens)
        ids.extend(local.setdefault(t, len(local)) for t in tokens)
    return list(local), np.array(ids, dtype=np.int32), lengths


@functools.cache
def _worker_analyzer() -> Analyzer:
    """One analyzer per worker process, made on its first chunk."""
    return Analyzer()


def encode(
    texts: list[str], analyzer: Analyzer, progress: Progress | None = None
) -> tuple[list[Encoded], np.ndarray]:
    """Every field of every text, in order, and their kinds; in worker processes when the
    corpus is large.

    Workers make their own `Analyzer`, so a custom analyzer (a subclass) is always run here.
    """
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks))
    if workers > 1 and len(texts) >= PARALLEL_MIN_SENTENCES and type(analyzer) is Analyzer:
        try:
            return _encode_in_workers(chunks, workers, progress)
        except BrokenProcessPool:
            log.warning(
                "index workers stopped (out of memory, or a script that loads the knowledge "
                "base without `if __name__ == '__main__':`); analysing in this process instead"
            )
    merged = [_Merge() for _ in FIELD_NAMES]
    kinds: list[np.ndarray] = []
    if progress:
        progress.done_count = 0
    for chunk in chunks:
        _take(merged, kinds, encode_chunk(chunk, analyzer), len(chunk), progress)
    return [m.result() for m in merged], _stack(kinds)


def _encode_in_workers(
    chunks: list[list[str]], workers: int, progress: Progress | None
) -> tuple[list[Encoded], np.ndarray]:
    merged = [_Merge() for _ in FIELD_NAMES]
    kinds: list[np.ndarray] = []
    # Spawned workers import the main script again; one without a __main__ guard would load
    # the knowledge base there and wait forever for the lock this build holds. The marker makes
    # such a load fail at once (`bot.search.store`), which breaks the pool instead.
    os.environ[WORKER_ENV] = "1"
    try:
        # spawn, not fork: forking a process that runs threads (the Discord client) is unsafe.
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
            for chunk, result in zip(chunks, pool.map(encode_chunk, chunks), strict=True):
                _take(merged, kinds, result, len(chunk), progress)
    finally:
        os.environ.pop(WORKER_ENV, None)
    return [m.result() for m in merged], _stack(kinds)


def _take(
    merged: list[_Merge],
    kinds: list[np.ndarray],
    result: Chunk,
    size: int,
    progress: Progress | None,
) -> None:
    fields, chunk_kinds = result
    for merge, part in zip(merged, fields, strict=True):
        merge.add(*part)
    kinds.append(chunk_kinds)
    if progress:
        progress.advance(size)


def _stack(kinds: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(kinds) if kinds else np.zeros((0, len(KINDS)), dtype=np.uint8)


class _Merge:
    """Appends chunks to one field, mapping each chunk's term ids to the global ones.

    Ids and lengths go straight into growing `array.array` buffers rather than a list of
    per-chunk numpy arrays to concatenate: hundreds of half-megabyte arrays kept, then freed,
    leave the C heap fragmented, some 80 MB of a large build's peak memory.
    """

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.ids = array.array("i")
        self.lengths = array.array("q")

    def add(self, terms: list[str], ids: np.ndarray, lengths: np.ndarray) -> None:
        v = self.vocabulary
        mapping = np.fromiter((v.setdefault(t, len(v)) for t in terms), np.int32, len(terms))
        self.ids.frombytes(mapping[ids].tobytes())
        self.lengths.frombytes(lengths.tobytes())

    def result(self) -> Encoded:
        return Encoded(
            self.vocabulary,
            np.frombuffer(self.ids, dtype=np.int32),
            np.frombuffer(self.lengths, dtype=np.int64),
        )
