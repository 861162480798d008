"""Load and faults, measured: what docs/reliability.md reports.

    python bench/reliability.py [--json] [--only burst,sigterm,kill,log,cli,summary,memory] [--asks 1000]

Each scenario runs the bot as users run it (`python -m bot run`, its own process) against the
Discord protocol peer of the tests, with as many distinct members as questions:

- burst: N /ask at once. Acknowledgement latency (injected → the bot's callback), how many
  were answered, told "busy", or left waiting, and the log rows against the questions.
- sigterm: N /ask, SIGTERM while they are being answered. Nobody may be left on "thinking…";
  every acknowledged question is answered or told, and logged; exit code and summary line.
- kill: N /ask, SIGKILL while they are being answered. Answers delivered whose row is missing
  are the log's loss, the bound README states.
- log: a log of 1,000,000 rows: the report functions `/logs stats` and `unanswered` call
  (`QueryLog.stats`, `QueryLog.unanswered`, in this process, without the chart), their time,
  and the longest event-loop stall while they run.
- cli: 50 `python -m bot ask` processes at once on one log: rows written against runs.
- summary: `summarize` (what /summary runs) on the seed repeated to 3,500 / 50,000 / 200,000
  sentences, each in its own process: seconds and peak memory.
- memory: 100,000 answers served in waves of 500: the bot's RSS after 2,000 and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bot_load import QUESTIONS  # noqa: E402  the same mix: three answered, one refused
from bot.querylog import QueryLog, Scope  # noqa: E402
from bot.querylog.entry import new_query_id  # noqa: E402
from bot.settings import BUNDLED_KNOWLEDGE  # noqa: E402
from tests.peer import DiscordPeer, PeerMember, PeerUser  # noqa: E402
from tests.peer.models import default_guild  # noqa: E402

STOPPING = ("再起動のため停止中", "the bot is restarting")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def members(n: int) -> tuple[DiscordPeer, list[PeerUser]]:
    guild = default_guild()
    users = [PeerUser(3_000_000_000_000_000_000 + i, f"user{i}") for i in range(n)]
    guild.members += [PeerMember(u) for u in users]
    return DiscordPeer(guilds=[guild]), users


def rows_in(db: Path) -> list[tuple[str, int, str | None, int | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT question, answered, kind, user_id FROM queries").fetchall()


async def _asks(peer: DiscordPeer, users: list[PeerUser]) -> tuple[list, list[float]]:
    """Inject one /ask per user at once; the acknowledgement latency of each, in seconds."""
    injected, handles = [], []
    for i, user in enumerate(users):
        injected.append(time.perf_counter())
        question = f"{QUESTIONS[i % len(QUESTIONS)]}"
        handles.append(await peer.slash("ask", {"question": question}, user=user, locale="ja"))

    async def acked(i: int) -> float:
        await handles[i].callback(timeout=120)
        return time.perf_counter() - injected[i]

    return handles, list(await asyncio.gather(*(acked(i) for i in range(len(handles)))))


def outcome(handle) -> str:
    msg = handle.original
    if msg is None or not (msg.get("content") or msg.get("embeds")):
        return "waiting"
    if msg.get("embeds"):
        return "answered"
    if any(words in (msg.get("content") or "") for words in STOPPING):
        return "told_stopping"
    return "told_busy"


async def _start(peer: DiscordPeer, db: Path, **env: str) -> asyncio.subprocess.Process:
    await peer.start()
    proc = await peer.start_bot_process(
        "peer-test-token", str(db), stdout=asyncio.subprocess.DEVNULL, BOT_LOG_LEVEL="INFO", **env
    )
    await peer.wait_identified(timeout=120)
    await peer.wait_for(lambda r: r.method == "PUT" and "/guilds/" in r.path, timeout=120)
    return proc


async def _finish(proc: asyncio.subprocess.Process, sig: int | None) -> tuple[int, str]:
    if sig is not None and proc.returncode is None:
        proc.send_signal(sig)
    try:
        await asyncio.wait_for(proc.wait(), 120)
    finally:
        if proc.returncode is None:
            proc.kill()
    assert proc.stderr is not None
    return proc.returncode or 0, (await proc.stderr.read()).decode("utf-8", "replace")


def _counts(handles) -> dict[str, int]:
    out = {"answered": 0, "told_busy": 0, "told_stopping": 0, "waiting": 0}
    for h in handles:
        out[outcome(h)] += 1
    return out


async def burst(asks: int) -> dict:
    peer, users = members(asks)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "q.sqlite3"
        proc = await _start(peer, db)
        try:
            start = time.perf_counter()
            handles, ack = await _asks(peer, users)
            await asyncio.gather(*(h.wait_original(timeout=300) for h in handles))
            elapsed = time.perf_counter() - start
        finally:
            code, stderr = await _finish(proc, signal.SIGTERM)
        await peer.stop()
        rows = rows_in(db)
    block = re.search(r"longest block ([\d.]+) ms", stderr)
    ack_ms = sorted(x * 1000 for x in ack)
    return {
        "asks": asks,
        "ack_p50_ms": round(statistics.median(ack_ms), 1),
        "ack_p99_ms": round(ack_ms[int(0.99 * (len(ack_ms) - 1))], 1),
        "ack_max_ms": round(ack_ms[-1], 1),
        "acked_over_3s": sum(x > 3000 for x in ack_ms),
        **_counts(handles),
        "seconds": round(elapsed, 2),
        "rows_logged": len(rows),
        "rows_busy": sum(kind == "busy" for _, _, kind, _ in rows),
        "max_loop_block_ms": float(block[1]) if block else None,
        "exit_code": code,
    }


async def stop_mid_burst(asks: int, sig: int, after_s: float, grace_s: float = 10.0) -> dict:
    peer, users = members(asks)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "q.sqlite3"
        proc = await _start(peer, db, BOT_STOP_GRACE_SECONDS=str(grace_s))
        handles = []
        try:
            for i, user in enumerate(users):
                question = QUESTIONS[i % len(QUESTIONS)]
                handles.append(await peer.slash("ask", {"question": question}, user=user))
            await asyncio.sleep(after_s)
        finally:
            code, stderr = await _finish(proc, sig)
        await asyncio.sleep(0.2)
        await peer.stop()
        rows = rows_in(db)
    acked = [h for h in handles if h._state.callback is not None]
    counts = _counts(acked)
    # Matched member by member (one question each): whose answer was shown, whose row exists.
    shown = {int(h.payload["member"]["user"]["id"]) for h in acked if outcome(h) == "answered"}
    logged = {user for _, _, kind, user in rows if kind not in ("busy", "stopped")}
    summary = next((line for line in stderr.splitlines() if "stopped:" in line), "")
    errors = [line for line in stderr.splitlines() if "ERROR" in line or "Traceback" in line]
    return {
        "asks": asks,
        "signal": signal.Signals(sig).name,
        "after_s": after_s,
        "grace_s": grace_s,
        "acknowledged": len(acked),
        **counts,
        "rows_logged": len(rows),
        "rows_stopped": sum(kind == "stopped" for _, _, kind, _ in rows),
        # Answers a member saw whose row is not in the log: the loss after kill -9.
        "answered_without_row": len(shown - logged),
        "acknowledged_without_row": max(0, len(acked) - len(rows)),
        "error_lines": len(errors),
        "first_errors": errors[:3],
        "exit_code": code,
        "summary": summary,
    }


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return round(int(kb) / 1024, 1)


async def memory(answers: int, wave: int = 500) -> dict:
    """Serve `answers` answers in waves; the bot's RSS after the first 2,000 and at the end."""
    peer, users = members(wave)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "q.sqlite3"
        proc = await _start(peer, db)
        served, warm = 0, None
        try:
            while served < answers:
                handles = []
                for i, user in enumerate(users):
                    question = QUESTIONS[(served + i) % len(QUESTIONS)]
                    handles.append(await peer.slash("ask", {"question": question}, user=user))
                await asyncio.gather(*(h.wait_original(timeout=300) for h in handles))
                served += len(handles)
                peer.requests.clear()  # the peer's own record, not the bot's memory
                peer.messages.clear()
                if warm is None and served >= 2_000:
                    warm = rss_mb(proc.pid)
                    say(f"memory: {served:,} answers, RSS {warm} MB")
            end = rss_mb(proc.pid)
        finally:
            code, _ = await _finish(proc, signal.SIGTERM)
        await peer.stop()
    return {
        "answers": served,
        "rss_after_2000_mb": warm,
        "rss_end_mb": end,
        "growth_mb": round(end - (warm or end), 1),
        "exit_code": code,
    }


