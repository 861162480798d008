"""Stopping the process: SIGTERM writes what is queued, SIGKILL leaves a sound database."""

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

from bot.querylog import QueryLog, Scope

ALL = Scope.shell()

CHILD = Path(__file__).with_name("child_writer.py")
ROOT = Path(__file__).resolve().parents[2]


async def spawn(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )


async def read_line(process: asyncio.subprocess.Process) -> str:
    async with asyncio.timeout(20):
        return (await process.stdout.readline()).decode().strip()


async def test_sigterm_writes_rows_that_were_queued(db_path, locked, sql):
    async with QueryLog.open(db_path):
        pass
    locked(True)  # nothing can be written until after the signal
    child = await spawn(str(db_path), "sigterm", "500")
    try:
        assert await read_line(child) == "queued 500"
        child.send_signal(signal.SIGTERM)
        assert await read_line(child) == "closing with 500 queued"
        assert sql("SELECT COUNT(*) FROM queries") == [(0,)]
    finally:
        locked(False)
    async with asyncio.timeout(20):
        assert await child.wait() == 0
    assert sql("SELECT COUNT(*) FROM queries") == [(500,)]


async def test_sigkill_mid_write_leaves_a_sound_database(db_path):
    child = await spawn(str(db_path), "loop")
    try:
        while (
            not (line := await read_line(child)).startswith("wrote") or int(line.split()[1]) < 2000
        ):
            assert line, "writer process ended early"
    finally:
        child.kill()
        await child.wait()
    assert child.returncode == -signal.SIGKILL
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.execute("INSERT INTO queries_fts(queries_fts) VALUES ('integrity-check')")
    conn.close()
    async with QueryLog.open(db_path) as log:
        assert len(await log.search(ALL, "書き込み中 1")) > 0
