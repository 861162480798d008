"""`python -m bot …`: the command line. Each subcommand is a thin call into the core."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from pathlib import Path
from typing import TypedDict

from bot import __version__
from bot.answers.model import AnswerKind
from bot.answers.questions import question_problem
from bot.articles import ArticleError
from bot.asking import asker_for
from bot.cli import dashboard_cmd, logs_cmd, summary_cmd
from bot.cli.chat import run_chat
from bot.cli.parser import BilingualParser
from bot.cli.render import answer_text, terminal_safe
from bot.knowledge_base import KnowledgeBase
from bot.querylog.entry import local_user_id
from bot.ranking.model import ModelError
from bot.settings import Settings, SettingsError
from bot.strings import t

# How much of a question `ask` echoes above a message saying it can't be asked.
ECHO_CHARS = 80

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    p = BilingualParser(
        # As it was started: the installed `kiji-bot` script, or `python -m bot` from a checkout.
        prog="kiji-bot" if Path(sys.argv[0]).name == "kiji-bot" else "python -m bot",
        description="記事について質問に答える Discord ボット / A Discord bot that answers questions about articles.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument(
        "--knowledge",
        metavar="DIR",
        type=Path,
        help="記事フォルダ / article folder (env BOT_KNOWLEDGE_DIR; default: knowledge/ of the checkout, or of the working directory when installed)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="質問に答える / answer questions")
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument(
        "--json", action="store_true", help="one JSON object per question, one per line"
    )

    ask.add_argument(
        "--no-log", action="store_true", help="don't record the questions in the query log"
    )
    chat = sub.add_parser("chat", help="コンソールで対話 / console chat")
    chat.add_argument(
        "--no-log", action="store_true", help="don't record the questions in the query log"
    )
    sub.add_parser("run", help="Discord に接続 / connect to Discord (needs DISCORD_TOKEN)")
    sub.add_parser(
        "sync", help="スラッシュコマンドを全体に同期 / sync slash commands globally, then exit"
    )

    logs_cmd.add_parser(sub)
    dashboard_cmd.add_parser(sub)
    summary_cmd.add_parser(sub)

    check = sub.add_parser("check", help="記事を検査 / list and check the articles")
    check.add_argument("--json", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        print(f"設定エラー / settings error: {e}", file=sys.stderr)
        return 2
    folder = args.knowledge or settings.knowledge_dir
    command = args.command
    # No command and no token: the chat, with a word on how to connect (said once the articles
    # have loaded, not above an error that they could not be).
    hint = command is None and not settings.discord_token
    if command is None:
        command = "run" if settings.discord_token else "chat"
    # A server reports its progress; a command-line tool speaks only when something is wrong.
    logging.basicConfig(
        level=settings.log_level or ("INFO" if command in ("run", "sync") else "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if command == "check":
        # `check` reports every file that failed to load: the loader's log line would say it twice.
        logging.getLogger("bot.articles.library").setLevel(logging.CRITICAL)
    if command == "logs":
        return logs_cmd.run(args, settings)
    if command == "dashboard":
        return dashboard_cmd.run(args, settings)
    try:
        # One-shot commands answer a question or two: making every table a server's first
        # questions would need is work they never use (a quarter of a second at 10,000 articles).
        kb = KnowledgeBase.load(folder, warm=command in ("chat", "run"))
    except (ArticleError, ModelError) as e:
        print(f"エラー / error: {e}", file=sys.stderr)
        return 2
    try:
        if command == "ask":
            return asyncio.run(
                cmd_ask(kb, settings, args.questions, as_json=args.json, log=not args.no_log)
            )
        if command == "summary":
            return summary_cmd.run(args, kb)
        if command == "check":
            return cmd_check(kb, as_json=args.json)
        if command == "chat":
            if hint:
                print(t("connect_hint", settings.default_locale), file=sys.stderr)
            return asyncio.run(run_chat(kb, settings, log=not getattr(args, "no_log", False)))
        if command in ("run", "sync"):
            # discord.py and aiohttp take a while to import: only the Discord front end needs them.
            from bot.discordbot.runner import run

            return run(settings, kb, sync_only=command == "sync")
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the shell's prompt on a line of its own, not after 「> ^C」
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    raise AssertionError(f"unhandled command {command}")


async def cmd_ask(
    kb: KnowledgeBase, settings: Settings, questions: list[str], *, as_json: bool, log: bool
) -> int:
    color = sys.stdout.isatty()
    user = getpass.getuser()  # a password-database lookup: once, not twice per question
    async with asker_for(kb, settings, log=log) as asker:
        for question in questions:
            problem = question_problem(question)
            if problem and not as_json:
                key, params = problem
                shown = question[:ECHO_CHARS] + ("…" if len(question) > ECHO_CHARS else "")
                message = t(key, settings.default_locale, **params)
                print(f"Q: {terminal_safe(shown)}\n{message}\n", flush=True)
                continue
            if problem:  # one JSON line per question still, so callers stay in step
                print(
                    json.dumps(
                        {
                            "question": question,
                            "answered": False,
                            "kind": AnswerKind.INVALID,
                            "passages": [],
                            "problem": problem[0],
                        },
                        ensure_ascii=False,
                    )
                )
                continue
            answer = (
                await asker.ask(
                    question,
                    source="cli",
                    user_name=user,
                    user_id=local_user_id(user),
                )
            ).answer
            if as_json:
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
            else:
                text = answer_text(
                    answer,
                    kb.library,
                    color=color,
                    locale=settings.default_locale,
                    articles_command="python -m bot check",
                    summary_command="python -m bot summary",
                )
                print(f"Q: {terminal_safe(question)}\n{text}\n", flush=True)
    lost = asker.log.dropped if asker.log is not None else 0
    if lost:  # the log said why (file, error) as it gave up; the exit code says it too
        print(
            f"記録できなかった質問: {lost} 件 / {lost} question(s) could not be logged "
            f"(BOT_LOG_DB={settings.log_db})",
            file=sys.stderr,
        )
        return 3
    return 0


class SectionRow(TypedDict):
    """One section in `check`'s report (a JSON object in `--json`)."""

    index: int
    heading: str
    paragraphs: int
    sentences: int


