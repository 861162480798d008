"""What a search index is made of, besides the library: unit locations and the BM25 fields.

This is what `bot.search.store` persists, so that a restart loads it instead of running MeCab
over every sentence again; building it is the slow part of starting on a new archive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.articles import Library
from bot.search.bm25 import BM25, postings_of
from bot.search.fields import Encoded, encode
from bot.search.progress import Progress
from bot.search.units import Units
from bot.text.tokens import Analyzer

# The IDF floor of our fields (`BM25(min_idf=...)`): far below any informative term's, it only
# matters where BM25Okapi would give zero or less, i.e. in libraries of a handful of sentences.
MIN_IDF = 0.05
# Builds smaller than this finish in a second or two and report nothing.
PROGRESS_MIN_SENTENCES = 20_000


@dataclass(frozen=True)
class IndexParts:
    """Sentence locations (`Units` arrays), the lemma, bigram and kanji fields over them, and
    each sentence's answer kinds (sentences × `bot.text.kinds.KINDS`, uint8)."""

    units: dict[str, np.ndarray]
    lemma: BM25
    bigram: BM25
    kanji: BM25
    kinds: np.ndarray
    # The stored generation these arrays are mapped from (`bot.search.store`), if any: an
    # update from that generation can start from them instead of opening it again.
    generation: str | None = None

    @classmethod
    def build(cls, library: Library, analyzer: Analyzer) -> IndexParts:
        units = Units.of(library)
        texts = list(units.texts())
        progress = (
            Progress("indexing sentences", len(texts))
            if len(texts) >= PROGRESS_MIN_SENTENCES
            else None
        )
        (lemma_tokens, bigram_tokens, kanji_tokens), kinds = encode(texts, analyzer, progress)
        for tokens in (lemma_tokens, bigram_tokens, kanji_tokens):
            tokens.by_frequency()
        # The largest field last: the others' token ids are gone when its postings are sorted.
        lemma = _field(lemma_tokens)
        kanji_field = _field(kanji_tokens)
        bigram = _field(bigram_tokens)
        if progress:
            progress.finish()
        return cls(units.arrays, lemma, bigram, kanji_field, kinds)


def _field(tokens: Encoded) -> BM25:
    """A field's index, its token ids let go as soon as its postings are made: the bigram
    field's (120 MB at 10,000 articles) would otherwise outlive them through the rest."""
    indptr, doc_ids, term_freqs = postings_of(
        len(tokens.vocabulary), tokens.token_ids, tokens.lengths
    )
    tokens.token_ids = np.zeros(0, dtype=tokens.token_ids.dtype)
    return BM25.from_postings(
        tokens.vocabulary, indptr, doc_ids, term_freqs, tokens.lengths, min_idf=MIN_IDF
    )
