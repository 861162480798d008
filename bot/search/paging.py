"""How the index's memory-mapped files will be read, told to the kernel.

Postings are read a few entries at a time by questions and straight through by updates; the
kernel's defaults (read-ahead, mapping a touched page's neighbours) suit the second only.
"""

from __future__ import annotations

import contextlib
import mmap
from collections.abc import Iterator

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
