"""The fault and load scenarios of bench/reliability.py at CI size: behaviour, not timings.

The bot runs as its own process (`python -m bot run`) against the protocol peer; the figures
docs/reliability.md reports come from the full-size run of the same functions.
"""

import asyncio
import signal

import pytest

from bench import reliability


@pytest.mark.slow
def test_a_burst_is_acknowledged_answered_and_logged_in_full():
    r = asyncio.run(reliability.burst(300))
    assert r["answered"] + r["told_busy"] == 300 and r["waiting"] == 0
    assert r["rows_logged"] == 300
    assert r["exit_code"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("grace_s", [10.0, 0.2])
def test_sigterm_mid_burst_strands_no_one_and_loses_no_row(grace_s):
    r = asyncio.run(reliability.stop_mid_burst(200, signal.SIGTERM, 0.3, grace_s=grace_s))
    assert r["waiting"] == 0, r
    assert r["answered"] + r["told_busy"] + r["told_stopping"] == r["acknowledged"]
    assert r["acknowledged_without_row"] == 0 and r["answered_without_row"] == 0
    assert (r["exit_code"], r["error_lines"]) == (0, 0), r["first_errors"]
    assert "stopped:" in r["summary"]


@pytest.mark.slow
def test_kill_9_loses_at_most_the_rows_of_answers_in_flight():
    r = asyncio.run(reliability.stop_mid_burst(200, signal.SIGKILL, 0.3))
    assert r["exit_code"] == -9
    # A row is queued before its answer is sent, and the writer commits at once: an answer
    # shown without its row can only be one of those being answered at the kill.
    assert r["answered_without_row"] <= 32  # BOT_MAX_CONCURRENT_ANSWERS


@pytest.mark.slow
def test_reports_over_a_large_log_are_complete():
    r = reliability.big_log(100_000)
    assert (r["stats_all_total"], r["stats_all_complete"]) == (100_000, True)
    assert 0 < r["stats_one_server_total"] < 100_000  # one of four: three servers and DMs


@pytest.mark.slow
def test_parallel_cli_runs_lose_no_row():
    r = reliability.cli_processes(10)
    assert (r["exit_zero"], r["rows_logged"]) == (10, 10)
