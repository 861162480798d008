"""`python -m bot summary`: print the summary of an article or a section, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.presentation import section_name, summary_error_text
from bot.strings import t
from bot.summaries import LENGTHS, Summary, SummaryError, summarize

if TYPE_CHECKING:
    from bot.knowledge_base import KnowledgeBase


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `summary` subcommand to the main parser's subparsers."""
    p = subparsers.add_parser("summary", help="記事や節の要約 / summary of an article or section")
    p.add_argument(
        "--article",
        metavar="ID",
        help="記事の id・id の先頭・題名の一部 / article id, id prefix or part of the title "
        "(default: the only article, or the newest)",
    )
    p.add_argument(
        "--section",
        metavar="N|HEADING",
        help="節の番号か見出し / section index or (part of its) heading (default: whole article)",
    )
    p.add_argument(
        "--length",
        choices=LENGTHS,
        default="short",
        help="short: 3文, long: 8文まで, outline: 節ごとに1文 (default: short)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object")
    return p


def run(args: argparse.Namespace, kb: KnowledgeBase) -> int:
    """Print the summary; an unknown article, section or length is exit code 2 with the choices."""
    try:
        summary = summarize(
            kb.library,
            args.article,
            section=args.section,
            length=args.length,
            analyzer=kb.analyzer,
        )
    except SummaryError as e:
        print(
            f"エラー: {summary_error_text(e, 'ja')}\nerror: {summary_error_text(e, 'en')}",
            file=sys.stderr,
        )
        return 2
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
    else:
        print(summary_text(summary))
    return 0


def summary_text(summary: Summary, locale: str | None = None) -> str:
    """The title, then each sentence in 「」 under its section heading, with its paragraph."""
    lines = [t("summary_of", locale, title=summary.title)]
    if not summary.sentences:
        lines.append(t("summary_empty", locale))
    for index, heading, sentences in summary.by_section():
        lines.append(f"\n■ {section_name(index, heading, locale)}")
        lines += [f"「{s.text}」{t('paragraph_note', locale, n=s.paragraph)}" for s in sentences]
    return "\n".join(lines)
