"""The stored index: reused while nothing changes, rebuilt when anything does, never fatal."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.articles import ArticleError
from bot.knowledge_base import KnowledgeBase
from bot.search import store
from bot.text.tokens import Analyzer

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "論理量子ビットを作るには何が必要か"


def best_quote(kb: KnowledgeBase, question: str = QUESTION) -> str:
    return kb.ask(question).passages[0].quote


def test_reused_while_nothing_changes(folder, builds):
    first = KnowledgeBase.load(folder)
    stamp = store.index_path(folder).stat().st_mtime_ns
    second = KnowledgeBase.load(folder)
    assert len(builds) == 1
    assert store.index_path(folder).stat().st_mtime_ns == stamp
    assert second.library == first.library
    assert second.ask(QUESTION) == first.ask(QUESTION)


def test_loaded_index_answers_as_a_fresh_one(folder):
    KnowledgeBase.load(folder)
    loaded, fresh = KnowledgeBase.load(folder), KnowledgeBase.load(folder, persist=False)
    for question in ["世界が求めているものは何か", "北極海航路の記事の著者は誰？", QUESTION]:
        assert loaded.ask(question) == fresh.ask(question)


def test_kept_current_when_an_article_changes_is_added_or_removed(folder, builds):
    KnowledgeBase.load(folder)
    quantum = folder / "quantum.md"
    quantum.write_text(
        quantum.read_text(encoding="utf-8").replace("表面符号", "色符号"), encoding="utf-8"
    )
    assert "色符号" in best_quote(KnowledgeBase.load(folder), "色符号はよく使われるか")
    (folder / "tides.md").write_text("---\ntitle: 潮汐\n---\n\n潮汐発電は月の引力を使う。\n")
    assert KnowledgeBase.load(folder).library.get("tides") is not None
    (folder / "tides.md").unlink()
    assert KnowledgeBase.load(folder).library.get("tides") is None
    # Spliced into the stored index (tests/search/test_update.py), not built again.
    assert len(builds) == 1


def test_sidecars_update_and_a_new_tokenizer_or_format_version_rebuilds(
    folder, builds, monkeypatch
):
    KnowledgeBase.load(folder)
    (folder / "alaska-old-world-order.meta.toml").write_text('title = "別の題"\n', encoding="utf-8")
    assert KnowledgeBase.load(folder).library.get("alaska-old-world-order").title == "別の題"
    assert len(builds) == 1
    monkeypatch.setattr(store, "TOKENIZER_VERSION", "something-else")
    KnowledgeBase.load(folder)
    monkeypatch.setattr(store, "FORMAT_VERSION", store.FORMAT_VERSION + 1)
    KnowledgeBase.load(folder)
    assert len(builds) == 3


def _largest_array(folder: Path) -> Path:
    return max((folder / store.INDEX_DIR).glob("*/*.npy"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize(
    "damage",
    [
        lambda f: _cut(store.index_path(f)),
        lambda f: store.index_path(f).write_bytes(b"not a manifest at all" * 100),
        lambda f: store.index_path(f).write_bytes(b""),
        lambda f: _cut(_largest_array(f)),
        lambda f: _largest_array(f).write_bytes(b"\x93NUMPY garbage" * 10),
        lambda f: _largest_array(f).unlink(),
    ],
    ids=[
        "truncated-manifest",
        "garbage-manifest",
        "empty-manifest",
        "truncated-array",
        "garbage-array",
        "missing-array",
    ],
)
def test_a_damaged_index_is_rebuilt_with_a_warning(folder, builds, caplog, damage):
    expected = best_quote(KnowledgeBase.load(folder))
    damage(folder)
    with caplog.at_level(logging.WARNING, logger="bot.search.store"):
        assert best_quote(KnowledgeBase.load(folder)) == expected
    assert "unreadable" in caplog.text
    assert len(builds) == 2
    KnowledgeBase.load(folder)  # the rebuilt index is good again
    assert len(builds) == 2


@pytest.mark.parametrize("byte", [b"A", b"\xff"], ids=["ascii-overwrite", "invalid-utf8"])
def test_damaged_stored_text_is_quoted_from_the_article_and_rebuilt(folder, builds, caplog, byte):
    # Text is read lazily, so damage that keeps the file's size is found when quoting.
    questions = [QUESTION, "世界が求めているものは何か"]
    expected = [KnowledgeBase.load(folder).ask(q) for q in questions]
    text = next((folder / store.INDEX_DIR).glob("generation-*/library_text.npy"))
    data = text.read_bytes()
    header = len(data) - int(np.load(text, mmap_mode="r").nbytes)
    text.write_bytes(data[:header] + byte * (len(data) - header))
    with caplog.at_level(logging.ERROR, logger="bot.search.store"):
        damaged = KnowledgeBase.load(folder)
        assert [damaged.ask(q) for q in questions] == expected
    assert "library_text.npy is damaged" in caplog.text
    assert not store.index_path(folder).exists()  # so that the next start rebuilds
    assert len(builds) == 1
    assert best_quote(KnowledgeBase.load(folder)) == expected[0].passages[0].quote
    assert len(builds) == 2


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_rebuild_leaves_one_generation_and_the_manifest(folder):
    KnowledgeBase.load(folder)
    (folder / "tides.md").write_text("---\ntitle: 潮汐\n---\n\n潮汐発電は月の引力を使う。\n")
    KnowledgeBase.load(folder)
    names = sorted(p.name for p in (folder / store.INDEX_DIR).iterdir())
    manifest = json.loads(store.index_path(folder).read_text())
    assert names == sorted([store.LOCK_FILE, store.MANIFEST, manifest["generation"]])
    assert manifest["format"] == store.FORMAT_VERSION


def test_the_index_of_the_layout_before_manifests_is_replaced(folder, builds):
    (folder / store.INDEX_DIR).mkdir()
    old = folder / store.INDEX_DIR / "index.npz"
    old.write_bytes(b"PK old single-file index")
    KnowledgeBase.load(folder)
    assert len(builds) == 1
    assert not old.exists()


def test_a_process_holding_the_old_generation_keeps_answering(folder):
    """POSIX: a rebuild unlinks the old generation's files, but mapped pages stay readable."""
    before = KnowledgeBase.load(folder)
    expected = best_quote(before)
    (folder / "tides.md").write_text("---\ntitle: 潮汐\n---\n\n潮汐発電は月の引力を使う。\n")
    KnowledgeBase.load(folder)
    assert best_quote(before) == expected