SUMMARY_CHILD = """
import dataclasses, json, sys, time
from pathlib import Path
from bot.articles import load_library
from bot.summaries import summarize
from bot.text.tokens import Analyzer
seed = load_library(Path(sys.argv[1])).articles[0]
target, sections = int(sys.argv[2]), []
while sum(len(p.sentences) for s in sections for p in s.paragraphs) < target:
    for s in seed.sections:
        copy = len(sections) // len(seed.sections)
        sections.append(dataclasses.replace(s, index=len(sections), heading=f"{s.heading} {copy}"))
article = dataclasses.replace(seed, sections=tuple(sections))
analyzer = Analyzer()
analyzer.lemmas("準備")  # the tagger is made on first use: not part of the summary
start = time.perf_counter()
summarize(article, length="long", analyzer=analyzer)
seconds = time.perf_counter() - start
status = Path("/proc/self/status").read_text()
peak = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmHWM:"))
print(json.dumps({"sentences": sum(len(p.sentences) for s in sections for p in s.paragraphs),
                  "seconds": round(seconds, 2), "peak_rss_mb": round(peak / 1024, 1)}))
"""


def summary_sizes(sizes: tuple[int, ...] = (3_500, 50_000, 200_000)) -> dict:
    """/summary's work (`summarize`, long) on the seed article repeated to each size, each in a
    fresh process so its peak memory is its own."""
    out = {}
    for size in sizes:
        proc = subprocess.run(
            [sys.executable, "-c", SUMMARY_CHILD, str(BUNDLED_KNOWLEDGE), str(size)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        out[str(size)] = json.loads(proc.stdout)
    return out


def fill_log(db: Path, rows: int) -> None:
    """`rows` questions over 30 days, 1,000 distinct wordings, three servers and DMs."""

    async def create() -> None:  # the schema, as the bot makes it
        async with QueryLog.open(db):
            pass

    asyncio.run(create())
    rng = random.Random(1)
    wordings = [f"{QUESTIONS[i % 4]}（その{i}）" for i in range(1000)]
    now = time.time()
    with sqlite3.connect(db) as conn:
        batch = []
        for i in range(rows):
            # In time order, as the bot writes them (ids, which sort by time, too).
            moment = now - 30 * 86400 * (1 - i / rows)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(moment))
            batch.append(
                (
                    new_query_id(),
                    stamp,
                    rng.choice((111, 222, 333, None)),
                    rng.randrange(10_000),
                    "slash",
                    rng.choice(wordings),
                    rng.random() < 0.7,
                    "0",
                )
            )
            if len(batch) == 50_000:
                conn.executemany(
                    "INSERT INTO queries (id, time, guild_id, user_id, source, question, answered,"
                    " app_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
                batch = []
        conn.commit()


async def _timed_with_stalls(coro_factory) -> tuple[float, float]:
    """Run the coroutine; return its seconds and the longest event-loop stall meanwhile (ms)."""
    worst = 0.0
    done = False

    async def watch() -> None:
        nonlocal worst
        loop = asyncio.get_running_loop()
        while not done:
            t = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, (loop.time() - t - 0.005) * 1000)

    watcher = asyncio.create_task(watch())
    start = time.perf_counter()
    await coro_factory()
    elapsed = time.perf_counter() - start
    done = True
    await watcher
    return elapsed, worst


async def _keep(into: list, coro) -> None:
    into.append(await coro)


def big_log(rows: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "q.sqlite3"
        say(f"log: writing {rows:,} rows")
        fill_log(db, rows)

        async def measure() -> dict:
            async with QueryLog.open(db) as log:
                out = {"rows": rows}
                for name, scope in (("all", Scope.shell()), ("one_server", Scope.server(222))):
                    stats: list = []
                    stats_s, stats_stall = await _timed_with_stalls(
                        lambda scope=scope, stats=stats: _keep(stats, log.stats(scope, 31))
                    )
                    out[f"stats_{name}_total"] = stats[0].total
                    out[f"stats_{name}_complete"] = stats[0].top_questions_complete
                    unanswered_s, unanswered_stall = await _timed_with_stalls(
                        lambda scope=scope: log.unanswered(scope, 30)
                    )
                    out[f"stats_{name}_s"] = round(stats_s, 2)
                    out[f"unanswered_{name}_s"] = round(unanswered_s, 2)
                    out[f"max_stall_{name}_ms"] = round(max(stats_stall, unanswered_stall), 1)
                return out

        return asyncio.run(measure())


def cli_processes(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "q.sqlite3"
        knowledge = shutil.copytree(BUNDLED_KNOWLEDGE, Path(tmp) / "knowledge")  # its index too
        env = {
            **os.environ,
            "BOT_LOG_DB": str(db),
            "BOT_KNOWLEDGE_DIR": str(knowledge),
            "DISCORD_TOKEN": "",
        }
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bot", "ask", QUESTIONS[i % len(QUESTIONS)]],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for i in range(n)
        ]
        codes = [p.wait(300) for p in procs]
        rows = rows_in(db)
    return {
        "processes": n,
        "exit_zero": sum(c == 0 for c in codes),
        "rows_logged": len(rows),
        "rows_lost_silently": sum(1 for c in codes if c == 0) - len(rows),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--asks", type=int, default=1000)
    ap.add_argument("--log-rows", type=int, default=1_000_000)
    ap.add_argument("--answers", type=int, default=100_000, help="for the memory scenario")
    ap.add_argument("--only", default="burst,sigterm,kill,log,cli,memory", help="comma-separated")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    wanted = set(args.only.split(","))
    results: dict[str, dict] = {}
    if "burst" in wanted:
        say(f"burst: {args.asks} /ask at once")
        results["burst"] = asyncio.run(burst(args.asks))
    if "sigterm" in wanted:
        say("sigterm: 500 /ask, SIGTERM after 1 s")
        results["sigterm"] = asyncio.run(stop_mid_burst(500, signal.SIGTERM, 1.0))
    if "sigterm" in wanted:
        say("sigterm: 500 /ask, SIGTERM after 0.5 s, 0.5 s grace")
        results["sigterm_short_grace"] = asyncio.run(
            stop_mid_burst(500, signal.SIGTERM, 0.5, grace_s=0.5)
        )
    if "kill" in wanted:
        say("kill: 500 /ask, SIGKILL after 1 s")
        results["kill"] = asyncio.run(stop_mid_burst(500, signal.SIGKILL, 1.0))
    if "log" in wanted:
        results["log"] = big_log(args.log_rows)
    if "summary" in wanted:
        say("summary: the seed repeated to 3,500, 50,000 and 200,000 sentences")
        results["summary"] = summary_sizes()
    if "memory" in wanted:
        say(f"memory: {args.answers:,} answers")
        results["memory"] = asyncio.run(memory(args.answers))
    if "cli" in wanted:
        say("cli: 50 `python -m bot ask` at once on one log")
        results["cli"] = cli_processes(50)
    for name, result in results.items():
        print(json.dumps({"scenario": name, **result}, ensure_ascii=False))
        if not args.json:
            say("")


if __name__ == "__main__":
    main()
