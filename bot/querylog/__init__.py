"""The query log: every question asked, how it was answered, and reports for moderators.

Plain Python with no Discord in it; the bot, the console chat and the CLI render its results.

    log = QueryLog(settings.log_db)
    await log.start()                     # never raises: the bot answers even without a log
    query_id = log.record(QueryEntry(question=q, source="slash", answered=True, ...))
    await log.vote(query_id, user_id, +1) # from the feedback button
    rows = await log.recent(Scope.server(guild_id), 10)  # reports: dataclasses, per scope
    await log.close()                     # on shutdown: writes what is queued

Scripts: `async with QueryLog.open(path) as log: ...` inside `asyncio.run(...)`.
"""

from bot.querylog.entry import SOURCES, QueryEntry, Source
from bot.querylog.rows import (
    DayCount,
    Downvote,
    QueryRow,
    QuestionGroup,
    QuestionGroups,
    SectionCount,
    Stats,
)
from bot.querylog.scope import Scope
from bot.querylog.store import QueryLog

__all__ = [
    "SOURCES",
    "DayCount",
    "Downvote",
    "QueryEntry",
    "QueryLog",
    "QueryRow",
    "QuestionGroup",
    "QuestionGroups",
    "Scope",
    "SectionCount",
    "Source",
    "Stats",
]
