"""The kernel is told that questions read postings at random and updates read them through;
postings a question reads whole are read by offset, not through the map."""

import sys
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge_base import KnowledgeBase
from bot.search.paging import FileArray, advise, read_through

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the advice back from /proc/self/smaps"
)


def vm_flags(path: Path) -> set[str]:
    """The VmFlags of this process's mapping of `path` (`rr`: random reads, `sr`: sequential)."""
    lines = Path("/proc/self/smaps").read_text().splitlines()
    for i, line in enumerate(lines):
        if line.endswith(str(path)):
            flags = next(x for x in lines[i + 1 :] if x.startswith("VmFlags:"))
            return set(flags.split()[1:])
    raise AssertionError(f"{path} is not mapped")


@linux_only
def test_postings_are_mapped_for_random_reads_and_read_through_on_demand(folder):
    kb = KnowledgeBase.load(folder)
    field = kb.answerer.index.lemma_field
    generation = next((folder / ".index").glob("generation-*"))
    doc_ids = generation / "lemma_doc_ids.npy"
    assert "rr" in vm_flags(doc_ids)
    assert "rr" in vm_flags(generation / "lemma_contributions.npy")
    assert "rr" not in vm_flags(generation / "lemma_codes.npy")  # read by updates only

    with read_through(field.doc_ids[3:]):  # a slice reaches its file's map too
        assert {"sr"} <= vm_flags(doc_ids) and "rr" not in vm_flags(doc_ids)
    assert "rr" in vm_flags(doc_ids)  # questions go on reading it at random
    assert kb.ask("世界が求めているものは何か").answered


def test_advice_on_an_array_in_memory_changes_nothing():
    a = np.arange(10)
    advise(a, "MADV_RANDOM")
    advise(a, "MADV_NO_SUCH_ADVICE")
    assert a.tolist() == list(range(10))


def test_postings_read_by_offset_are_the_mapped_ones(folder):
    kb = KnowledgeBase.load(folder)
    for field in (kb.answerer.index.lemma_field, kb.answerer.index.bigram_field):
        assert field.files is not None  # served from the stored files
        for term in list(field.vocabulary)[:200]:
            mapped, read = field.postings(term), field.postings(term, read_up_to=10**9)
            assert read.docs.base is None and read.contributions.base is None  # arrays of their own
            assert read.docs.tolist() == mapped.docs.tolist()
            assert read.contributions.tolist() == mapped.contributions.tolist()
            assert read.idf == mapped.idf


def test_a_file_array_reads_slices_and_names_the_file_it_cannot_read(tmp_path):
    path = tmp_path / "a.npy"
    np.save(path, np.arange(1000, dtype=np.int32))
    array = FileArray(np.load(path, mmap_mode="r"))
    assert array.read(10, 15).tolist() == [10, 11, 12, 13, 14]
    assert array.read(7, 7).tolist() == []
    with path.open("r+b") as f:  # cut short after it was opened
        f.truncate(path.stat().st_size - 400)
    with pytest.raises(OSError, match=str(path)):
        array.read(900, 1000)


def test_without_pread_every_posting_is_read_through_the_map(folder, monkeypatch):
    """Windows has no os.preadv: the stored index serves from its memory map alone."""
    KnowledgeBase.load(folder)  # stored
    monkeypatch.setattr(FileArray, "SUPPORTED", False)
    kb = KnowledgeBase.load(folder)
    assert kb.answerer.index.lemma_field.files is None
    assert kb.ask("世界が求めているものは何か").answered