class ArticleRow(TypedDict):
    """One article in `check`'s report (a JSON object in `--json`)."""

    id: str
    file: str
    format: str
    title: str
    author: str | None
    date: str | None
    sections: list[SectionRow]
    paragraphs: int
    sentences: int
    warnings: list[str]


def cmd_check(kb: KnowledgeBase, *, as_json: bool) -> int:
    lib = kb.library
    rows: list[ArticleRow] = [
        {
            "id": a.id,
            "file": a.path.name,
            "format": a.format,
            "title": a.title,
            "author": a.author,
            "date": a.date,
            "sections": [
                {
                    "index": s.index,
                    "heading": s.heading,
                    "paragraphs": len(s.paragraphs),
                    "sentences": len(s.sentences),
                }
                for s in a.sections
            ],
            "paragraphs": a.paragraph_count,
            "sentences": a.sentence_count,
            "warnings": list(a.warnings),
        }
        for a in lib.articles
    ]
    errors = [{"file": str(e.path), "line": e.line, "message": e.message} for e in lib.errors]
    if as_json:
        print(json.dumps({"articles": rows, "errors": errors}, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['id']}  ({r['file']}, {r['format']})  {r['title']}")
            print(
                f"  {len(r['sections'])} 節 sections, {r['paragraphs']} 段落 paragraphs, "
                f"{r['sentences']} 文 sentences"
            )
            for s in r["sections"]:
                print(
                    f"    {s['index']}. {s['heading']}  [{s['paragraphs']} 段落 ¶, {s['sentences']} 文]"
                )
            for w in r["warnings"]:
                print(f"  警告 / warning: {w}")
        for e in lib.errors:
            print(f"エラー / error: {e}")
        print(
            f"記事 {len(rows)} 件・エラー {len(errors)} 件 / {len(rows)} article(s), {len(errors)} error(s)"
        )
    return 1 if errors else 0
