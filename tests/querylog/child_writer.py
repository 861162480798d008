"""A process that logs questions, for the shutdown tests; not collected by pytest.

`python child_writer.py DB sigterm N`: queue N rows, print `queued N`, close on SIGTERM.
`python child_writer.py DB loop`: write rows until killed, printing `wrote N` as it goes.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from bot.querylog import QueryEntry, QueryLog


async def close_on_sigterm(path: str, count: int) -> int:
    log = QueryLog(path, retry_min=0.01, retry_max=0.05, busy_timeout_ms=20)
    await log.start()
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    for i in range(count):
        log.record(QueryEntry(question=f"終了前の質問 {i}", source="console", answered=True))
    print(f"queued {log.queued}", flush=True)
    await stopping.wait()
    print(f"closing with {log.queued} queued", flush=True)
    await log.close(grace=30)
    return 0 if log.dropped == 0 else 1


async def write_forever(path: str) -> None:
    log = QueryLog(path, batch_size=200)
    await log.start()
    written = 0
    while True:
        for i in range(200):
            log.record(
                QueryEntry(
                    question=f"書き込み中 {written + i}" * 5, source="cli", answered=i % 2 == 0
                )
            )
        await log.flush()
        written += 200
        print(f"wrote {written}", flush=True)


if __name__ == "__main__":
    db, mode = sys.argv[1], sys.argv[2]
    if mode == "sigterm":
        sys.exit(asyncio.run(close_on_sigterm(db, int(sys.argv[3]))))
    asyncio.run(write_forever(db))
