"""Encoding sentences into term ids: worker processes give exactly what one pass gives."""

import numpy as np
import pytest

from bot.search import fields
from bot.text.tokens import Analyzer, bigrams, kanji

TEXTS = [
    "ロシアは会談で安定を求めた。",
    "アメリカの能力は低下した。",
    "世界が求めるのは安定だ。",
    "会談は成果を証明した。",
] * 5


def test_ids_follow_first_appearance_and_decode_to_the_tokens():
    analyzer = Analyzer()
    encoded_fields = fields.encode(TEXTS, analyzer)
    assert len(encoded_fields) == len(fields.FIELD_NAMES)
    for encoded, tokens_of in zip(encoded_fields, (analyzer.lemmas, bigrams, kanji), strict=True):
        terms = list(encoded.vocabulary)
        decoded = [terms[i] for i in encoded.token_ids]
        assert decoded == [t for text in TEXTS for t in tokens_of(text)]
        assert encoded.lengths.tolist() == [len(tokens_of(text)) for text in TEXTS]
        assert list(encoded.vocabulary.values()) == list(range(len(terms)))
        first_seen = list(dict.fromkeys(decoded))
        assert terms == first_seen


@pytest.mark.parametrize("chunk", [1, 7])
def test_worker_processes_give_the_same_result(monkeypatch, chunk):
    serial = fields.encode(TEXTS, Analyzer())
    monkeypatch.setattr(fields, "CHUNK", chunk)
    monkeypatch.setattr(fields, "PARALLEL_MIN_SENTENCES", 1)
    monkeypatch.setattr(fields.os, "cpu_count", lambda: 2)
    parallel = fields.encode(TEXTS, Analyzer())
    for a, b in zip(serial, parallel, strict=True):
        assert a.vocabulary == b.vocabulary
        np.testing.assert_array_equal(a.token_ids, b.token_ids)
        np.testing.assert_array_equal(a.lengths, b.lengths)
