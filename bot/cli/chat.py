"""The console chat: the same answers the Discord bot gives, in a terminal or a pipe."""

from __future__ import annotations

import sys

from bot.answers.questions import question_problem
from bot.cli.render import answer_text, articles_text
from bot.knowledge_base import KnowledgeBase
from bot.strings import t

QUIT = {":q", ":quit", "/quit", "exit", "quit"}


def run_chat(kb: KnowledgeBase, stdin=None, stdout=None) -> int:
    """Answer line by line; with stdin not a terminal, answer each line and stop at end of input."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty()
    color = stdout.isatty()
    if interactive:
        print(t("chat_intro"), file=stdout)
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text in QUIT:
            break
        print(reply(kb, text, color=color), file=stdout, flush=True)
        print(file=stdout, flush=True)
    return 0


def reply(kb: KnowledgeBase, text: str, *, color: bool = False) -> str:
    if text == "/help":
        return f"{t('help')}\n{t('chat_intro')}"
    if text == "/articles":
        return articles_text(kb.library)
    problem = question_problem(text)
    if problem:
        key, params = problem
        return t(key, **params)
    return answer_text(kb.ask(text), kb.library, kb.analyzer, color=color)
