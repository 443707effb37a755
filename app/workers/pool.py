"""The pool of warm worker processes that run programs, one job at a time each.

Jobs wait in a bounded queue for an idle worker. Each job has a wall-clock deadline enforced
here, outside the worker: a worker that overruns is SIGKILLed and its request answered with
`Timeout`; a worker that dies for any other reason is replaced and only its own request fails.
Workers are forked by the zygote (`zygote.py`), so replacing one costs milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.telemetry import context
from app.telemetry.events import RunEvent, classify_error
from app.telemetry.metrics import PoolSnapshot
from app.workers.fair_queue import FairQueue, Lease, current_client
from app.workers.fair_queue import QueueFull as QueueFull  # part of this module's interface
from app.workers.framing import (
    TAG_FAILURE,
    TAG_JOB,
    TAG_SUMMARY,
    FrameError,
    encode_frame,
    encode_json,
    read_frame,
)
from app.workers.zygote_client import ZygoteClient, ZygoteError

logger = logging.getLogger(__name__)

CRASH_MESSAGE = (
    "The worker running your program crashed (for example it ran out of memory) before the "
    "program finished; no other run was affected."
)
RESPAWN_BACKOFF_SECONDS = 1.0


class PoolUnavailable(Exception):
    """The pool failed to start or is shutting down."""


@dataclass
class JobOutcome:
    """A job's answer: the worker's result as JSON bytes, or why there is none."""

    body: bytes | None = None
    failure: dict[str, Any] | None = None
    elapsed_ms: float = 0.0
    # The worker's one-line summary of `body` ({"outcome", "limit"}), for metrics and logs.
    summary: dict[str, Any] | None = None

    def result(self) -> dict[str, Any]:
        """Decode the worker's result (only when `failure` is None)."""
        assert self.body is not None, "a failed job has no result"
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


@dataclass(eq=False)
class Worker:
    """A forked worker process and the socket it serves jobs on."""

    pid: int
    pidfd: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    runs: int = 0
    busy: bool = False
    alive: bool = True
    retired: bool = False
    forked_at: float = field(default_factory=time.monotonic)

    def kill(self) -> None:
        """SIGKILL through the pidfd: never hits a recycled pid."""
        with contextlib.suppress(OSError):
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)


