"""Encoding sentences into term ids: worker processes give exactly what one pass gives."""

import numpy as np
import pytest

from bot.search import fields
from bot.text.kinds import KINDS
from bot.text.tokens import Analyzer, bigrams, kanji

TEXTS = [
    "ロシアは会談で安定を求めた。",
    "アメリカの能力は低下した。",
    "世界が求めるのは安定だ。",
    "会談は成果を証明した。",
] * 5


def test_ids_follow_first_appearance_and_decode_to_the_tokens():
    analyzer = Analyzer()
    encoded_fields, kinds = fields.encode(TEXTS, analyzer)
    assert len(encoded_fields) == len(fields.FIELD_NAMES)
    assert kinds.shape == (len(TEXTS), len(KINDS))
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
    serial, serial_kinds = fields.encode(TEXTS, Analyzer())
    monkeypatch.setattr(fields, "CHUNK", chunk)
    monkeypatch.setattr(fields, "PARALLEL_MIN_SENTENCES", 1)
    monkeypatch.setattr(fields.os, "cpu_count", lambda: 2)
    parallel, parallel_kinds = fields.encode(TEXTS, Analyzer())
    np.testing.assert_array_equal(serial_kinds, parallel_kinds)
    for a, b in zip(serial, parallel, strict=True):
        assert a.vocabulary == b.vocabulary
        np.testing.assert_array_equal(a.token_ids, b.token_ids)
        np.testing.assert_array_equal(a.lengths, b.lengths)


def test_a_script_without_a_main_guard_does_not_hang_the_build(tmp_path):
    """Spawned workers re-run such a script; its load must fail fast, and the build go on."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "a.md").write_text(
        "---\ntitle: 題\n---\n\n" + "".join(f"第{i}章は話題{i}を扱う。\n" for i in range(60)),
        encoding="utf-8",
    )
    script = tmp_path / "unguarded.py"
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(root)!r})\n"
        "from pathlib import Path\n"
        "from bot.search import fields\n"
        "from bot.knowledge_base import KnowledgeBase\n"
        "fields.PARALLEL_MIN_SENTENCES = 1\n"
        "fields.CHUNK = 10\n"
        f"kb = KnowledgeBase.load(Path({str(knowledge)!r}))\n"
        "print(kb.answerer.index.lemma_field.n_docs)\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "60"  # every sentence indexed, by the fallback
    assert "analysing in this process instead" in proc.stderr
