"""`python -m bot …`: the command line. Each subcommand is a thin call into the core."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from bot import __version__
from bot.articles import ArticleError
from bot.knowledge_base import KnowledgeBase
from bot.settings import Settings, SettingsError
from bot.strings import t

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bot",
        description="記事について質問に答える Discord ボット / A Discord bot that answers questions about articles.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    p.add_argument(
        "--knowledge",
        metavar="DIR",
        type=Path,
        help="記事フォルダ / article folder (env BOT_KNOWLEDGE_DIR; default: the bundled knowledge/)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="質問に答える / answer questions")
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument(
        "--json", action="store_true", help="one JSON object per question, one per line"
    )

    sub.add_parser("chat", help="コンソールで対話 / console chat")

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
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    folder = args.knowledge or settings.knowledge_dir
    command = args.command
    if command is None:
        if settings.discord_token:
            command = "run"
        else:
            print(t("connect_hint"), file=sys.stderr)
            command = "chat"
    try:
        kb = KnowledgeBase.load(folder)
    except ArticleError as e:
        print(f"エラー / error: {e}", file=sys.stderr)
        return 2
    try:
        if command == "ask":
            return cmd_ask(kb, args.questions, as_json=args.json)
        if command == "check":
            return cmd_check(kb, as_json=args.json)
        if command == "chat":
            from bot.cli.chat import run_chat

            return run_chat(kb)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    raise AssertionError(f"unhandled command {command}")


def cmd_ask(kb: KnowledgeBase, questions: list[str], *, as_json: bool) -> int:
    from bot.cli.render import answer_text

    color = sys.stdout.isatty()
    for question in questions:
        answer = kb.ask(question)
        if as_json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(
                f"Q: {question}\n{answer_text(answer, kb.library, kb.analyzer, color=color)}\n",
                flush=True,
            )
    return 0


def cmd_check(kb: KnowledgeBase, *, as_json: bool) -> int:
    lib = kb.library
    rows = [
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
                f"  {len(r['sections'])} sections, {r['paragraphs']} paragraphs, {r['sentences']} sentences"
            )
            for s in r["sections"]:
                print(
                    f"    {s['index']}. {s['heading']}  [{s['paragraphs']} ¶, {s['sentences']} sentences]"
                )
            for w in r["warnings"]:
                print(f"  warning: {w}")
        for e in lib.errors:
            print(f"error: {e}")
        print(f"{len(rows)} article(s), {len(errors)} error(s)")
    return 1 if errors else 0
