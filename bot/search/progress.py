"""Progress of a long index build, on stderr.

Indexing a whole archive takes a minute, so a person at a terminal sees a bar redrawn in place;
logs and pipes get only a start line and an end line, never hundreds of redraws.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR = 30
REDRAW_SECONDS = 0.2


class Progress:
    """Counts work done out of a known total and reports it on `stream` (default stderr)."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.done_count = 0
        self.started = time.perf_counter()
        self._drawn = 0.0
        if not self.tty:
            self._line(f"{label}: {total:,} …")

    def advance(self, n: int) -> None:
        self.done_count += n
        now = time.perf_counter()
        if self.tty and (now - self._drawn >= REDRAW_SECONDS or self.done_count >= self.total):
            self._drawn = now
            share = self.done_count / self.total if self.total else 1.0
            bar = "#" * round(share * BAR)
            self.stream.write(
                f"\r{self.label}: [{bar:<{BAR}}] {share:4.0%} {self.done_count:,}/{self.total:,}"
            )
            self.stream.flush()

    def finish(self, note: str = "") -> None:
        elapsed = time.perf_counter() - self.started
        if self.tty:
            self.stream.write("\n")
        self._line(f"{self.label}: {self.total:,} done in {elapsed:.1f} s{note}")

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
