"""`python -m bot dashboard` in a real browser: headless Chromium opens each page.

Needs the `dashboard` extra and Debian's `chromium` package (README; `.ci/run` installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bot.querylog import QueryEntry, QueryLog

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def log_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dash") / "queries.sqlite3"

    async def fill() -> None:
        async with QueryLog.open(db) as log:
            for _ in range(2):
                log.record(
                    QueryEntry("ビットコインの価格はいくらですか", "slash", False, user_id=1)
                )
            answered = log.record(
                QueryEntry(
                    "アンカレッジは最終的な平和だったのか",
                    "slash",
                    True,
                    user_id=2,
                    top_quote="アンカレッジは最終的な平和ではなかった。",
                )
            )
            await log.vote(answered, 3, -1, "https://discord.com/channels/1/2/3")
            log.vote_reason(answered, 3, "other", "引用が質問と関係ない")

    asyncio.run(fill())
    return db


@pytest.fixture(scope="module")
def dashboard(log_db: Path):
    if CHROMIUM is None:
        pytest.fail("the dashboard test needs Chromium: apt-get install chromium (see README)")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "dashboard", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "BOT_LOG_DB": str(log_db)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/{log_db.stem}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base, timeout=2).close()
            break
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "") from None
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)
    # The server stops with its command: nothing is left listening (it once outlived it).
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


def browse(url: str, screenshot: Path) -> str:
    """The page as Chromium renders it (scripts run), and a screenshot of it."""
    common = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu"]
    dom = subprocess.run(
        [*common, "--virtual-time-budget=5000", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=90,
    ).stdout
    subprocess.run(
        [*common, "--window-size=1200,800", f"--screenshot={screenshot}", url],
        capture_output=True,
        timeout=90,
    )
    assert screenshot.exists() and screenshot.stat().st_size > 5_000
    return dom


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("unanswered_week", ["ビットコインの価格はいくらですか", ">2<"]),
        (
            "downvoted",
            ["アンカレッジは最終的な平和ではなかった。", "引用が質問と関係ない", "other"],
        ),
        ("per_day", ["questions", "refused"]),
        (
            "queries?" + urllib.parse.urlencode({"_search": "アンカレッジ"}),
            ["アンカレッジは最終的な平和だったのか"],
        ),
        (  # two characters: below what the trigram index can search
            "search?" + urllib.parse.urlencode({"text": "平和"}),
            ["アンカレッジは最終的な平和だったのか"],
        ),
    ],
)
def test_each_page_shows_its_rows(dashboard, tmp_path, page, expected):
    dom = browse(f"{dashboard}/{page}", tmp_path / "page.png")
    for text in expected:
        assert text in dom, (page, text)
    if page.startswith(("queries", "search")):
        assert "ビットコイン" not in dom  # the search found only what matches


def test_csv_export_of_a_page(dashboard):
    with urllib.request.urlopen(f"{dashboard}/unanswered_week.csv", timeout=10) as r:
        body = r.read().decode("utf-8")
    assert "ビットコインの価格はいくらですか" in body


def _refused_start(log_db: Path, password_hash: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "dashboard", "--host", "0.0.0.0", "--port", "1"],
        cwd=ROOT,
        env={**os.environ, "BOT_LOG_DB": str(log_db), "DASHBOARD_PASSWORD_HASH": password_hash},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_beyond_this_machine_a_password_is_required(log_db):
    proc = _refused_start(log_db, "")
    assert proc.returncode == 2 and "DASHBOARD_PASSWORD_HASH" in proc.stderr
    # A password typed in where its hash belongs: no login could ever succeed.
    typed = _refused_start(log_db, "hunter2")
    assert typed.returncode == 2 and "datasette hash-password" in typed.stderr


def test_a_file_that_is_not_a_query_log_is_named_not_served(tmp_path):
    foreign = tmp_path / "notes.db"
    foreign.write_text("not a database", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "dashboard", "--port", "1"],
        cwd=ROOT,
        env={**os.environ, "BOT_LOG_DB": str(foreign)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{foreign}: 質問ログ（SQLite）ではありません" in proc.stderr


def test_with_a_password_nothing_is_shown_before_logging_in(log_db):
    from datasette_auth_passwords.utils import hash_password

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "dashboard", "--host", "0.0.0.0", "--port", str(port)],
        cwd=ROOT,
        env={
            **os.environ,
            "BOT_LOG_DB": str(log_db),
            "DASHBOARD_PASSWORD_HASH": hash_password("a long passphrase"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/{log_db.stem}/queries.csv"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                raise AssertionError("the log was served without a password")
            except urllib.error.HTTPError as e:
                assert e.code == 403
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(10)
