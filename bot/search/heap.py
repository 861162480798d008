"""Handing freed heap memory back to the system, where the C library allows it.

glibc keeps what a process frees for reuse, and returns only the top of its heap: long-lived
arrays allocated between short-lived ones pin the holes these leave. A build at 10,000
articles frees tens of megabytes of temporaries per range of terms, and its peak was that
much higher for them; a process that had built such an index and let it go still held 575 MB
(371 MB after `malloc_trim`).
"""

from __future__ import annotations

import ctypes
import functools
import sys
import threading
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # a libc without malloc_trim (musl)
        return None


def trim() -> None:
    """Return the free pages of the heap to the system (`malloc_trim(0)`; a few milliseconds).

    Only on the main thread, which builds at start-up before anything else runs: a /reload or
    an update builds in another thread while the event loop serves, and a trim holds the
    allocator that the loop needs."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None and threading.current_thread() is threading.main_thread():
        malloc_trim(0)
