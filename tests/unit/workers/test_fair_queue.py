"""FairQueue: per-client order by recent worker time, the light lane, fair shedding."""

from __future__ import annotations

import asyncio
import math

import pytest

from app.workers.fair_queue import FairQueue, Lease, QueueFull


class Clock:
    """A hand-driven monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make_queue(
    workers: int = 2, max_waiting: int = 8, half_life: float = 10.0, heavy_seconds: float = 0.5
) -> tuple[FairQueue[str], Clock]:
    clock = Clock()
    queue: FairQueue[str] = FairQueue(
        workers, max_waiting, half_life=half_life, heavy_seconds=heavy_seconds, clock=clock
    )
    return queue, clock


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


def run(coroutine: object) -> None:
    asyncio.run(coroutine)  # type: ignore[arg-type]


def test_usage_decays_with_the_half_life() -> None:
    async def scenario() -> None:
        queue, clock = make_queue(half_life=10.0)
        queue.put("w0")
        lease = await queue.get("a")
        clock.now += 4.0
        assert queue.usage("a") == pytest.approx(4.0)  # running jobs count as they run
        queue.finish(lease, reuse=True)
        clock.now += 10.0
        assert queue.usage("a") == pytest.approx(2.0)
        clock.now += 10.0
        assert queue.usage("a") == pytest.approx(4.0 * math.exp(-math.log(2) * 2))

    run(scenario())


def test_a_free_worker_goes_to_the_client_with_least_recent_use() -> None:
    async def scenario() -> None:
        queue, clock = make_queue(workers=1)
        queue.put("w0")
        first = await queue.get("heavy")
        clock.now += 3.0
        # heavy queues three more jobs before light asks once.
        heavy_jobs = [asyncio.ensure_future(queue.get("heavy")) for _ in range(3)]
        await settle()
        light_job = asyncio.ensure_future(queue.get("light"))
        await settle()
        queue.finish(first, reuse=True)
        await settle()
        assert light_job.done() and not any(job.done() for job in heavy_jobs)
        assert light_job.result().item == "w0"
        for job in heavy_jobs:
            job.cancel()
        await settle()

    run(scenario())


def test_within_one_client_jobs_are_served_in_order() -> None:
    async def scenario() -> None:
        queue, _ = make_queue(workers=1)
        jobs = [asyncio.ensure_future(queue.get("a")) for _ in range(3)]
        await settle()
        queue.put("w0")
        await settle()
        assert [job.done() for job in jobs] == [True, False, False]
        queue.finish(jobs[0].result(), reuse=True)
        await settle()
        assert [job.done() for job in jobs] == [True, True, False]
        jobs[2].cancel()
        await settle()

    run(scenario())


def test_heavy_clients_leave_the_last_worker_to_light_ones() -> None:
    async def scenario() -> None:
        queue, clock = make_queue(workers=2, heavy_seconds=0.5)
        queue.put("w0")
        queue.put("w1")
        # The attacker used 5 s of worker time recently; a light client used 10 ms.
        for client, seconds in (("attacker", 5.0), ("light", 0.01)):
            lease = await queue.get(client)
            clock.now += seconds
            queue.finish(lease, reuse=True)
        assert queue.is_heavy("attacker") and not queue.is_heavy("light")
        attacks = [asyncio.ensure_future(queue.get("attacker")) for _ in range(4)]
        await settle()
        # Two idle workers, but the attacker gets only one of them.
        assert sum(job.done() for job in attacks) == 1
        light = asyncio.ensure_future(queue.get("light"))
        await settle()
        assert light.done(), "a light client must find the reserved worker"
        held = {job.result().item for job in attacks if job.done()} | {light.result().item}
        assert held == {"w0", "w1"}
        for job in attacks:
            job.cancel()
        await settle()

    run(scenario())


def test_a_lone_client_uses_every_worker() -> None:
    async def scenario() -> None:
        queue, clock = make_queue(workers=3, heavy_seconds=0.5)
        for name in ("w0", "w1", "w2"):
            queue.put(name)
        lease = await queue.get("solo")
        clock.now += 30.0
        queue.finish(lease, reuse=True)
        assert not queue.is_heavy("solo")  # its usage is the mean of the active clients
        jobs = [asyncio.ensure_future(queue.get("solo")) for _ in range(3)]
        await settle()
        assert all(job.done() for job in jobs)

    run(scenario())


def test_with_one_worker_a_heavy_client_is_still_served() -> None:
    async def scenario() -> None:
        queue, clock = make_queue(workers=1, heavy_seconds=0.5)
        queue.put("w0")
        for client, seconds in (("attacker", 5.0), ("light", 0.01)):
            lease = await queue.get(client)
            clock.now += seconds
            queue.finish(lease, reuse=True)
        job = asyncio.ensure_future(queue.get("attacker"))
        await settle()
        assert job.done()

    run(scenario())


def test_a_full_queue_turns_away_the_biggest_client_not_the_newcomer() -> None:
    async def scenario() -> None:
        queue, clock = make_queue(workers=1, max_waiting=4)
        queue.put("w0")
        busy = await queue.get("flood")
        flood = [asyncio.ensure_future(queue.get("flood")) for _ in range(4)]
        await settle()
        assert queue.waiting == 4
        newcomer = asyncio.ensure_future(queue.get("newcomer"))
        await settle()
        assert isinstance(flood[-1].exception(), QueueFull)
        assert not newcomer.done() and queue.waiting == 4
        # The flooder itself gets 503 at once when the queue is full.
        with pytest.raises(QueueFull):
            await queue.get("flood")
        clock.now += 1.0
        queue.finish(busy, reuse=True)
        await settle()
        assert newcomer.done() and newcomer.result().item == "w0"
        for job in flood[:-1]:
            job.cancel()
        await settle()

    run(scenario())


def test_a_cancelled_waiter_neither_blocks_nor_loses_a_worker() -> None:
    async def scenario() -> None:
        queue, _ = make_queue(workers=1)
        gone = asyncio.ensure_future(queue.get("a"))
        await settle()
        gone.cancel()
        await settle()
        assert queue.waiting == 0
        queue.put("w0")
        lease = await asyncio.wait_for(queue.get("b"), 1)
        assert lease.item == "w0"

    run(scenario())


def test_a_worker_handed_to_a_request_that_just_went_away_is_passed_on() -> None:
    async def scenario() -> None:
        queue, _ = make_queue(workers=1)
        gone = asyncio.ensure_future(queue.get("a"))
        await settle()
        queue.put("w0")  # resolves gone's future...
        gone.cancel()  # ...but its task is cancelled before it resumes
        await settle()
        assert gone.cancelled()
        lease = await asyncio.wait_for(queue.get("b"), 1)
        assert lease.item == "w0"

    run(scenario())


def test_unusable_workers_are_skipped() -> None:
    async def scenario() -> None:
        dead = {"w0"}
        queue: FairQueue[str] = FairQueue(2, 4, usable=lambda w: w not in dead)
        queue.put("w0")
        queue.put("w1")
        lease: Lease[str] = await queue.get("a")
        assert lease.item == "w1"
        job = asyncio.ensure_future(queue.get("a"))
        await settle()
        assert not job.done()
        job.cancel()
        await settle()

    run(scenario())


def test_close_fails_every_waiter_and_later_gets() -> None:
    async def scenario() -> None:
        queue, _ = make_queue(workers=1)
        jobs = [asyncio.ensure_future(queue.get(c)) for c in ("a", "b")]
        await settle()
        queue.close(RuntimeError("shutting down"))
        await settle()
        assert all(isinstance(job.exception(), RuntimeError) for job in jobs)
        with pytest.raises(RuntimeError):
            await queue.get("c")

    run(scenario())


def test_the_most_recently_idle_worker_takes_the_next_job() -> None:
    """A stack of idle workers: the one back last (warm caches) goes out first."""

    async def scenario() -> None:
        queue, clock = make_queue(workers=3)
        for name in ("w0", "w1", "w2"):
            queue.put(name)
        first = await queue.get("a")
        assert first.item == "w2"
        clock.now += 0.01
        queue.finish(first, reuse=True)
        assert (await queue.get("a")).item == "w2"
        second = await queue.get("b")
        assert second.item == "w1"
        queue.finish(second, reuse=True)
        assert (await queue.get("c")).item == "w1"

    run(scenario())
