"""The command line as a user runs it: real subprocesses, real output."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import markdown_article

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "DISCORD_TOKEN": "", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full_env,
        timeout=120,
    )


def test_ask_json_one_line_per_question_in_order():
    questions = ["世界が求めているものは何か", "日本の首相は誰ですか", "この記事の執筆者は誰ですか"]
    proc = run("ask", "--json", *questions)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [x["question"] for x in lines] == questions
    assert [x["answered"] for x in lines] == [True, False, True]
    assert lines[0]["passages"][0]["article"] == "alaska-old-world-order"
    assert lines[1]["unknown_terms"] == ["日本", "首相"]


def test_usage_errors_are_japanese_first_then_english():
    missing = run("ask")
    assert missing.returncode == 2
    lines = missing.stderr.splitlines()
    assert lines[-2].endswith("エラー: 次の引数が必要です: QUESTION")
    assert lines[-1].endswith("error: the following arguments are required: QUESTION")
    unknown = run("frobnicate")
    assert unknown.returncode == 2 and "'frobnicate' は選べません" in unknown.stderr
    assert "Traceback" not in missing.stderr + unknown.stderr


def test_ask_says_why_a_question_cannot_be_asked_in_the_users_locale():
    long = "あ" * 600
    ja = run("ask", "--no-log", "", long)
    assert (
        "質問が空です" in ja.stdout
        and "質問が長すぎます（500文字まで、いまは600文字）" in ja.stdout
    )
    en = run("ask", "--no-log", "", long, env={"BOT_DEFAULT_LOCALE": "en-US"})
    assert "The question is empty." in en.stdout and "That question is too long" in en.stdout
    assert "質問が" not in en.stdout
    assert f"Q: {long[:80]}…" in en.stdout  # echoed cut, and marked as cut


def test_chat_answers_piped_lines_and_exits_at_end_of_input():
    proc = run(
        "chat", stdin="アンカレッジは最終的な平和だったのか\n\nビットコインの価格は？\n/articles\n"
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "アンカレッジは最終的な平和ではなかった。" in out
    assert "出典: アラスカで旧世界秩序が崩壊 — 次に何が起こるか" in out
    assert "「ビットコイン」「価格」は記事のどこにも出てきません" in out
    assert "[alaska-old-world-order]" in out
    # Each piped question heads its answer, in order.
    asked = [line for line in out.splitlines() if line.startswith("> ")]
    assert asked == [
        "> アンカレッジは最終的な平和だったのか",
        "> ビットコインの価格は？",
        "> /articles",
    ]


def test_chat_commands_it_does_not_know_are_named_not_asked(tmp_path):
    env = {"BOT_LOG_DB": str(tmp_path / "q.sqlite3")}
    proc = run("chat", stdin="/sumary\n/\n/summary alaska-old-world-order 2 huge\n", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "「/sumary」というコマンドはありません。/summary のことですか？" in proc.stdout
    assert "「/」というコマンドはありません。使えるコマンドは /help で見られます。" in proc.stdout
    assert "「huge」は分かりませんでした" in proc.stdout
    assert "日本語で質問してください" not in proc.stdout  # not taken for an English question
    logged = run("logs", "recent", env=env)
    assert "/sumary" not in logged.stdout


def test_chat_summary_of_a_section_needs_no_article_name_when_it_is_clear():
    proc = run("chat", stdin="/summary 2\n")
    assert proc.returncode == 0, proc.stderr
    assert "見つかりません" not in proc.stdout
    assert "■ 対話の新たな基盤" in proc.stdout  # section 2 by its heading
    assert "いちばん新しい記事を要約します" not in proc.stdout  # one article: nothing to choose


def test_chat_summary_says_which_of_several_articles_it_took(tmp_path):
    markdown_article(tmp_path, "old", "古い記事", "港湾の話をする。港は重要だ。", 港="港の歴史。")
    (tmp_path / "new.md").write_text(
        "---\ntitle: 新しい記事\ndate: 2030-01-01\n---\n\n鉄道の話をする。鉄道は速い。\n",
        encoding="utf-8",
    )
    proc = run("--knowledge", str(tmp_path), "chat", stdin="/summary\n")
    assert proc.returncode == 0, proc.stderr
    assert "記事の指定がないので、いちばん新しい記事を要約します" in proc.stdout
    assert "新しい記事" in proc.stdout


def test_logs_show_a_refused_questions_candidate_as_the_nearest_not_as_an_answer(tmp_path):
    env = {"BOT_LOG_DB": str(tmp_path / "q.sqlite3")}
    questions = (
        "アンカレッジは最終的な平和だったのか",
        "ロシアの経済制裁は日本の首相にどう及んだ？",
    )
    run("ask", *questions, env=env)
    lines = run("logs", "recent", env=env).stdout.splitlines()
    answered = next(line for line in lines if "アンカレッジ" in line)
    refused = next(line for line in lines if "日本の首相" in line)
    assert "✓" in answered and "→ " in answered
    assert "✗" in refused and "→ " not in refused


def test_control_characters_in_a_question_are_not_searched():
    proc = run("ask", "--json", "アンカレッジ\x1b[31mは最終的な\x1b[0m平和だったのか")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["answered"] and not answer["unknown_terms"]
    assert "アンカレッジは最終的な平和ではなかった" in answer["passages"][0]["quote"]


def test_no_token_starts_the_chat_and_says_how_to_connect():
    proc = run(stdin="対話の核心となる認識は何か\n")
    assert proc.returncode == 0, proc.stderr
    assert "DISCORD_TOKEN" in proc.stderr
    assert "核心は、ロシアを国際システムから排除できないという認識だ" in proc.stdout


def test_check_lists_articles_and_fails_on_a_broken_file(tmp_path):
    proc = run("check", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    [article] = data["articles"]
    assert article["id"] == "alaska-old-world-order"
    assert article["paragraphs"] == 12 and len(article["sections"]) == 6
    (tmp_path / "bad.md").write_text("---\ntitle: x\n", encoding="utf-8")
    proc = run("--knowledge", str(tmp_path), "check")
    assert proc.returncode == 1
    assert (proc.stdout + proc.stderr).count("bad.md:1") == 1  # reported once, not logged too
    a_file = run("--knowledge", str(tmp_path / "bad.md"), "ask", "x")
    assert a_file.returncode == 2 and "記事フォルダではなくファイルです" in a_file.stderr


def test_bad_setting_is_named():
    proc = run("ask", "x", env={"BOT_DEFAULT_LOCALE": "fr"})
    assert proc.returncode == 2
    assert "BOT_DEFAULT_LOCALE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_chat_survives_undecodable_bytes_and_nul(tmp_path):
    data = "アンカレッジは\x00最終的な平和だったのか\n".encode() + b"\xff\xfe\x00\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "DISCORD_TOKEN": "", "BOT_LOG_DB": str(tmp_path / "q.sqlite3")},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert "Traceback" not in proc.stderr.decode(errors="replace")
    assert "アンカレッジは最終的な平和ではなかった" in proc.stdout.decode()
    logged = run("logs", "recent", "--json", env={"BOT_LOG_DB": str(tmp_path / "q.sqlite3")})
    assert len(logged.stdout.splitlines()) == 2  # both lines logged, none dropped


def test_ask_rows_carry_a_local_user_id_that_forget_reaches(tmp_path):
    env = {"BOT_LOG_DB": str(tmp_path / "q.sqlite3")}
    assert run("ask", "世界が求めているものは何か", env=env).returncode == 0
    (row,) = [json.loads(x) for x in run("logs", "recent", "--json", env=env).stdout.splitlines()]
    assert row["user_id"] < 0  # never a Discord id
    out = tmp_path / "log.csv"
    exported = run("logs", "export", "--out", str(out), env=env)
    assert exported.returncode == 0 and f"written to {out}" in exported.stderr
    assert "世界が求めているものは何か" in out.read_bytes().decode("utf-8-sig")
    forgot = run("logs", "forget", str(row["user_id"]), env=env)
    assert forgot.returncode == 0 and "deleted 1 row" in forgot.stdout
    assert run("logs", "recent", "--json", env=env).stdout.strip() == ""


def test_ask_exits_non_zero_when_its_question_cannot_be_logged(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    proc = run(
        "ask",
        "世界が求めているものは何か",
        env={"BOT_LOG_DB": str(tmp_path / "a-file" / "q.sqlite3")},
    )
    assert proc.returncode == 3
    assert "could not be logged" in proc.stderr and "a-file" in proc.stderr


def test_terminal_escapes_in_a_question_are_shown_not_obeyed(tmp_path):
    env = {"BOT_LOG_DB": str(tmp_path / "q.sqlite3")}
    asked = run("ask", "\x1b]0;pwned\x07アンカレッジは最終的な平和だったのか", env=env)
    recent = run("logs", "recent", env=env)
    for out in (asked.stdout, recent.stdout):
        assert "\x1b" not in out and "\x07" not in out
        assert "\\x1b]0;pwned\\x07" in out


def test_the_console_speaks_the_default_locale():
    env = {"BOT_DEFAULT_LOCALE": "en"}
    chat = run(
        "chat", stdin="アンカレッジは最終的な平和だったのか\nビットコインの価格は？\n", env=env
    )
    assert chat.returncode == 0, chat.stderr
    assert "Source: アラスカで旧世界秩序が崩壊 — 次に何が起こるか" in chat.stdout
    assert " (paragraph " in chat.stdout and "段落" not in chat.stdout
    asked = run("ask", "この記事の著者は誰ですか", env=env)
    assert asked.returncode == 0, asked.stderr
    assert "article header" in asked.stdout and "記事情報" not in asked.stdout
    # A sentence made from the header is not shown as a quotation; its header line is cited.
    assert "\nThe author is " in asked.stdout and "「The author" not in asked.stdout


def test_logs_name_a_missing_log_a_foreign_file_and_a_missing_output_folder(tmp_path):
    missing = run("logs", "recent", env={"BOT_LOG_DB": str(tmp_path / "typo.sqlite3")})
    assert missing.returncode == 2
    assert "typo.sqlite3: 質問ログがありません" in missing.stderr and "BOT_LOG_DB" in missing.stderr
    assert not (tmp_path / "typo.sqlite3").exists()  # a read does not create the log
    foreign = run("logs", "recent", env={"BOT_LOG_DB": str(ROOT / "README.md")})
    assert (
        foreign.returncode == 2 and "README.md: 質問ログ（SQLite）ではありません" in foreign.stderr
    )
    assert "Traceback" not in foreign.stderr and "WARNING" not in foreign.stderr
    env = {"BOT_LOG_DB": str(tmp_path / "q.sqlite3")}
    assert run("ask", "アンカレッジは最終的な平和だったのか", env=env).returncode == 0
    for args in (("export", "--out"), ("stats", "--png")):
        proc = run("logs", *args, str(tmp_path / "no-such-folder" / "f"), env=env)
        assert proc.returncode == 2
        assert f"{args[1]} {tmp_path / 'no-such-folder' / 'f'}" in proc.stderr
        assert "BOT_LOG_DB" not in proc.stderr  # the output file is at fault, not the log
        assert proc.stdout == ""  # found before the report is printed


def test_logs_refuse_a_period_beyond_the_calendar_and_ids_that_are_not_numbers(tmp_path):
    env = {"BOT_LOG_DB": str(tmp_path / "q.sqlite3")}
    assert run("ask", "アンカレッジは最終的な平和だったのか", env=env).returncode == 0
    for args, fault in (
        (("stats", "--days", "1000000"), "--days: 1000000 days is more than the maximum"),
        (("unanswered", "--days", "99999999999"), "--days: 99999999999 days is more than"),
        (("forget", "abc"), "user: 'abc' is not a whole number"),
        (("recent", "--guild", "x"), "--guild: 'x' is not a whole number"),
    ):
        proc = run("logs", *args, env=env)
        assert proc.returncode == 2 and fault in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    # The longest period allowed is reported, and a report with nothing in it says so.
    longest = run("logs", "stats", "--days", "36500", env=env)
    assert longest.returncode == 0 and "36500 days" in longest.stdout
    assert run("logs", "unanswered", env=env).stdout.strip() == "(該当なし / no rows)"


def test_a_request_for_a_summary_is_pointed_to_the_summary_command():
    chat = run("chat", stdin="この記事の要約を教えて\n")
    assert "記事の要約は /summary で見られます。" in chat.stdout
    asked = run("ask", "記事のあらすじは？", env={"BOT_DEFAULT_LOCALE": "en"})
    assert "python -m bot summary gives a summary of an article." in asked.stdout
