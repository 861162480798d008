"""Starting and stopping the Discord bot: endpoints, the query log, signals, clear failures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import aiohttp
import discord
import yarl

from bot.discordbot.client import AnswerBot
from bot.discordbot.loopwatch import LoopWatch
from bot.knowledge_base import KnowledgeBase
from bot.querylog import QueryLog
from bot.settings import Settings

log = logging.getLogger(__name__)


def _voice_warning(record: logging.LogRecord) -> bool:
    """This bot has no voice features: discord.py's warnings about voice libraries are noise."""
    return "voice will NOT be supported" not in record.getMessage()


def point_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send REST and gateway traffic to a Discord-compatible server instead of discord.com."""
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def run(settings: Settings, kb: KnowledgeBase, *, sync_only: bool = False) -> int:
    """`python -m bot run` / `sync`; returns the process exit code."""
    if not settings.discord_token:
        print(
            "DISCORD_TOKEN が設定されていません (.env を参照) / DISCORD_TOKEN is not set (see .env.example)",
            file=sys.stderr,
        )
        return 2
    point_at(settings.discord_api_base, settings.discord_gateway_url)
    logging.getLogger("discord.client").addFilter(_voice_warning)
    try:
        return asyncio.run(_serve(settings, kb, sync_only=sync_only))
    except KeyboardInterrupt:
        return 130


async def _serve(settings: Settings, kb: KnowledgeBase, *, sync_only: bool) -> int:
    token = settings.discord_token
    if not token:  # `run` has told the user and returned before getting here
        raise RuntimeError("_serve needs settings.discord_token; run() checks it first")
    query_log = QueryLog(settings.log_db)
    await query_log.start()
    retention = None
    if settings.log_retention_days:
        retention = asyncio.create_task(query_log.run_retention(settings.log_retention_days))
    bot = AnswerBot(settings, kb, query_log, sync_global=True if sync_only else None)
    watch = LoopWatch()
    watcher = asyncio.create_task(watch.run())
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    if sync_only:
        bot.add_listener(_stop_when_ready(stop), "on_ready")
    stopped: tuple[int, int] | None = None  # set by a requested stop: (finished, apologised)
    try:
        runner = asyncio.create_task(bot.start(token))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()  # raises what made the bot stop
        log.info("shutting down")
        finished, apologised = await bot.drain(settings.stop_grace_seconds)
        stopped = (finished, apologised)
        return 0
    except (aiohttp.ClientError, OSError) as e:
        where = settings.discord_api_base or "discord.com"
        print(
            f"Discord に接続できません ({where}) / cannot reach Discord at {where} "
            f"(DISCORD_API_BASE, DISCORD_GATEWAY_URL, network): {e}",
            file=sys.stderr,
        )
        return 2
    except discord.LoginFailure:
        print(
            "DISCORD_TOKEN が無効です / DISCORD_TOKEN is invalid: Discord refused to log in",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "DISCORD_QA_CHANNEL_IDS needs the Message Content intent: enable it in the developer portal "
            "(Bot → Privileged Gateway Intents) / Q&A チャンネルには Message Content intent が必要です",
            file=sys.stderr,
        )
        return 2
    finally:
        await bot.close()
        watcher.cancel()
        if retention:
            retention.cancel()
        await query_log.close()
        log.info("event loop: longest block %.1f ms", watch.worst_ms)
        if stopped is not None:
            print(_stop_summary(*stopped, query_log.dropped), file=sys.stderr, flush=True)


def _stop_summary(finished: int, apologised: int, dropped: int) -> str:
    """The one line a stop prints: what happened to the questions in flight and to the log."""
    return (
        f"停止しました: 回答中の質問 {finished} 件を回答、{apologised} 件に停止を通知、"
        f"書き込めなかった記録 {dropped} 件 / stopped: {finished} question(s) in flight answered, "
        f"{apologised} told the bot is restarting, {dropped} log row(s) not written"
    )


def _stop_when_ready(stop: asyncio.Event):
    async def on_ready() -> None:
        stop.set()

    return on_ready
