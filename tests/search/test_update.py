"""An index updated for a few changed files is the index a full build makes of the same files.

Compared array by array (sentences, answer kinds, every term's postings and contributions, the
stored library) and answer by answer. Term ids are the one difference allowed: a new term takes
the next free id, where a full build numbers terms by frequency.
"""

import logging
import shutil
from pathlib import Path

import numpy as np

from bot.knowledge_base import KnowledgeBase
from bot.search import store, update
from bot.search.bm25 import BM25
from bot.search.index import FIELDS
from tests.conftest import markdown_article

QUESTIONS = [
    "世界が求めているものは何か",
    "北極海航路の記事の著者は誰？",
    "論理量子ビットを作るには何が必要か",
    "潮汐発電は何を使う？",
    "色符号はよく使われるか",
    "この記事を書いたのは誰？",
    "火山の噴火はいつ起きた？",
    "ボルダチェフとは誰ですか？",
]


def assert_same_field(updated: BM25, built: BM25) -> None:
    assert set(updated.vocabulary) == set(built.vocabulary)
    assert updated.n_docs == built.n_docs and updated.avgdl == built.avgdl
    np.testing.assert_array_equal(updated.doc_len, built.doc_len)
    for term in built.vocabulary:
        a, b = updated.postings(term), built.postings(term)
        assert a is not None and b is not None
        np.testing.assert_array_equal(a.docs, b.docs)
        # float32, and the epsilon floor of negative IDFs is a mean over the vocabulary summed
        # in id order: equal, or one float32 step apart.
        np.testing.assert_allclose(a.contributions, b.contributions, rtol=2e-7, atol=0)


def assert_same_index(updated: KnowledgeBase, folder: Path, tmp_path: Path) -> None:
    """`updated` against a full build of a copy of `folder`."""
    copy = tmp_path / "rebuilt"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".index"))
    built = KnowledgeBase.load(copy)
    a, b = updated.answerer.index, built.answerer.index
    assert [x.path.name for x in updated.library.articles] == [
        x.path.name for x in built.library.articles
    ]
    for x, y in zip(updated.library.articles, built.library.articles, strict=True):
        assert (x.id, x.title, x.author, x.date, x.publisher) == (
            y.id,
            y.title,
            y.author,
            y.date,
            y.publisher,
        )
        assert [(s.heading, [p.sentences for p in s.paragraphs]) for s in x.sections] == [
            (s.heading, [p.sentences for p in s.paragraphs]) for s in y.sections
        ]
    assert [(e.path.name, e.line, e.message) for e in updated.library.errors] == [
        (e.path.name, e.line, e.message) for e in built.library.errors
    ]
    for name in a.parts.units:
        np.testing.assert_array_equal(a.parts.units[name], b.parts.units[name])
    np.testing.assert_array_equal(a.parts.kinds, b.parts.kinds)
    for name in FIELDS:
        assert_same_field(getattr(a, f"{name}_field"), getattr(b, f"{name}_field"))
    for question in QUESTIONS:
        assert updated.ask(question) == built.ask(question), question


def test_edits_additions_removals_and_sidecars_are_spliced_in(folder, tmp_path, builds, caplog):
    caplog.set_level(logging.INFO, logger="bot.search.store")
    serving = KnowledgeBase.load(folder)
    assert len(builds) == 1

    quantum = folder / "quantum.md"  # edited: one sentence more, one word changed
    quantum.write_text(
        quantum.read_text(encoding="utf-8").replace("表面符号", "色符号")
        + "\n色符号は新しい方式として注目されている。\n",
        encoding="utf-8",
    )
    # As a reload does it: from the knowledge base being served, without opening it again.
    assert_same_index(KnowledgeBase.load(folder, previous=serving), folder, tmp_path)

    # added, between two stored articles in file order, with words no article had
    markdown_article(
        folder, "b-tides", "潮汐", "潮汐発電は月の引力を使う。", 火山="火山の噴火は1991年に起きた。"
    )
    (folder / "zz-broken.md").write_bytes(b"\xff\xfe not utf-8")  # an unreadable file
    assert_same_index(KnowledgeBase.load(folder), folder, tmp_path)

    (folder / "arctic-route.txt").unlink()  # removed
    (folder / "alaska-old-world-order.meta.toml").write_text('title = "別の題"\n', encoding="utf-8")
    (folder / "zz-broken.md").unlink()
    updated = KnowledgeBase.load(folder)
    assert updated.library.get("alaska-old-world-order").title == "別の題"
    assert_same_index(updated, folder, tmp_path)

    # All of that without a full build of `folder` (the comparisons build their copies).
    assert [f for f in builds if f == folder] == [folder]
    assert sum("updated the index" in r.getMessage() for r in caplog.records) == 3


