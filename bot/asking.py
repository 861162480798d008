"""Asking as every front end does it: answer off the event loop, time it, log it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from bot.answers import Answer
from bot.knowledge_base import KnowledgeBase
from bot.querylog import QueryEntry, QueryLog, Source
from bot.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class Asked:
    """An answer and the id of its log row (for feedback); the id is None when not logged."""

    answer: Answer
    query_id: int | None
    latency_ms: float


class Asker:
    """Holds no state of its own: the knowledge base comes from `knowledge()` on every question,
    so a reload takes effect for the next question without touching this object."""

    def __init__(self, knowledge: Callable[[], KnowledgeBase], log: QueryLog | None) -> None:
        self.knowledge = knowledge
        self.log = log
        # One answering thread: answers are pure Python under the GIL, so more threads would not
        # answer faster, only take the GIL from the event loop more often and stall it.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")

    async def run(self, fn: Callable[..., T], /, *args: object) -> T:
        """`fn(*args)` on the answering thread: the one way the front ends take work (answers,
        summaries, charts, reloads: milliseconds to seconds of pure Python) off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args))

    async def ask(
        self,
        question: str,
        *,
        source: Source,
        user_id: int | None = None,
        user_name: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        earlier: str | None = None,
        continues: int | None = None,
    ) -> Asked:
        """Answer off the loop and log it; a follow-up gives the question it continues
        (`earlier`, searched with it) and that question's row (`continues`)."""
        start = time.perf_counter()
        answer = await self.run(self.knowledge().ask, question, earlier)
        latency_ms = round((time.perf_counter() - start) * 1000, 2)
        query_id = None
        if self.log is not None:
            best = answer.best
            query_id = self.log.record(
                QueryEntry(
                    question=question,
                    source=source,
                    answered=answer.answered,
                    user_id=user_id,
                    user_name=user_name,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    top_article=best.article if best else None,
                    top_section=best.section if best else None,
                    top_paragraph=best.paragraph if best else None,
                    top_score=best.score if best else None,
                    top_quote=best.quote if best else None,
                    continues=continues,
                    n_passages=len(answer.passages),
                    latency_ms=latency_ms,
                    kind=answer.kind,
                )
            )
        return Asked(answer, query_id, latency_ms)

    def turned_away(
        self,
        question: str,
        kind: str,
        *,
        source: Source,
        user_id: int | None = None,
        user_name: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> None:
        """Log a question that was acknowledged but not answered (`querylog.entry.BUSY`,
        `STOPPED`): the person was told, and moderators see it among the unanswered."""
        if self.log is not None:
            self.log.record(
                QueryEntry(
                    question=question,
                    source=source,
                    answered=False,
                    user_id=user_id,
                    user_name=user_name,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    kind=kind,
                )
            )


@contextlib.asynccontextmanager
async def asker_for(kb: KnowledgeBase, settings: Settings, *, log: bool) -> AsyncIterator[Asker]:
    """An `Asker` recording into the query log (unless `log` is False), flushed on the way out."""
    if not log:
        yield Asker(lambda: kb, None)
        return
    query_log = QueryLog(settings.log_db)
    await query_log.start()
    try:
        yield Asker(lambda: kb, query_log)
    finally:
        await query_log.close()
