import asyncio

import pytest

from bot.discordbot.ratelimit import AnswerSlots, Busy, Cooldown


def test_cooldown_per_user_with_a_fake_clock():
    now = [100.0]
    cd = Cooldown(10, clock=lambda: now[0])
    assert cd.retry_after(1) == 0
    assert cd.retry_after(2) == 0  # other users are not affected
    now[0] += 4
    assert cd.retry_after(1) == pytest.approx(6)
    now[0] += 6
    assert cd.retry_after(1) == 0


def test_a_forgiven_user_may_ask_again_at_once():
    cd = Cooldown(10, clock=lambda: 100.0)
    assert cd.retry_after(1) == 0
    assert cd.retry_after(1) > 0
    cd.forgive(1)
    assert cd.retry_after(1) == 0


def test_zero_cooldown_never_waits():
    cd = Cooldown(0)
    assert cd.retry_after(1) == cd.retry_after(1) == 0


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
