"""The workers' seccomp filter: each forbidden call kills the process with SIGSYS, what a run
needs still works, and in the pool a killed worker costs only its own job."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

import pytest

from app.workers import WorkerPool, syscall_filter
from tests.unit.workers.syscalls import ALLOWED, FORBIDDEN
from tests.unit.workers.test_pool import FAKE_JOBS, settings, wait_for_workers


def _in_filtered_child(action: Callable[[], object], *, install: bool = True) -> int:
    """Fork, install the filter, run `action`; the child's wait status."""
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            if install:
                syscall_filter.install()
            action()
        except BaseException:
            status = 3
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return status


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_each_forbidden_call_kills_the_process_with_sigsys(name: str) -> None:
    # Without the filter the same call fails harmlessly (or works) and the child lives on.
    unfiltered = _in_filtered_child(FORBIDDEN[name], install=False)
    assert os.WIFEXITED(unfiltered), name
    status = _in_filtered_child(FORBIDDEN[name])
    assert os.WIFSIGNALED(status), f"{name}: exited with {status}"
    assert os.WTERMSIG(status) == signal.SIGSYS


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_what_a_worker_needs_still_works(name: str) -> None:
    status = _in_filtered_child(ALLOWED[name])
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"{name}: {status}"


def test_every_listed_call_is_known_to_libseccomp_on_this_machine() -> None:
    import pyseccomp

    unknown = [
        name
        for name in syscall_filter.KILLED
        if pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name) < 0
    ]
    # Only calls this architecture does not have may be missing (x86-64 has them all).
    assert unknown == [] or os.uname().machine != "x86_64", unknown


def test_a_forbidden_call_kills_only_its_worker_which_is_replaced() -> None:
    async def scenario() -> None:
        pool = WorkerPool(settings(), FAKE_JOBS)
        await pool.start()
        try:
            for name in sorted(FORBIDDEN):
                before = set(await wait_for_workers(pool, 2))
                outcome = await pool.submit("syscall", {"name": name})
                assert outcome.failure is not None, f"{name}: the worker survived"
                assert outcome.failure["type"] == "WorkerCrashed", (name, outcome.failure)
                # The pool is back at full size, with one new worker, and serves the next job.
                after = set(await wait_for_workers(pool, 2))
                assert len(before - after) == 1, name
                served = await pool.submit("echo", {"after": name})
                assert served.failure is None, (name, served.failure)
                assert served.result()["pid"] in after
        finally:
            await pool.close()

    asyncio.run(scenario())


def test_the_filter_can_be_turned_off_for_debugging() -> None:
    async def scenario() -> None:
        pool = WorkerPool(settings(syscall_filter=False), FAKE_JOBS)
        await pool.start()
        try:
            outcome = await pool.submit("syscall", {"name": "socket"})
            assert outcome.failure is None, outcome.failure
        finally:
            await pool.close()

    asyncio.run(scenario())
