import asyncio

import pytest

from bot.discordbot.ratelimit import AnswerSlots, Busy, QuestionRate


def test_a_burst_per_user_then_one_per_interval_with_a_fake_clock():
    now = [100.0]
    rate = QuestionRate(3, 30, clock=lambda: now[0])
    assert [rate.retry_after(1) for _ in range(3)] == [0, 0, 0]  # a conversation
    assert rate.retry_after(1) == pytest.approx(30)  # the fourth at once waits for the window
    assert rate.retry_after(2) == 0  # other users are not affected
    now[0] += 31
    assert rate.retry_after(1) == 0


def test_a_forgiven_user_may_ask_again_at_once():
    rate = QuestionRate(1, 10, clock=lambda: 100.0)
    assert rate.retry_after(1) == 0
    assert rate.retry_after(1) > 0
    rate.forgive(1)
    assert rate.retry_after(1) == 0


def test_a_zero_window_never_waits():
    rate = QuestionRate(3, 0)
    assert all(rate.retry_after(1) == 0 for _ in range(10))


async def test_slots_bound_concurrency_and_turn_away_after_waiting():
    slots = AnswerSlots(2, wait_seconds=0.05)
    running = 0
    peak = 0

    async def work():
        nonlocal running, peak
        async with slots.hold():
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.01)
            running -= 1

    await asyncio.gather(*(work() for _ in range(6)))
    assert peak == 2
    async with slots.hold(), slots.hold():
        with pytest.raises(Busy):
            async with slots.hold():
                pass
        with pytest.raises(Busy):  # a shorter wait for this one alone
            async with asyncio.timeout(1), slots.hold(wait_seconds=0.01):
                pass


async def test_slots_turn_away_when_too_many_wait():
    slots = AnswerSlots(1, wait_seconds=5, max_waiting=1)
    entered = asyncio.Event()

    async def wait_then_hold():
        async with slots.hold():
            entered.set()

    async with slots.hold():
        waiter = asyncio.create_task(wait_then_hold())
        await asyncio.sleep(0)
        with pytest.raises(Busy):
            async with slots.hold():
                pass
    await waiter
    assert entered.is_set()  # the one that waited got the slot once it was free
