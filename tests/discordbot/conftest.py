"""Start the real bot (AnswerBot, real cogs, real query log on tmp_path) against the peer."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.discordbot.client import AnswerBot
from bot.querylog import QueryLog
from bot.settings import Settings
from tests.peer import DEFAULT_CHANNEL_ID, DEFAULT_GUILD_ID, DiscordPeer, run_bot


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        log_db=tmp_path / "queries.sqlite3",
        discord_token="peer-test-token",
        discord_guild_ids=(DEFAULT_GUILD_ID,),
        user_cooldown_seconds=0,
        watch_seconds=0,  # tests that watch the folder turn it on themselves
    )


@pytest.fixture
def start_bot(kb) -> Callable[..., Any]:
    """`async with start_bot(settings) as (bot, peer, log):` — a running bot and its peer."""

    @asynccontextmanager
    async def start(
        settings: Settings, *, allow_errors: bool = False, **changes: Any
    ) -> AsyncIterator[tuple[AnswerBot, DiscordPeer, QueryLog]]:
        settings = dataclasses.replace(settings, **changes)
        log = QueryLog(settings.log_db)
        await log.start()
        bot = AnswerBot(settings, kb, log)
        try:
            async with run_bot(bot, allow_errors=allow_errors) as peer:
                yield bot, peer, log
        finally:
            await log.close()

    return start


def button(message: dict, match: str) -> str:
    """The custom_id of the button whose emoji or label contains `match`."""
    for row in message.get("components", []):
        for item in row.get("components", []):
            label = item.get("label") or ""
            emoji = (item.get("emoji") or {}).get("name") or ""
            if match in label or match in emoji:
                return item["custom_id"]
    raise AssertionError(f"no button {match!r} in {message.get('components')}")


QA_CHANNEL = DEFAULT_CHANNEL_ID
