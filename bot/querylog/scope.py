"""Whose rows a reader may see and act on.

A server's moderators see and forget their own server's rows only; direct messages belong to no
server and are seen by the bot's owner (beside the server they ask in) and by the shell, which
sees everything. Every report, the export and `forget` take a `Scope` and filter by it in SQL,
so no query can leave the filter out.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    guild_id: int | None = None  # the server whose rows are included, if any
    direct_messages: bool = False  # rows with no server (DMs, and the console and CLI)
    everything: bool = False  # every row: the shell's `logs` commands

    @classmethod
    def server(cls, guild_id: int, *, owner: bool = False) -> Scope:
        """A server's moderator; the bot's owner there also sees direct messages."""
        return cls(guild_id=guild_id, direct_messages=owner)

    @classmethod
    def shell(cls) -> Scope:
        return cls(everything=True)

    def where(self, column: str = "q.guild_id") -> tuple[str, tuple[object, ...]]:
        """An SQL condition on `column` and its parameters; matches nothing for an empty scope."""
        if self.everything:
            return "1", ()
        parts: list[str] = []
        params: tuple[object, ...] = ()
        if self.guild_id is not None:
            parts.append(f"{column} = ?")
            params = (self.guild_id,)
        if self.direct_messages:
            parts.append(f"{column} IS NULL")
        return ("(" + " OR ".join(parts) + ")", params) if parts else ("0", ())
