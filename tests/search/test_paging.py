"""The kernel is told that questions read postings at random and updates read them through."""

import sys
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge_base import KnowledgeBase
from bot.search.paging import advise, read_through

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
