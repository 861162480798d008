"""`python -m bot logs …`: the moderators' reports from the shell."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import json
import sqlite3
import sys
from pathlib import Path

from bot.cli.render import terminal_safe
from bot.presentation import rate_text, row_mark
from bot.querylog import QueryLog, QueryRow, Scope, Stats
from bot.querylog.chart import render_daily_chart
from bot.querylog.entry import parse_utc
from bot.querylog.schema import SchemaError
from bot.settings import MAX_DAYS, Settings

NO_ROWS = "(該当なし / no rows)"
PARTIAL = (
    "（一部のみ: 最も多い質問だけをまとめました） / partial: only the most asked questions "
    "were grouped"
)


def local_time(stored: str) -> str:
    """A logged (UTC) time in this machine's time zone, with the zone said."""
    return parse_utc(stored).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def whole(text: str) -> int:
    """argparse type: a whole number (a user id: the console's own are negative)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    value = whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def day_count(text: str) -> int:
    """argparse type: a number of days, 1 to `MAX_DAYS` (a longer look-back reaches before the
    calendar's first year)."""
    value = positive(text)
    if value > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"{value} days is more than the maximum {MAX_DAYS}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    logs = sub.add_parser("logs", help="質問ログ / the query log (moderators)")
    cmds = logs.add_subparsers(dest="logs_command", metavar="LOGS_COMMAND", required=True)
    recent = cmds.add_parser("recent", help="最近の質問 / latest questions")
    recent.add_argument("--count", type=positive, default=20)
    recent.add_argument("--user", type=whole, help="user id")
    recent.add_argument("--channel", type=positive, help="channel id")
    unanswered = cmds.add_parser(
        "unanswered", help="答えられなかった質問 / refused questions, grouped"
    )
    unanswered.add_argument("--days", type=day_count, default=7)
    search = cmds.add_parser("search", help="質問を検索 / search question text")
    search.add_argument("text")
    search.add_argument("--limit", type=positive, default=20)
    stats = cmds.add_parser("stats", help="集計とグラフ / figures and a chart")
    stats.add_argument("--days", type=day_count, default=30)
    stats.add_argument(
        "--png", type=Path, metavar="FILE", help="write the questions-per-day chart here"
    )
    export = cmds.add_parser("export", help="CSV 出力 / CSV export (UTF-8 with BOM)")
    export.add_argument("--days", type=day_count)
    export.add_argument("--out", type=Path, metavar="FILE", help="default: standard output")
    downvoted = cmds.add_parser(
        "downvoted", help="低評価の回答 / answers voted down, with the quote and the reason"
    )
    downvoted.add_argument("--days", type=day_count, default=30)
    forget = cmds.add_parser("forget", help="利用者の記録を削除 / delete a user's rows")
    forget.add_argument("user", type=whole, help="user id")
    for p in (recent, unanswered, search, stats, downvoted):
        p.add_argument("--json", action="store_true", help="one JSON object per row")
    for p in (recent, unanswered, search, stats, export, forget, downvoted):
        p.add_argument(
            "--guild",
            type=positive,
            metavar="ID",
            help="one server's rows only (default: every server and direct messages)",
        )


# The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def run(args: argparse.Namespace, settings: Settings) -> int:
    if problem := _setup_problem(args, settings.log_db):
        print(f"エラー / error: {problem}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args, settings))
    except (OSError, sqlite3.Error, SchemaError) as e:
        where = getattr(e, "filename", None)
        if where is not None and Path(where) != settings.log_db:  # the --out or --png file
            print(f"エラー / error: {where}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        else:
            print(
                f"エラー / error: {settings.log_db}: {e} (BOT_LOG_DB={settings.log_db})",
                file=sys.stderr,
            )
        return 2


def _setup_problem(args: argparse.Namespace, db: Path) -> str | None:
    """What stops the command before it starts, named: the log file (`log_file_problem`), or
    an output file whose folder doesn't exist (found before the report is printed, not after)."""
    if problem := log_file_problem(db):
        return problem
    for option in ("out", "png"):
        path = getattr(args, option, None)
        if path is not None and not path.parent.is_dir():
            return (
                f"--{option} {path}: フォルダ {path.parent} がありません / no folder {path.parent}"
            )
    return None


def log_file_problem(db: Path) -> str | None:
    """Why `db` can't be read as the query log, or None: it isn't there (a mistyped BOT_LOG_DB
    would otherwise read as an empty log), it is a folder, or it is not an SQLite file."""
    if not db.exists():
        return (
            f"{db}: 質問ログがありません。ボットが最初の質問を記録すると作られます。別の場所なら "
            f"BOT_LOG_DB で指定してください / no query log here yet: the bot makes it when it logs "
            f"its first question; set BOT_LOG_DB if it is elsewhere"
        )
    if db.is_dir():
        return f"{db}: フォルダです。BOT_LOG_DB にはファイルを指定してください / a folder, not a file (BOT_LOG_DB)"
    try:
        with db.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        return f"{db}: 読めません / unreadable ({e.strerror}) (BOT_LOG_DB)"
    if head != SQLITE_HEADER:  # an empty file too: SQLite would make it a database on reading
        return (
            f"{db}: 質問ログ（SQLite）ではありません / not a query log (SQLite) file (BOT_LOG_DB)"
        )
    return None


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    operator = getpass.getuser()
    scope = Scope.shell() if args.guild is None else Scope.server(args.guild)
    async with QueryLog.open(settings.log_db) as log:
        command = args.logs_command
        if command == "recent":
            rows = await log.recent(scope, args.count, user_id=args.user, channel_id=args.channel)
            _emit_rows(rows, args.json)
        elif command == "unanswered":
            report = await log.unanswered(scope, args.days)
            if args.json:
                _json_lines(report.groups)
            for g in [] if args.json else report.groups:
                print(
                    f"{g.count:4d}×  {terminal_safe(g.question)}  (last {local_time(g.last_asked)})"
                )
            if not args.json and not report.groups:
                print(NO_ROWS)
            if not report.complete:
                print(PARTIAL, file=sys.stderr)
        elif command == "search":
            log.record_action(args.guild, None, operator, "search", f"chars={len(args.text)}")
            _emit_rows(await log.search(scope, args.text, args.limit), args.json)
        elif command == "stats":
            stats = await log.stats(scope, args.days)
            if args.json:
                print(json.dumps(dataclasses.asdict(stats), ensure_ascii=False))
            else:
                print(stats_text(stats))
            if not stats.top_questions_complete:
                print(PARTIAL, file=sys.stderr)
            if args.png:
                png = render_daily_chart(stats.daily, f"質問数 / questions per day ({args.days}d)")
                args.png.write_bytes(png)
                print(f"chart: {args.png}", file=sys.stderr)
        elif command == "downvoted":
            votes = await log.downvoted(scope, args.days)
            if args.json:
                _json_lines(votes)
            for v in [] if args.json else votes:
                reason = v.reason or "-"
                if v.detail:
                    reason += f": {terminal_safe(v.detail)}"
                print(
                    f"{local_time(v.time)}  👎 {terminal_safe(v.row.question)}\n"
                    f"    「{terminal_safe(v.row.top_quote or '-')}」\n    {reason}  {v.message_url or ''}"
                )
            if not votes and not args.json:
                print(NO_ROWS)
        elif command == "export":
            data = await log.export_csv(scope, args.days)
            log.record_action(args.guild, None, operator, "export", f"days={args.days}")
            if args.out:
                args.out.write_bytes(data)
                print(f"{args.out} に書き出しました / written to {args.out}", file=sys.stderr)
            else:
                sys.stdout.buffer.write(data)
        elif command == "forget":
            n = await log.forget(args.user, scope, None, operator)
            print(f"{n} 件削除しました / deleted {n} row(s) of user {args.user}")
    return 0


def _json_lines(items: list) -> None:
    for item in items:
        print(json.dumps(dataclasses.asdict(item), ensure_ascii=False))


def _emit_rows(rows: list[QueryRow], as_json: bool) -> None:
    if as_json:
        _json_lines(rows)
        return
    for r in rows:
        mark = row_mark(r.answered, r.kind)
        where = terminal_safe(r.top_section or "-")
        # A refused question's best candidate is what came closest, not an answer.
        shown = f"→ {where}" if r.answered else f"(近い箇所 / nearest: {where})"
        who = terminal_safe(str(r.user_name or r.user_id or "-"))
        print(
            f"{local_time(r.time)}  {mark} [{r.source}] {who}: {terminal_safe(r.question)}  {shown}"
        )
    if not rows:
        print(NO_ROWS)


def stats_text(stats: Stats) -> str:
    rate = rate_text(stats.answer_rate)
    lines = [
        f"期間 / period: {stats.days} days since {stats.since}",
        f"質問 / questions: {stats.total}  回答 / answered: {stats.answered}  "
        f"未回答 / refused: {stats.refused}  回答率 / answer rate: {rate}",
        f"評価 / ratings: 👍 {stats.thumbs_up}  👎 {stats.thumbs_down}",
    ]
    if stats.top_questions:
        lines.append("よくある質問 / top questions:")
        lines += [f"  {g.count:3d}× {terminal_safe(g.question)}" for g in stats.top_questions]
    if stats.top_sections:
        lines.append("よく引用される節 / top sections:")
        lines += [f"  {s.count:3d}× {s.section} ({s.article})" for s in stats.top_sections]
    return "\n".join(lines)
