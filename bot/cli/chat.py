"""The console chat: the same answers the Discord bot gives, in a terminal or a pipe."""

from __future__ import annotations

import asyncio
import difflib
import getpass
import re
import sys
import threading
from collections.abc import AsyncIterator
from typing import TextIO

from bot.answers.questions import MAX_QUESTION_CHARS, question_problem
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
COMMANDS = ("/help", "/articles", "/summary", "/quit")
# A line that is a command, not a question: a slash and Latin letters (「/sumary」, 「/」).
_COMMAND = re.compile(r"/[A-Za-z]*")


async def _lines(stdin: TextIO) -> AsyncIterator[str]:
    """stdin's lines, read by a daemon thread: asyncio waits for its own worker threads at
    exit, so a read blocked in one kept Ctrl-C from ending the chat until Enter was pressed."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        while True:
            line = stdin.readline()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:  # the chat has ended and its loop is closed
                return
            if not line:
                return

    threading.Thread(target=read, name="chat-input", daemon=True).start()
    while line := await queue.get():
        yield line


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
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        ended_by_eof = True
        async for line in _lines(stdin):
            text = line.strip()
            if text in QUIT:
                ended_by_eof = False
                break
            if text:
                if not interactive:
                    # Piped lines are not on screen: each answer is headed by its question, cut
                    # where a question is too long to be asked (the answer says by how much).
                    shown = text[:MAX_QUESTION_CHARS] + (
                        "…" if len(text) > MAX_QUESTION_CHARS else ""
                    )
                    print(f"> {terminal_safe(shown)}", file=stdout)
                answer = await reply(kb, asker, text, color=color, locale=locale)
                print(answer, file=stdout, flush=True)
                print(file=stdout, flush=True)
            if interactive:
                print("> ", end="", file=stdout, flush=True)
        if interactive and ended_by_eof:
            print(file=stdout)  # Ctrl-D echoes no newline: the shell's prompt on its own line
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
    if _COMMAND.fullmatch(word := text.split()[0]):
        # Not asked (nor logged) as a question: 「/sumary」 is a typo, not a question in English.
        close = difflib.get_close_matches(word, COMMANDS, n=1)
        if close and word != "/":
            return t("unknown_command_close", locale, command=terminal_safe(word), close=close[0])
        return t("unknown_command", locale, command=terminal_safe(word))
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
    if len(rest) > 2:
        extra = " ".join(rest[2:])
        return t("summary_extra", locale, words=terminal_safe(extra))
    article = rest[0] if rest else None
    section = rest[1] if len(rest) > 1 else None
    # 「/summary 2」: a section of the article a bare /summary gives, when no article is named.
    if (
        len(rest) == 1
        and kb.library.get(rest[0]) is None
        and kb.library.articles
        and kb.library.newest_first[0].section(rest[0]) is not None
    ):
        article, section = None, rest[0]
    try:
        summary = summarize(
            kb.library, article, section=section, length=length, analyzer=kb.analyzer
        )
    except SummaryError as e:
        return summary_error_text(e, locale)
    text = summary_text(summary, locale)
    if article is None and len(kb.library.articles) > 1:
        # Which of several articles a bare /summary took, and how to name another.
        return f"{t('summary_newest', locale)}\n{text}"
    return text
