"""The pool with real forked worker processes, driven by jobs that sleep, crash or allocate."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.config import Settings
from app.sandbox.limits import Limits
from app.workers import QueueFull, WorkerPool

FAKE_JOBS = "tests.unit.workers.fake_jobs"


def settings(**overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "workers": 2,
        "queue_size": 8,
        "deadline_grace_seconds": 0.2,
        "limits": Limits(seconds=0.5),
    }
    return Settings(**{**base, **overrides})


def with_pool(scenario: Callable[[WorkerPool], Awaitable[None]], **overrides: Any) -> WorkerPool:
    """Start a pool, run `scenario` on it, close it; return it for post-mortem checks."""

    async def main() -> WorkerPool:
        pool = WorkerPool(settings(**overrides), FAKE_JOBS)
        await pool.start()
        try:
            await scenario(pool)
        finally:
            await pool.close()
        return pool

    return asyncio.run(main())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


async def wait_for_workers(pool: WorkerPool, count: int) -> list[int]:
    for _ in range(500):
        if len(pool.worker_pids) == count:
            return pool.worker_pids
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} workers, have {pool.worker_pids}")


def test_jobs_run_in_other_processes_and_return_their_result() -> None:
    async def scenario(pool: WorkerPool) -> None:
        assert pool.ready
        outcome = await pool.submit("echo", {"x": [1, 2.5, "ü"]})
        assert outcome.failure is None
        result = outcome.result()
        assert result["request"] == {"x": [1, 2.5, "ü"]}
        assert result["pid"] in pool.worker_pids
        assert result["pid"] != os.getpid()

    with_pool(scenario)


def test_overrunning_worker_is_killed_and_the_next_job_is_served_normally() -> None:
    async def scenario(pool: WorkerPool) -> None:
        started = time.monotonic()
        outcome = await pool.submit("sleep", {"seconds": 30})
        waited = time.monotonic() - started
        assert outcome.failure == {
            "type": "Timeout",
            "message": "The program ran longer than 0.5 seconds.",
            "limit": "seconds",
        }
        assert 0.7 <= waited < 2.0, waited  # seconds + grace, not the 30 s asked for
        nxt = await pool.submit("echo", {})
        assert nxt.failure is None
        assert nxt.elapsed_ms < 200

    with_pool(scenario, workers=1)


def test_timed_out_worker_process_is_gone() -> None:
    async def scenario(pool: WorkerPool) -> None:
        (pid,) = await wait_for_workers(pool, 1)
        outcome = await pool.submit("sleep", {"seconds": 30})
        assert outcome.failure is not None
        await asyncio.sleep(0.1)
        assert not alive(pid)
        (replacement,) = await wait_for_workers(pool, 1)
        assert replacement != pid

    with_pool(scenario, workers=1)


def test_a_crash_loses_only_its_own_job() -> None:
    async def scenario(pool: WorkerPool) -> None:
        jobs = [pool.submit("sleep", {"seconds": 0.05}) for _ in range(6)]
        jobs.insert(3, pool.submit("segfault", {}))
        outcomes = await asyncio.gather(*jobs)
        failures = [o.failure for o in outcomes if o.failure is not None]
        assert len(failures) == 1
        assert failures[0]["type"] == "WorkerCrashed"
        assert "crashed" in failures[0]["message"]
        assert all(o.result()["slept"] == 0.05 for o in outcomes if o.failure is None)
        await wait_for_workers(pool, 2)

    with_pool(scenario)


def test_external_kill_mid_run_loses_only_that_run() -> None:
    async def scenario(pool: WorkerPool) -> None:
        victim_job = asyncio.ensure_future(pool.submit("sleep", {"seconds": 0.4}))
        await asyncio.sleep(0.1)
        others = [pool.submit("echo", {"i": i}) for i in range(5)]
        (pid,) = [p for p in pool.worker_pids if p in _busy_pids(pool)]
        os.kill(pid, signal.SIGKILL)
        victim = await victim_job
        assert victim.failure is not None and victim.failure["type"] == "WorkerCrashed"
        results = [o.result()["request"]["i"] for o in await asyncio.gather(*others)]
        assert results == list(range(5))

    with_pool(scenario)


def _busy_pids(pool: WorkerPool) -> set[int]:
    return {w.pid for w in pool._workers if w.busy}


def test_idle_worker_killed_from_outside_is_replaced_before_it_gets_a_job() -> None:
    async def scenario(pool: WorkerPool) -> None:
        (pid,) = await wait_for_workers(pool, 1)
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        outcome = await pool.submit("echo", {})
        assert outcome.failure is None
        assert outcome.result()["pid"] != pid

    with_pool(scenario, workers=1)


def test_memory_beyond_the_address_space_limit_fails_that_job_only() -> None:
    async def scenario(pool: WorkerPool) -> None:
        outcome = await pool.submit("allocate", {"megabytes": 1024})
        assert outcome.failure is not None
        assert outcome.failure["type"] == "MemoryError"
        small = await pool.submit("allocate", {"megabytes": 10})
        assert small.result() == {"size": 10 * 1024 * 1024}

    with_pool(scenario, workers=1, worker_memory_mb=512)


def test_unexpected_exceptions_leak_no_detail() -> None:
    async def scenario(pool: WorkerPool) -> None:
        outcome = await pool.submit("raise", {})
        assert outcome.failure is not None
        assert outcome.failure["type"] == "InternalError"
        assert "/secret" not in outcome.failure["message"]

    with_pool(scenario, workers=1)


def test_full_queue_is_refused_immediately() -> None:
    async def scenario(pool: WorkerPool) -> None:
        running = asyncio.ensure_future(pool.submit("sleep", {"seconds": 0.3}))
        await asyncio.sleep(0.05)
        waiting = asyncio.ensure_future(pool.submit("echo", {}))
        await asyncio.sleep(0.05)
        with pytest.raises(QueueFull):
            await pool.submit("echo", {})
        assert (await running).failure is None
        assert (await waiting).failure is None

    with_pool(scenario, workers=1, queue_size=1)


@pytest.mark.parametrize("runs_per_worker", [1, 3])
def test_workers_are_recycled_after_runs_per_worker(runs_per_worker: int) -> None:
    async def scenario(pool: WorkerPool) -> None:
        pids = [(await pool.submit("echo", {})).result()["pid"] for _ in range(6)]
        groups = [pids[i : i + runs_per_worker] for i in range(0, 6, runs_per_worker)]
        assert all(len(set(group)) == 1 for group in groups), pids
        assert len(set(pids)) == 6 // runs_per_worker, pids

    with_pool(scenario, workers=1, runs_per_worker=runs_per_worker)


def test_a_dead_zygote_is_restarted_when_a_worker_must_be_replaced() -> None:
    async def scenario(pool: WorkerPool) -> None:
        old_zygote = pool.zygote_pid
        assert old_zygote is not None
        os.kill(old_zygote, signal.SIGKILL)
        await asyncio.sleep(0.1)
        # Running workers do not need the zygote; replacing one does.
        assert (await pool.submit("echo", {})).failure is None
        timed_out = await pool.submit("sleep", {"seconds": 30})
        assert timed_out.failure is not None and timed_out.failure["type"] == "Timeout"
        outcome = await pool.submit("echo", {})
        assert outcome.failure is None
        assert pool.zygote_pid != old_zygote

    with_pool(scenario, workers=1)


def test_close_stops_every_process() -> None:
    seen: list[int] = []

    async def scenario(pool: WorkerPool) -> None:
        await wait_for_workers(pool, 2)
        seen.extend(pool.worker_pids)
        assert pool.zygote_pid is not None
        seen.append(pool.zygote_pid)

    with_pool(scenario)
    time.sleep(0.1)
    assert seen and not any(alive(pid) for pid in seen)
