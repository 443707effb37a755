"""The pool never loses a worker: a failure injected at each step of the job protocol.

Each test breaks one step of one job (it raises, the request is cancelled there, or the worker
is SIGKILLed there), then checks that the pool is back at full size and still answering: as
many concurrent sleeping jobs as there are workers each get a worker of their own (distinct
pids). A lost worker shows as two jobs sharing one pid, or as a hang (bounded by a timeout).
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import select
import signal
import subprocess
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.sandbox.limits import Limits
from app.workers import JobNotEncodable, QueueTimeout, WorkerPool
from app.workers import pool as pool_module
from app.workers.framing import TAG_FAILURE, TAG_PROGRESS
from app.workers.pool import MAX_PROGRESS_FRAMES, Worker
from tests.unit.workers.test_pool import with_pool

WORKERS = 2
HOLD_SECONDS = 0.3


class Injected(RuntimeError):
    """The failure a test injects (never raised by the pool itself)."""


async def assert_whole(pool: WorkerPool, workers: int = WORKERS) -> None:
    """Full size, ready, and every worker takes a job: `workers` sleepers run side by side."""
    await asyncio.sleep(0.05)  # let the loop see exits that have happened
    for _ in range(500):
        if pool.live_workers == workers:
            break
        await asyncio.sleep(0.01)
    assert pool.live_workers == workers, pool.worker_pids
    assert pool.ready
    jobs = [pool.submit("sleep", {"seconds": HOLD_SECONDS}) for _ in range(workers)]
    outcomes = await asyncio.wait_for(asyncio.gather(*jobs), 10)
    pids = {outcome.result()["pid"] for outcome in outcomes}
    assert len(pids) == workers, f"jobs shared a worker: {pids}"
    assert pids <= set(pool.worker_pids)


def worker_of(args: tuple[Any, ...]) -> Worker:
    """The worker a step works on: an argument, or the item of a lease argument."""
    for arg in args:
        item = getattr(arg, "item", arg)
        if isinstance(item, Worker):
            return item
    raise AssertionError(f"no worker among {args}")


def kill_and_wait(worker: Worker) -> None:
    """SIGKILL the worker and wait until it has exited (its pidfd turns readable)."""
    os.kill(worker.pid, signal.SIGKILL)
    readable, _, _ = select.select([worker.pidfd], [], [], 5)
    assert readable, "the worker did not exit"


def once(owner: Any, name: str, fault: str, reached: asyncio.Event | None = None) -> None:
    """Replace `owner.name` by a one-shot version that fails as `fault` says, then the original.

    raise: the step raises Injected; cancel: the step waits until the test cancels the job;
    kill: the job's worker is SIGKILLed (and has exited), then the step runs.
    """
    original = getattr(owner, name)
    fired = False

    def inject(args: tuple[Any, ...]) -> None:
        nonlocal fired
        fired = True
        if fault == "raise":
            raise Injected(name)
        if fault == "kill":
            kill_and_wait(worker_of(args))

    def step(*args: Any) -> Any:
        if not fired:
            inject(args)
        return original(*args)

    async def async_step(*args: Any) -> Any:
        nonlocal fired
        if not fired and fault == "cancel":
            fired = True
            assert reached is not None
            reached.set()
            await asyncio.Event().wait()
        if not fired:
            inject(args)
        return await original(*args)

    setattr(owner, name, async_step if asyncio.iscoroutinefunction(original) else step)


# -- the job never reaches a worker ----------------------------------------------------------


@pytest.mark.parametrize(
    "request_data",
    [{"x": math.nan}, {"x": math.inf}, {"x": -math.inf}, {"x": object()}],
    ids=["nan", "inf", "-inf", "not-json"],
)
def test_a_job_that_cannot_be_encoded_is_refused_and_takes_no_worker(
    request_data: dict[str, Any],
) -> None:
    # Reproduces issue 13: two such requests used to lose both workers for good.
    async def scenario(pool: WorkerPool) -> None:
        for _ in range(WORKERS + 1):
            with pytest.raises(JobNotEncodable):
                await pool.submit("echo", request_data)
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


def test_a_request_cancelled_while_it_waits_in_the_queue() -> None:
    async def scenario(pool: WorkerPool) -> None:
        busy = [asyncio.ensure_future(pool.submit("sleep", {"seconds": 0.5})) for _ in range(2)]
        await asyncio.sleep(0.1)
        waiting = asyncio.ensure_future(pool.submit("echo", {}))
        await asyncio.sleep(0.05)
        assert pool.waiting == 1
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert all(outcome.failure is None for outcome in await asyncio.gather(*busy))
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


def test_a_request_waits_in_the_queue_at_most_queue_timeout_seconds() -> None:
    async def scenario(pool: WorkerPool) -> None:
        running = asyncio.ensure_future(pool.submit("sleep", {"seconds": 1.2}))
        await asyncio.sleep(0.1)
        started = asyncio.get_running_loop().time()
        with pytest.raises(QueueTimeout):
            await pool.submit("echo", {})
        waited = asyncio.get_running_loop().time() - started
        assert 0.25 <= waited < 1.0, waited
        assert pool.waiting == 0
        assert (await running).failure is None
        await assert_whole(pool, workers=1)

    with_pool(scenario, workers=1, queue_timeout_seconds=0.3, limits=Limits(seconds=2.0))


# -- a failure at each step of a job on a worker ---------------------------------------------

POOL_STEPS = ["_send", "_receive"]


@pytest.mark.parametrize("step", POOL_STEPS)
def test_a_step_that_raises_fails_its_request_only(step: str) -> None:
    async def scenario(pool: WorkerPool) -> None:
        once(pool, step, "raise")
        with pytest.raises(Injected):
            await pool.submit("echo", {})
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


@pytest.mark.parametrize("step", POOL_STEPS)
def test_a_request_cancelled_at_a_step_gives_its_worker_back(step: str) -> None:
    # A client that goes away (or a batch cancelled by its sibling's 503) cancels its job.
    async def scenario(pool: WorkerPool) -> None:
        reached = asyncio.Event()
        once(pool, step, "cancel", reached)
        job = asyncio.ensure_future(pool.submit("echo", {}))
        await asyncio.wait_for(reached.wait(), 5)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


@pytest.mark.parametrize("step", POOL_STEPS)
def test_a_worker_killed_at_a_step_fails_its_request_with_worker_crashed(step: str) -> None:
    async def scenario(pool: WorkerPool) -> None:
        once(pool, step, "kill")
        outcome = await pool.submit("echo", {})
        assert outcome.failure is not None
        assert outcome.failure["type"] == "WorkerCrashed"
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


@pytest.mark.parametrize("fault", ["raise", "kill"])
def test_a_failure_while_the_client_is_charged(fault: str) -> None:
    async def scenario(pool: WorkerPool) -> None:
        once(pool._queue, "finish", fault)
        if fault == "raise":
            with pytest.raises(Injected):
                await pool.submit("echo", {})
        else:
            # The answer was in: the job succeeds, the dead worker is noticed and replaced.
            assert (await pool.submit("echo", {})).failure is None
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


@pytest.mark.parametrize("fault", ["raise", "kill"])
def test_a_failure_while_the_worker_is_handed_back(fault: str) -> None:
    async def scenario(pool: WorkerPool) -> None:
        once(pool, "_release", fault)
        if fault == "raise":
            with pytest.raises(Injected):
                await pool.submit("echo", {})
        else:
            assert (await pool.submit("echo", {})).failure is None
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


def test_a_failure_while_a_progress_report_is_decoded() -> None:
    async def scenario(pool: WorkerPool) -> None:
        once(pool_module, "decode_object", "raise")
        job = {"phase": "reference", "then": "echo"}
        with pytest.raises(Injected):
            await pool.submit("phase", job)
        await assert_whole(pool)
        # And without the fault, the report reaches the outcome of a job that then dies.
        died = await pool.submit("phase", {"phase": "reference", "then": "segfault"})
        assert died.failure is not None and died.failure["type"] == "WorkerCrashed"
        assert died.progress == {"phase": "reference", "run": {"ok": True}}
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


# -- a worker that answers garbage --------------------------------------------------------------


def garbage_frames(frames: list[tuple[int, bytes]]) -> Callable[..., Awaitable[Any]]:
    async def receive(worker: Worker) -> tuple[int, bytes]:
        return frames.pop(0) if frames else (TAG_FAILURE, b"{}")

    return receive


@pytest.mark.parametrize(
    "frames",
    [
        [(ord("Z"), b"{}")],
        [(TAG_FAILURE, b"not json")],
        [(TAG_FAILURE, b"[1, 2]")],
        [(TAG_FAILURE, b"\xff\xfe")],
        [(TAG_PROGRESS, b"{}")] * (MAX_PROGRESS_FRAMES + 1),
        [(TAG_PROGRESS, b"null")],
    ],
    ids=["unknown-tag", "failure-not-json", "failure-not-object", "not-utf8", "endless-progress",
         "progress-not-object"],
)  # fmt: skip
def test_a_worker_answering_garbage_is_a_crash_and_is_replaced(
    frames: list[tuple[int, bytes]],
) -> None:
    async def scenario(pool: WorkerPool) -> None:
        original = pool._receive
        pool._receive = garbage_frames(list(frames))  # type: ignore[method-assign]
        outcome = await pool.submit("echo", {})
        pool._receive = original  # type: ignore[method-assign]
        assert outcome.failure is not None and outcome.failure["type"] == "WorkerCrashed"
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


# -- readiness ----------------------------------------------------------------------------------


def test_readiness_is_false_while_no_worker_can_take_a_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario(pool: WorkerPool) -> None:
        assert pool.ready

        async def no_fork(self: Any, worker_socket: Any) -> int:
            worker_socket.close()
            raise pool_module.ZygoteError("fork refused by the test")

        original_fork = pool_module.ZygoteClient.fork
        monkeypatch.setattr(pool_module.ZygoteClient, "fork", no_fork)
        monkeypatch.setattr(pool_module, "RESPAWN_BACKOFF_SECONDS", 0.05)
        for pid in pool.worker_pids:
            os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            if not pool.ready:
                break
            await asyncio.sleep(0.01)
        assert not pool.ready
        assert pool.live_workers == 0
        monkeypatch.setattr(pool_module.ZygoteClient, "fork", original_fork)
        await assert_whole(pool)

    with_pool(scenario, workers=WORKERS)


def test_exited_reads_descriptors_past_select_limit() -> None:
    # A busy web process holds more than 1024 descriptors; select() refuses those, and a worker
    # would then be taken for dead on every job.
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2100:
        pytest.skip(f"RLIMIT_NOFILE is {soft}")
    child = subprocess.Popen(["sleep", "30"])
    pidfd = os.pidfd_open(child.pid)
    high = os.dup2(pidfd, 2048)
    try:
        worker = Worker(pid=child.pid, pidfd=high, reader=None, writer=None)  # type: ignore[arg-type]
        assert not worker.exited()
        child.kill()
        child.wait()
        assert worker.exited()
    finally:
        os.close(high)
        os.close(pidfd)
