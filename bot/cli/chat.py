"""The console chat: the same answers the Discord bot gives, in a terminal or a pipe."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bot.answers.questions import question_problem
from bot.asking import Asker, asker_for
from bot.cli.render import answer_text, articles_text, terminal_safe
from bot.cli.summary_cmd import summary_text
from bot.knowledge_base import KnowledgeBase
from bot.presentation import summary_error_text
from bot.querylog.entry import local_user_id
from bot.settings import Settings
from bot.strings import t
from bot.summaries import LENGTHS, SummaryError, summarize

QUIT = {":q", ":quit", "/quit", "exit", "quit"}


async def run_chat(
    kb: KnowledgeBase,
    settings: Settings,
    *,
    log: bool,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Answer line by line; with stdin not a terminal, answer each line and stop at end of input."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    color = stdout.isatty()
    locale = settings.default_locale
    if interactive:
        print(t("chat_intro", locale), file=stdout)
    async with asker_for(kb, settings, log=log) as asker:
        while True:
            if interactive:
                print("> ", end="", file=stdout, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text in QUIT:
                break
            if not interactive:
                # Piped lines are not on screen: each answer is headed by its question.
                print(f"> {terminal_safe(text)}", file=stdout)
            print(await reply(kb, asker, text, color=color, locale=locale), file=stdout, flush=True)
            print(file=stdout, flush=True)
    return 0


async def reply(
    kb: KnowledgeBase, asker: Asker, text: str, *, color: bool = False, locale: str = "ja"
) -> str:
    """The console's answer to one line, in `locale` (BOT_DEFAULT_LOCALE: a terminal says no
    language of its own)."""
    if text == "/help":
        return f"{t('help', locale)}\n{t('chat_intro', locale)}"
    if text == "/articles":
        return articles_text(kb.library, locale)
    if text == "/summary" or text.startswith("/summary "):
        return summary_reply(kb, text.split()[1:], locale)
    problem = question_problem(text)
    if problem:
        key, params = problem
        return t(key, locale, **params)
    asked = await asker.ask(
        text,
        source="console",
        user_name=getpass.getuser(),
        user_id=local_user_id(getpass.getuser()),
    )
    return answer_text(asked.answer, kb.library, color=color, locale=locale)


def summary_reply(kb: KnowledgeBase, words: list[str], locale: str = "ja") -> str:
    """`/summary [article] [section] [short|long|outline]`, as in Discord."""
    length = next((w for w in words if w in LENGTHS), "short")
    rest = [w for w in words if w not in LENGTHS]
    article = rest[0] if rest else None
    section = rest[1] if len(rest) > 1 else None
    try:
        summary = summarize(
            kb.library, article, section=section, length=length, analyzer=kb.analyzer
        )
    except SummaryError as e:
        return summary_error_text(e, locale)
    return summary_text(summary, locale)
