"""`python -m bot dashboard`: the query log in a browser, read-only, through Datasette.

An optional extra (`pip install -e ".[dashboard]"`): Datasette serves the log's SQLite file
with canned queries for what moderators look at (unanswered questions this week, grouped;
down-voted answers with the quote shown and the reason; questions per day, as a chart), its
own full-text search over the questions and CSV export of every page. Only SELECT statements
run; the bot keeps writing the file meanwhile (WAL).

It listens on 127.0.0.1 unless told otherwise; anywhere else it requires a password
(`DASHBOARD_PASSWORD_HASH`, made with `datasette hash-password`), because the log holds what
members asked.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

from bot.cli.logs_cmd import log_file_problem
from bot.settings import Settings

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
PASSWORD_ENV = "DASHBOARD_PASSWORD_HASH"

UNANSWERED_WEEK = """
SELECT question AS "質問 / question", COUNT(*) AS "回数 / times",
       MAX(time) AS "最後 / last asked"
FROM queries
WHERE answered = 0 AND time >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days')
  AND (kind IS NULL OR kind NOT IN ('busy', 'stopped', 'rate_limited'))
GROUP BY question ORDER BY COUNT(*) DESC, MAX(time) DESC LIMIT 500
"""
DOWNVOTED = """
SELECT f.time AS "日時 / time", q.question AS "質問 / question",
       q.top_quote AS "示した引用 / quote shown", f.reason AS "理由 / reason",
       f.detail AS "詳細 / detail", f.message_url AS "メッセージ / message"
FROM feedback f JOIN queries q ON q.id = f.query_id
WHERE f.vote = -1 ORDER BY f.time DESC LIMIT 500
"""
# Datasette's own search box uses the trigram index, which needs three characters; this one
# finds any text (「平和」), as `logs search` does.
SEARCH = """
SELECT time AS "日時 / time", question AS "質問 / question", answered AS "回答 / answered",
       kind AS "種類 / kind", top_section AS "節 / section"
FROM queries
WHERE :text != '' AND question LIKE '%' || :text || '%'
ORDER BY time DESC LIMIT 500
"""
PER_DAY = """
SELECT substr(time, 1, 10) AS day, COUNT(*) AS questions, SUM(answered) AS answered,
       COUNT(*) - SUM(answered) AS refused
FROM queries GROUP BY day ORDER BY day DESC LIMIT 90
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dashboard", help="質問ログをブラウザで / the query log in a browser (Datasette)"
    )
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    p.add_argument("--port", type=port, default=8001)


def port(text: str) -> int:
    """argparse type: a TCP port number."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (1-65535)")
    return int(text)


def metadata(db_name: str, password: bool) -> dict:
    """Datasette's metadata: the canned queries, full-text search, and who may look."""
    data: dict = {
        "title": "質問ログ / Query log",
        "databases": {
            db_name: {
                "queries": {
                    "unanswered_week": {
                        "title": "今週の未回答 / Unanswered this week",
                        "sql": UNANSWERED_WEEK,
                        "hide_sql": True,
                    },
                    "downvoted": {
                        "title": "低評価 / Downvoted answers",
                        "sql": DOWNVOTED,
                        "hide_sql": True,
                    },
                    "search": {
                        "title": "質問を検索 / Search questions",
                        "sql": SEARCH,
                        "hide_sql": True,
                    },
                    "per_day": {
                        "title": "日別の質問数 / Questions per day",
                        "sql": PER_DAY,
                        "hide_sql": True,
                    },
                },
                "tables": {
                    "queries": {"fts_table": "queries_fts", "fts_pk": "id"},
                },
            }
        },
    }
    if password:
        data["plugins"] = {
            "datasette-auth-passwords": {"admin_password_hash": {"$env": PASSWORD_ENV}}
        }
        data["allow"] = {"id": "admin"}  # nothing is shown before logging in at /-/login
    return data


def serve_args(settings: Settings, host: str, port: int, metadata_file: Path) -> list[str]:
    return [
        "serve",
        str(settings.log_db),
        "--host",
        host,
        "--port",
        str(port),
        "--metadata",
        str(metadata_file),
        "--setting",
        "sql_time_limit_ms",
        "3000",
    ]


def _is_password_hash(value: str) -> bool:
    """Whether `value` has the shape datasette-auth-passwords checks logins against."""
    parts = value.strip().split("$")
    return len(parts) == 4 and parts[0] == "pbkdf2_sha256" and parts[1].isdigit() and all(parts)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if importlib.util.find_spec("datasette") is None:
        print(
            'Datasette がありません: pip install -e ".[dashboard]" / Datasette is not '
            'installed: pip install -e ".[dashboard]"',
            file=sys.stderr,
        )
        return 2
    if problem := log_file_problem(settings.log_db):
        print(f"エラー / error: {problem}", file=sys.stderr)
        return 2
    password = args.host not in LOCAL_HOSTS
    if (
        password
        and os.environ.get(PASSWORD_ENV)
        and not _is_password_hash(os.environ[PASSWORD_ENV])
    ):
        # A password typed in instead of its hash: the server would start, and no login work.
        print(
            f"{PASSWORD_ENV} が `datasette hash-password` の出力の形（pbkdf2_sha256$回数$salt$hash）"
            f"ではありません / {PASSWORD_ENV} is not the output of `datasette hash-password` "
            "(pbkdf2_sha256$iterations$salt$hash)",
            file=sys.stderr,
        )
        return 2
    if password and not os.environ.get(PASSWORD_ENV):
        print(
            f"{args.host} で公開するにはパスワードが必要です: {PASSWORD_ENV} に "
            "`datasette hash-password` の出力を設定してください / serving on "
            f"{args.host} needs a password: set {PASSWORD_ENV} to the output of "
            "`datasette hash-password`",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(
            json.dumps(metadata(settings.log_db.stem, password), ensure_ascii=False),
            encoding="utf-8",
        )
        print(f"http://{args.host}:{args.port}/{settings.log_db.stem}", file=sys.stderr)
        # In this process, not a child one: a stop signal (SIGTERM, Ctrl+C) then stops the
        # server itself, and this folder is cleaned up after it. Imported here: an optional extra.
        from datasette.cli import cli  # type: ignore[import-untyped]

        with contextlib.suppress(KeyboardInterrupt):
            cli.main(args=serve_args(settings, args.host, args.port, meta), standalone_mode=False)
        return 0