def test_a_broken_article_is_still_reported_from_the_stored_index(folder, caplog):
    (folder / "broken.txt").write_text("本文がない\n", encoding="utf-8")
    KnowledgeBase.load(folder)
    with caplog.at_level(logging.ERROR):
        kb = KnowledgeBase.load(folder)
    assert [e.path.name for e in kb.library.errors] == ["broken.txt"]
    assert "broken.txt" in caplog.text


def test_a_build_serves_from_the_files_it_stored(folder, caplog):
    """The process that builds lets the built arrays go and maps the stored ones, as a later
    start does: read-only, backed by the files, answering the same; its broken article is
    reported once, not again by the load that follows the build."""
    (folder / "broken.txt").write_text("本文がない\n", encoding="utf-8")
    fresh = KnowledgeBase.load(folder, persist=False)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        built = KnowledgeBase.load(folder)
    assert store.index_path(folder).exists()
    postings = built.answerer.index.lemma_field.doc_ids
    assert not postings.flags.writeable  # mapped read-only from the stored file
    assert fresh.answerer.index.lemma_field.doc_ids.flags.writeable  # built in memory
    assert built.ask(QUESTION) == fresh.ask(QUESTION)
    assert caplog.text.count("broken.txt") == 1


def test_not_stored_without_persist_or_with_a_custom_analyzer(folder, builds):
    class Custom(Analyzer):
        pass

    KnowledgeBase.load(folder, persist=False)
    KnowledgeBase.load(folder, Custom())
    assert not store.index_path(folder).exists()
    assert len(builds) == 2


CHILD = """
import json, logging, sys
from pathlib import Path
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
from bot.articles import ArticleError
from bot.knowledge_base import KnowledgeBase
kb = KnowledgeBase.load(Path(sys.argv[1]))
print(json.dumps(kb.ask(sys.argv[2]).passages[0].quote, ensure_ascii=False))
"""


def test_two_processes_starting_at_once_both_succeed_and_build_once(folder):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder), QUESTION],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    quotes = {json.loads(out) for out, _ in outputs}
    assert len(quotes) == 1
    assert sum("built the index" in err for _, err in outputs) == 1
    assert not list((folder / store.INDEX_DIR).glob("*.tmp"))


def test_a_missing_folder_is_an_article_error_not_a_crash(tmp_path):
    with pytest.raises(ArticleError, match="does not exist"):
        KnowledgeBase.load(tmp_path / "missing")


def test_a_reload_off_the_main_thread_leaves_garbage_collection_as_it_was(folder):
    """Freezing is for start-up only: frozen objects are never collected again."""
    import gc
    import threading

    frozen = gc.get_freeze_count()
    loaded: list[KnowledgeBase] = []
    worker = threading.Thread(target=lambda: loaded.append(KnowledgeBase.load(folder)))
    worker.start()
    worker.join()
    assert loaded and loaded[0].library.articles
    # Nothing newly frozen (a frozen object freed meanwhile lowers the count).
    assert gc.get_freeze_count() <= frozen
    assert gc.isenabled()
