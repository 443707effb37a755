"""The kernel's one warm worker: the server's own `WorkerPool`, on an event loop of its own thread.

A notebook kernel runs its own asyncio loop (and cells block it), so the pool lives on a daemon
thread started on first use and kept for the kernel's life: the zygote and its worker are forked
once, and every `%%autograd` cell or `run()` after that is one job on the warm worker, with the
server's limits, seccomp filter, deadline and kill-and-respawn (`app/workers/pool.py` owns all
of it; nothing here runs a program). The thread must outlive the zygote: the zygote dies with
the thread that started it (PR_SET_PDEATHSIG), so the loop thread never exits before the kernel.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import Any

from app.config import Settings
from app.workers import WorkerPool

_lock = threading.Lock()
_kernel_pool: KernelPool | None = None


class KernelPool:
    """One `WorkerPool` (a single worker) driven from synchronous kernel code."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="autograd-playground-pool", daemon=True
        )
        self._thread.start()
        self.pool = WorkerPool(settings)
        self._call(self.pool.start())

    def _call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def submit_run(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run one `run` job; a job without an answer (deadline, crash) becomes a RunResult
        whose `error` says so, as the server's /run answers it."""
        outcome = self._call(self.pool.submit("run", request))
        if outcome.failure is None:
            result: dict[str, Any] = outcome.result()
            return result
        failure = dict(outcome.failure)
        return {
            "api_version": "1",
            "seed": request.get("seed", 0),
            "ok": False,
            "error": {
                "type": str(failure.get("type", "WorkerCrashed")),
                "message": str(failure.get("message", "")),
                "line": None,
                "col": None,
                "limit": failure.get("limit"),
                "hint": None,
                "hint_ko": None,
            },
            "stdout": "",
            "stdout_truncated": False,
            "warnings": [],
            "variables": {},
            "graph": None,
            "timeline": None,
            "backward_trace": None,
            "jacobian": None,
        }

    @property
    def worker_pids(self) -> list[int]:
        return self.pool.worker_pids

    def close(self) -> None:
        self._call(self.pool.close())


def kernel_pool() -> KernelPool:
    """The kernel's pool, started on first use and reused afterwards."""
    global _kernel_pool
    with _lock:
        if _kernel_pool is None:
            settings = Settings()
            settings = settings.model_copy(update={"workers": 1, "queue_size": 2})
            _kernel_pool = KernelPool(settings)
        return _kernel_pool