def test_an_article_named_like_another_gets_the_id_a_build_gives(folder, tmp_path, builds):
    KnowledgeBase.load(folder)
    # quantum.md is `quantum`; a new Quantum.txt sorts before it and takes that id.
    (folder / "Quantum.txt").write_text(
        (folder / "arctic-route.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    updated = KnowledgeBase.load(folder)
    assert {a.id for a in updated.library.articles} >= {"quantum", "quantum-2"}
    assert_same_index(updated, folder, tmp_path)


def test_many_changes_or_a_new_format_build_in_full(folder, builds, monkeypatch):
    KnowledgeBase.load(folder)
    monkeypatch.setattr(update, "MAX_CHANGED", 1)
    for name in ("x1", "x2"):
        markdown_article(folder, name, name, "火山の噴火は1991年に起きた。")
    KnowledgeBase.load(folder)
    assert len(builds) == 2
    monkeypatch.setattr(store, "FORMAT_VERSION", store.FORMAT_VERSION + 1)
    (folder / "x1.md").unlink()
    KnowledgeBase.load(folder)
    assert len(builds) == 3


def test_a_failed_update_falls_back_to_a_full_build(folder, builds, monkeypatch, caplog):
    KnowledgeBase.load(folder)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(update.Splice, "write", broken)
    markdown_article(folder, "tides", "潮汐", "潮汐発電は月の引力を使う。")
    kb = KnowledgeBase.load(folder)
    assert kb.library.get("tides") is not None
    assert len(builds) == 2
    assert "could not update the stored index" in caplog.text


def test_articles_sharing_a_broken_sidecar_keep_one_error_each(folder, tmp_path, builds):
    # quantum.md and quantum.v2.md both read quantum.meta.toml, which is broken: two errors.
    (folder / "quantum.v2.md").write_text(
        (folder / "quantum.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "quantum.meta.toml").write_text('title = "閉じていない\n', encoding="utf-8")
    KnowledgeBase.load(folder)
    quantum = folder / "quantum.md"  # only one of them edited
    quantum.write_text(quantum.read_text(encoding="utf-8") + "\n追加の一文。\n", encoding="utf-8")
    updated = KnowledgeBase.load(folder)
    skipped = [e.message for e in updated.library.errors]
    assert len(skipped) == 2  # one per article, each naming the article it skipped
    assert "quantum.md skipped" in skipped[0] and "quantum.v2.md skipped" in skipped[1]
    assert_same_index(updated, folder, tmp_path)
    assert [f for f in builds if f == folder] == [folder]


def test_the_knowledge_base_a_reload_replaces_is_freed(folder):
    """Nothing keeps the replaced articles and index alive (a class-wide cache keyed by the
    answerer did: 500 MB a reload at 10,000 articles). Loaded in a thread, as the bot reloads."""
    import gc
    import threading
    import weakref

    def in_thread(previous: KnowledgeBase | None) -> KnowledgeBase:
        out: list[KnowledgeBase] = []
        worker = threading.Thread(
            target=lambda: out.append(KnowledgeBase.load(folder, previous=previous))
        )
        worker.start()
        worker.join()
        return out[0]

    kb = in_thread(None)
    kb.ask("世界が求めているものは何か")
    old = weakref.ref(kb.answerer), weakref.ref(kb.library), weakref.ref(kb.answerer.index)
    markdown_article(folder, "tides", "潮汐", "潮汐発電は月の引力を使う。")
    kb = in_thread(kb)
    kb.ask("世界が求めているものは何か")
    gc.collect()
    assert [ref() for ref in old] == [None, None, None]
