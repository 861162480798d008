"""What a front end hands to the log for one question, and the id it gets back.

The id is made here, not by SQLite, because a Discord feedback button needs it the moment the
answer is sent, which may be long before the row reaches the disk (see `writer.py`).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, get_args

Source = Literal["slash", "mention", "channel", "console", "cli"]
SOURCES: tuple[str, ...] = get_args(Source)
# The `kind` of a question turned away unanswered: no answer slot came free in time, the bot
# was stopping, or its asker asked too many too fast. Such rows are logged too, so that no
# question goes unsaid.
BUSY = "busy"
STOPPED = "stopped"
RATE_LIMITED = "rate_limited"
TURNED_AWAY = (BUSY, STOPPED, RATE_LIMITED)

_COUNTER_BITS = 21
# A random start keeps two processes (bot and CLI) from handing out the same ids.
_counter = itertools.count(secrets.randbits(_COUNTER_BITS))


def new_query_id() -> int:
    """A positive 63-bit id: 42 bits of Unix milliseconds (good until 2109), 21 of a counter.

    Ids sort by time and stay unique within a process up to two million ids per millisecond.
    """
    millis = time.time_ns() // 1_000_000
    return (millis << _COUNTER_BITS) | (next(_counter) & ((1 << _COUNTER_BITS) - 1))


def local_user_id(login: str) -> int:
    """A stable id for someone asking from this machine's shell (console chat, `ask`): derived
    from their login name, and negative, so it is never a Discord user's. `logs forget` reaches
    their rows by it, as it does a Discord user's by their id."""
    digest = hashlib.sha256(login.encode("utf-8", "replace")).digest()
    return -(int.from_bytes(digest[:7], "big") + 1)


def parse_utc(text: str) -> datetime:
    """A time the log stored (`iso_utc`), as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """One fixed text format (`2025-01-31T23:59:59.123Z`) so times compare as strings in SQL."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the log stores UTC, pass an aware datetime")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class QueryEntry:
    """One question and the outcome of answering it; ids are Discord snowflakes or None."""

    question: str
    source: Source
    answered: bool
    user_id: int | None = None
    user_name: str | None = None
    guild_id: int | None = None
    channel_id: int | None = None
    top_article: str | None = None
    top_section: str | None = None
    top_paragraph: int | None = None
    top_score: float | None = None
    top_quote: str | None = None  # the quote shown first, verbatim
    continues: int | None = None  # the row of the question this one followed up
    n_passages: int = 0
    latency_ms: float | None = None
    kind: str | None = None  # `Answer.kind`: passage, metadata, refused, crosslingual, ...
    time: datetime = field(default_factory=utc_now)

    def __post_init__(self) -> None:
        # Fail where the entry is built (a front-end bug), not later inside the writer task.
        if self.source not in SOURCES:
            raise ValueError(f"source {self.source!r} is not one of {', '.join(SOURCES)}")
        # SQLite takes UTF-8 only: undecodable bytes from a pipe (lone surrogates) would make it
        # refuse the row, and the question would be lost rather than logged with a '?'.
        for name in ("question", "user_name"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, _storable(value))


def _storable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")
