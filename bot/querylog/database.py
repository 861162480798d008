"""Opening the log database, and noticing when the file under an open connection is gone.

In WAL mode SQLite keeps writing to a deleted file without any error, so rows would vanish
silently; comparing the path's inode with the one opened is how we notice and reopen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.querylog.schema import migrate


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


@dataclass
class Database:
    """An open connection in autocommit mode (transactions are explicit) and the file it has."""

    path: Path
    conn: aiosqlite.Connection
    identity: tuple[int, int] | None

    @classmethod
    async def open(cls, path: Path, *, busy_timeout_ms: int) -> Database:
        """Create the folder if needed, open in WAL mode and bring the schema up to date."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across process crashes in WAL mode; only an OS crash can lose
            # the last commits, a fair trade for a log.
            await conn.execute("PRAGMA synchronous = NORMAL")
            # Forgotten and purged rows are overwritten with zeros, not left in free pages:
            # said explicitly, since SQLite's default differs between builds.
            await conn.execute("PRAGMA secure_delete = ON")
            await migrate(conn)
        except BaseException:
            await conn.close()
            raise
        return cls(path, conn, _identity(path))

    def moved(self) -> bool:
        """True when the path no longer names the file this connection writes to."""
        return _identity(self.path) != self.identity

    async def close(self) -> None:
        await self.conn.close()
