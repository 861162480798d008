"""A watch on the event loop: how late it wakes up is how long something blocked it.

Anything that blocks the loop delays every answer and the gateway heartbeat; this makes such
blocks visible in the log (a warning past `warn_ms`, the worst one at shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import time

log = logging.getLogger(__name__)


class LoopWatch:
    def __init__(self, tick: float = 0.01, warn_ms: float = 100.0) -> None:
        self.tick = tick
        self.warn_ms = warn_ms
        self.worst_ms = 0.0

    async def run(self) -> None:
        """Runs until cancelled."""
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.tick)
            late_ms = (time.perf_counter() - start - self.tick) * 1000
            self.worst_ms = max(self.worst_ms, late_ms)
            if late_ms > self.warn_ms:
                log.warning("event loop was blocked for %.0f ms", late_ms)
