"""How the index's files are read: memory-mapped with advice to the kernel, or read by offset.

Postings are read a few entries at a time by questions and straight through by updates; the
kernel's defaults (read-ahead, mapping a touched page's neighbours) suit the second only.

A mapped page costs the process more than the page it touched. Since Linux 6.18 a fault maps
the whole page-cache folio holding the page, and files written in large blocks (the index, a
pip-installed dictionary) sit in the cache as folios of up to 2 MB: at 10,000 real-text
articles, 500 questions left 275 of the 310 MB of postings resident in every serving process,
whatever `madvise` said. So the postings a question reads from end to end are read with
`pread` into its own arrays (`FileArray`): the process holds what it read, for as long as it
uses it, and the file's pages stay in the page cache, shared by every process. Only the
postings a question binary-searches (the few terms in a large share of the sentences) stay
mapped.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np


def advise(array: np.ndarray, advice: str) -> None:
    """Tell the kernel how the file `array` is memory-mapped from will be read (`madvise`):
    "MADV_RANDOM", "MADV_SEQUENTIAL"... A plain array, or a platform without that advice, is
    left as it is."""
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    flag = getattr(mmap, advice, None)
    if isinstance(base, mmap.mmap) and flag is not None:
        with contextlib.suppress(OSError):  # only a hint: an index it fails on still serves
            base.madvise(flag)


@contextlib.contextmanager
def read_through(array: np.ndarray) -> Iterator[None]:
    """Read-ahead on while a block reads `array` (advised for random reads) from end to end,
    random reads advised again after it, whether it failed or not: the index it belongs to may
    go on serving questions."""
    advise(array, "MADV_SEQUENTIAL")
    try:
        yield
    finally:
        advise(array, "MADV_RANDOM")


class FileArray:
    """The 1-D array of a `.npy` file, read a slice at a time with `pread` (see above).

    Made from the memory map of the same file (`np.load(..., mmap_mode="r")`), whose header
    numpy has already checked; the file stays open while the index serves, so that a newer
    generation replacing it (and unlinking it) changes nothing for this one. Not on platforms
    without `os.preadv` (Windows): there every posting is read through the map.
    """

    SUPPORTED = hasattr(os, "preadv")

    def __init__(self, mapped: np.memmap) -> None:
        if mapped.ndim != 1 or not mapped.flags.c_contiguous or mapped.filename is None:
            raise ValueError("only a contiguous 1-D memory-mapped array can be read by offset")
        self.path = Path(mapped.filename)
        self.dtype = mapped.dtype
        self._offset = int(mapped.offset)
        self._fd = os.open(self.path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def read(self, lo: int, hi: int) -> np.ndarray:
        """Entries lo to hi, in a new array."""
        out = np.empty(hi - lo, dtype=self.dtype)
        if out.nbytes:
            got = os.preadv(self._fd, [out.data.cast("B")], self._offset + lo * self.dtype.itemsize)
            if got != out.nbytes:
                raise OSError(f"{self.path}: entries {lo}-{hi} lie past the end of the file")
        return out