class WorkerPool:
    """Warm worker processes behind a bounded queue."""

    def __init__(self, settings: Settings, jobs_module: str = "app.workers.jobs") -> None:
        self.settings = settings
        self._jobs_module = jobs_module
        self._zygote: ZygoteClient | None = None
        self._zygote_lock = asyncio.Lock()
        # Idle workers go to waiting jobs fairly between clients (see fair_queue.py).
        self._queue: FairQueue[Worker] = FairQueue(
            settings.workers,
            settings.queue_size,
            usable=lambda worker: worker.alive and not worker.retired,
        )
        self._workers: set[Worker] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._ready = False
        self._closed = False
        self.start_error: str | None = None
        self.info: dict[str, Any] = {}
        self.started_workers = 0
        self._replacing = 0
        # Telemetry subscribes here (app/main.py); the pool knows nothing of Prometheus or logs.
        self.run_listeners: list[Callable[[RunEvent], None]] = []
        self.replacement_listeners: list[Callable[[str], None]] = []

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the zygote and fork the initial workers; the pool is ready afterwards."""
        try:
            await self._ensure_zygote()
            await asyncio.gather(*(self._add_worker() for _ in range(self.settings.workers)))
        except (ZygoteError, OSError) as error:
            self.start_error = str(error)
            logger.error("worker pool failed to start: %s", error)
            self._wake_waiters()
            raise PoolUnavailable(self.start_error) from error
        self._ready = True

    @property
    def ready(self) -> bool:
        """True once every initial worker is warm and accepting jobs."""
        return self._ready and not self._closed

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the live workers (for tests and memory figures)."""
        return sorted(w.pid for w in self._workers if w.alive)

    @property
    def waiting(self) -> int:
        """Jobs waiting in the queue for a worker."""
        return self._queue.waiting

    @property
    def zygote_pid(self) -> int | None:
        return self._zygote.pid if self._zygote else None

    def snapshot(self) -> PoolSnapshot:
        """Queue depth and workers by state, as of now (read by /metrics)."""
        live = [w for w in self._workers if w.alive and not w.retired]
        busy = sum(1 for w in live if w.busy)
        return PoolSnapshot(
            queue_depth=self._queue.waiting,
            busy=busy,
            idle=len(live) - busy,
            replacing=self._replacing,
            worker_pids=sorted(w.pid for w in live),
            zygote_pid=self.zygote_pid,
        )

    async def close(self) -> None:
        """Stop every worker and the zygote (in-flight requests have been answered by now)."""
        self._closed = True
        self._ready = False
        for task in list(self._background):
            task.cancel()
        for worker in list(self._workers):
            self._retire(worker, "shutdown")
        self._wake_waiters()
        if self._zygote is not None:
            await self._zygote.stop()

    # -- jobs --------------------------------------------------------------------------------

    async def submit(self, kind: str, request: dict[str, Any], programs: int = 1) -> JobOutcome:
        """Run one job on a worker; `programs` scales the deadline (a check runs two)."""
        queued = time.monotonic()
        lease = await self._acquire()
        queue_wait = time.monotonic() - queued
        try:
            outcome = await self._run_job(lease, kind, request, programs)
        finally:
            self._queue.finish(lease)
        self._announce(kind, outcome, queue_wait)
        return outcome

    def _announce(self, kind: str, outcome: JobOutcome, queue_wait: float) -> None:
        """Tell the listeners (metrics, the run log) how a job ended."""
        if not self.run_listeners:
            return
        if outcome.failure is not None:
            summary = classify_error(outcome.failure)
        else:
            summary = outcome.summary or {"outcome": "ok", "limit": None}
        event = RunEvent(
            kind=kind,
            outcome=summary["outcome"],
            limit=summary.get("limit"),
            queue_wait_s=queue_wait,
            run_s=outcome.elapsed_ms / 1000,
            result_bytes=len(outcome.body or b""),
            request_id=context.request_id.get(),
            client=current_client.get(),
            route=context.route.get(),
        )
        for listener in self.run_listeners:
            try:
                listener(event)
            except Exception:  # telemetry must never fail a run
                logger.exception("a run listener failed")

    async def _run_job(
        self, lease: Lease[Worker], kind: str, request: dict[str, Any], programs: int
    ) -> JobOutcome:
        worker = lease.item
        seconds = self.settings.limits.seconds
        deadline = programs * seconds + self.settings.deadline_grace_seconds
        frame = encode_frame(TAG_JOB, encode_json({"kind": kind, "request": request}))
        started = time.monotonic()
        worker.busy = True
        try:
            tag, payload, summary = await asyncio.wait_for(self._exchange(worker, frame), deadline)
        except asyncio.TimeoutError:  # not the builtin before 3.11
            self._retire(worker, "timeout")
            return JobOutcome(
                failure={
                    "type": "Timeout",
                    "message": f"The program ran longer than {seconds:g} seconds.",
                    "limit": "seconds",
                },
                elapsed_ms=_ms_since(started),
            )
        except (asyncio.IncompleteReadError, ConnectionError, FrameError, OSError):
            self._retire(worker, "crash")
            return JobOutcome(
                failure={"type": "WorkerCrashed", "message": CRASH_MESSAGE},
                elapsed_ms=_ms_since(started),
            )
        except BaseException:
            # Cancelled mid-job: the worker still owes an answer nobody will read.
            self._retire(worker, "cancelled")
            raise
        worker.busy = False
        worker.runs += 1
        # Charge the client before the worker is handed on, so the next pick sees its usage.
        self._queue.finish(lease)
        if tag == TAG_FAILURE:
            failure: dict[str, Any] = json.loads(payload)
            if failure.pop("retire", False):
                self._retire(worker, "memory" if failure.get("type") == "MemoryError" else "failed")
            else:
                self._release(worker)
            return JobOutcome(failure=failure, elapsed_ms=_ms_since(started))
        self._release(worker)
        return JobOutcome(body=payload, elapsed_ms=_ms_since(started), summary=summary)

    @staticmethod
    async def _exchange(worker: Worker, frame: bytes) -> tuple[int, bytes, dict[str, Any] | None]:
        """Send a job; read its answer and the summary frame the worker sends before it."""
        worker.writer.write(frame)
        await worker.writer.drain()
        tag, payload = await read_frame(worker.reader)
        summary = None
        if tag == TAG_SUMMARY:
            summary = json.loads(payload)
            tag, payload = await read_frame(worker.reader)
        return tag, payload, summary

    async def _acquire(self) -> Lease[Worker]:
        if self._closed or self.start_error is not None:
            raise PoolUnavailable(self.start_error or "the service is shutting down")
        return await self._queue.get(current_client.get())

    def _wake_waiters(self) -> None:
        self._queue.close(PoolUnavailable(self.start_error or "the service is shutting down"))

    def _release(self, worker: Worker) -> None:
        if worker.runs >= self.settings.runs_per_worker:
            self._retire(worker, "recycled")
        else:
            self._queue.put(worker)

    # -- workers -----------------------------------------------------------------------------

    def _retire(self, worker: Worker, reason: str) -> None:
        """Kill and forget a worker, and start its replacement; `reason` is counted."""
        if worker.retired:
            return
        if not self._closed:
            for listener in self.replacement_listeners:
                try:
                    listener(reason)
                except Exception:  # telemetry must never fail the pool
                    logger.exception("a replacement listener failed")
        worker.retired = True
        worker.alive = False
        worker.busy = False
        worker.kill()
        worker.writer.close()
        loop = asyncio.get_running_loop()
        loop.remove_reader(worker.pidfd)
        os.close(worker.pidfd)
        self._workers.discard(worker)
        if not self._closed:
            self._in_background(self._replace())

    def _on_exit(self, worker: Worker) -> None:
        # An idle worker died (OOM killer, operator): replace it before a job lands on it. A busy
        # one is handled by its job, which reads the end of the stream.
        asyncio.get_running_loop().remove_reader(worker.pidfd)
        if not worker.busy:
            self._retire(worker, "exited")
        worker.alive = False

    async def _replace(self) -> None:
        self._replacing += 1
        try:
            while not self._closed:
                try:
                    await self._add_worker()
                    return
                except (ZygoteError, OSError) as error:
                    logger.warning("could not fork a worker (%s); retrying", error)
                    await asyncio.sleep(RESPAWN_BACKOFF_SECONDS)
        finally:
            self._replacing -= 1

    async def _add_worker(self) -> None:
        zygote = await self._ensure_zygote()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = await zygote.fork(theirs)
            pidfd = os.pidfd_open(pid)
        except BaseException:
            ours.close()
            raise
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        worker = Worker(pid=pid, pidfd=pidfd, reader=reader, writer=writer)
        if self._closed:
            self._retire(worker, "shutdown")
            return
        self._workers.add(worker)
        asyncio.get_running_loop().add_reader(pidfd, self._on_exit, worker)
        self.started_workers += 1
        self._queue.put(worker)

    async def _ensure_zygote(self) -> ZygoteClient:
        async with self._zygote_lock:
            if self._zygote is None or not self._zygote.alive:
                if self._zygote is not None:
                    logger.warning("the worker zygote died; starting a new one")
                    self._zygote.stop_now()
                self._zygote = await ZygoteClient.start(self.settings, self._jobs_module)
                self.info = self._zygote.info
            return self._zygote

    def _in_background(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)
