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
import select
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.compat import timeout
from app.config import Settings
from app.telemetry import context
from app.telemetry.events import RunEvent, classify_error
from app.telemetry.metrics import PoolSnapshot
from app.workers.admission import Admission
from app.workers.fair_queue import FairQueue, Lease, current_client
from app.workers.fair_queue import QueueFull as QueueFull  # part of this module's interface
from app.workers.framing import (
    TAG_FAILURE,
    TAG_JOB,
    TAG_PROGRESS,
    TAG_RESULT,
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
# A fork takes milliseconds; a zygote that has not answered in this long is stuck and restarted.
FORK_TIMEOUT_SECONDS = 30.0
# A check job reports one phase (its reference program); anything far beyond is a broken worker.
MAX_PROGRESS_FRAMES = 8


class PoolUnavailable(Exception):
    """The pool failed to start or is shutting down."""


class QueueTimeout(QueueFull):
    """A job waited `queue_timeout_seconds` for a worker without getting one (answered as 503)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no worker became free within {seconds:g} seconds")
        self.seconds = seconds


class JobNotEncodable(ValueError):
    """The job holds a value JSON cannot carry (NaN, Infinity): refused before a worker is taken."""


@dataclass
class JobOutcome:
    """A job's answer: the worker's result as JSON bytes, or why there is none.

    `progress` is what the worker reported before it stopped answering (a check job reports
    `{"phase": "reference", "run": ...}` when its reference program starts), for blame.
    """

    body: bytes | None = None
    failure: dict[str, Any] | None = None
    elapsed_ms: float = 0.0
    progress: dict[str, Any] | None = None
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

    def exited(self) -> bool:
        """True once the process has exited (its pidfd is readable), even before the event
        loop has run `_on_exit` for it."""
        # poll, not select: a busy web process has descriptors past select's limit of 1024.
        poller = select.poll()
        try:
            poller.register(self.pidfd, select.POLLIN)
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return True


def encode_job(kind: str, request: dict[str, Any]) -> bytes:
    """The job's frame; JobNotEncodable when the request holds something JSON cannot carry."""
    try:
        payload = encode_json({"kind": kind, "request": request})
    except (ValueError, TypeError, RecursionError) as error:
        raise JobNotEncodable(
            "The request holds a value that is not JSON (NaN or Infinity, for example)."
        ) from error
    return encode_frame(TAG_JOB, payload)


def decode_object(payload: bytes) -> dict[str, Any]:
    """A JSON object sent by a worker; ValueError for anything else."""
    value = json.loads(payload)
    if not isinstance(value, dict):
        raise ValueError("a worker sent JSON that is not an object")
    return value


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
        # Who may wait (app/api/admission_gate.py asks it); the pool feeds it run times.
        self.admission = Admission(settings.workers, settings.queue_wait_budget_seconds)
        self._workers: set[Worker] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._warm = False
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
        except (ZygoteError, OSError, asyncio.TimeoutError) as error:
            self.start_error = str(error) or type(error).__name__
            logger.error("worker pool failed to start: %s", self.start_error)
            self._wake_waiters()
            raise PoolUnavailable(self.start_error) from error
        self._warm = True

    @property
    def warm(self) -> bool:
        """True once every initial worker was warm (the zygote's `info` is known)."""
        return self._warm and not self._closed

    @property
    def ready(self) -> bool:
        """True while warm and at least one live worker can take a job (what /readyz says)."""
        return self.warm and self.live_workers > 0

    @property
    def live_workers(self) -> int:
        """Workers alive and in rotation: idle in the queue or running a job."""
        return sum(1 for w in self._workers if w.alive and not w.retired)

    @property
    def worker_pids(self) -> list[int]:
        """Pids of the live workers (for tests and memory figures)."""
        return sorted(w.pid for w in self._workers if w.alive)

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

    @property
    def waiting(self) -> int:
        """Jobs waiting in the queue for a worker."""
        return self._queue.waiting

    @property
    def zygote_pid(self) -> int | None:
        return self._zygote.pid if self._zygote else None

    async def close(self) -> None:
        """Stop every worker and the zygote (in-flight requests have been answered by now)."""
        self._closed = True
        for task in list(self._background):
            task.cancel()
        for worker in list(self._workers):
            self._retire(worker, "shutdown")
        self._wake_waiters()
        if self._zygote is not None:
            await self._zygote.stop()

    # -- jobs --------------------------------------------------------------------------------

    async def submit(self, kind: str, request: dict[str, Any], programs: int = 1) -> JobOutcome:
        """Run one job on a worker; `programs` scales the deadline (a check runs two).

        Raises JobNotEncodable (before any worker is taken), QueueFull or QueueTimeout (no
        worker for it), PoolUnavailable; every other way a job ends is a JobOutcome. Whatever
        happens on the way, the worker goes back to the queue or is replaced (`_end_job`).
        """
        frame = encode_job(kind, request)
        queued = time.monotonic()
        while True:
            lease = await self._acquire()
            worker = lease.item
            if worker.alive and not worker.retired and not worker.exited():
                queue_wait = time.monotonic() - queued
                outcome = await self._run_job(lease, frame, programs)
                self.admission.record_run(outcome.elapsed_ms / 1000, backlogged=self.waiting > 0)
                self._announce(kind, outcome, queue_wait)
                return outcome
            # It died while idle (killed from outside, OOM): not this job's fault; next one.
            self._queue.finish(lease)
            self._retire(worker, "exited")

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

    async def _run_job(self, lease: Lease[Worker], frame: bytes, programs: int) -> JobOutcome:
        worker = lease.item
        seconds = self.settings.limits.seconds
        deadline = programs * seconds + self.settings.deadline_grace_seconds
        started = time.monotonic()
        keep = False
        reason = "cancelled"  # what replaces the worker if the job ends without an outcome
        worker.busy = True
        try:
            outcome, keep = await self._converse(worker, frame, seconds, deadline)
            outcome.elapsed_ms = _ms_since(started)
            reason = _replacement_reason(outcome)
            return outcome
        finally:
            self._end_job(lease, keep, reason)

    async def _converse(
        self, worker: Worker, frame: bytes, seconds: float, deadline: float
    ) -> tuple[JobOutcome, bool]:
        """The job's outcome, and whether its worker may take another job."""
        progress: dict[str, Any] = {}
        # Deadlines by `timeout`, not `asyncio.wait_for`: wait_for wraps the awaited coroutine in
        # a task of its own, twice per job, and the web process's CPU per run decides the
        # service's throughput (bench/web_cost.py).
        try:
            async with timeout(deadline):
                tag, payload = await self._exchange(worker, frame, progress)
        except asyncio.TimeoutError:  # not the builtin before 3.11
            failure = {
                "type": "Timeout",
                "message": f"The program ran longer than {seconds:g} seconds.",
                "limit": "seconds",
            }
            return JobOutcome(failure=failure, progress=progress or None), False
        except (asyncio.IncompleteReadError, ConnectionError, FrameError, OSError, ValueError) as e:
            return _crashed(worker, progress, repr(e)), False
        if tag == TAG_SUMMARY:
            # The summary frame precedes the result: read the result too, within the deadline.
            try:
                summary = decode_object(payload)
                async with timeout(deadline):
                    tag, payload = await self._receive(worker)
            except (
                asyncio.TimeoutError,
                asyncio.IncompleteReadError,
                ConnectionError,
                FrameError,
                OSError,
                ValueError,
            ) as e:
                return _crashed(worker, progress, repr(e)), False
            if tag == TAG_RESULT:
                return JobOutcome(body=payload, summary=summary), True
        if tag == TAG_RESULT:
            return JobOutcome(body=payload), True
        if tag == TAG_FAILURE:
            try:
                failure = decode_object(payload)
            except ValueError:
                return _crashed(worker, progress, "a failure frame that is not JSON"), False
            retire = bool(failure.pop("retire", False))
            return JobOutcome(failure=failure, progress=progress or None), not retire
        return _crashed(worker, progress, f"a frame with tag {tag}"), False

    async def _exchange(
        self, worker: Worker, frame: bytes, progress: dict[str, Any]
    ) -> tuple[int, bytes]:
        """Send the job; read progress frames into `progress` until the final frame."""
        await self._send(worker, frame)
        for _ in range(MAX_PROGRESS_FRAMES + 1):
            tag, payload = await self._receive(worker)
            if tag != TAG_PROGRESS:
                return tag, payload
            progress.update(decode_object(payload))
        raise FrameError("the worker sent more progress frames than a job has phases")

    @staticmethod
    async def _send(worker: Worker, frame: bytes) -> None:
        worker.writer.write(frame)
        await worker.writer.drain()

    @staticmethod
    async def _receive(worker: Worker) -> tuple[int, bytes]:
        return await read_frame(worker.reader)

    def _end_job(self, lease: Lease[Worker], keep: bool, reason: str = "failed") -> None:
        """Every way out of a job ends here: its worker goes back to the queue or is replaced.

        `keep` is true only when the worker answered the job in full and may take another; any
        other way out (deadline, crash, garbage, cancelled request, an exception at any step)
        leaves the worker in an unknown state, so it is killed and a fresh one forked.
        """
        worker = lease.item
        worker.busy = False
        try:
            # Charge the client before the worker is handed on, so the next pick sees its usage.
            self._queue.finish(lease)
        finally:
            if keep and worker.alive and not worker.retired:
                worker.runs += 1
                try:
                    self._release(worker)
                except BaseException:
                    self._retire(worker, "failed")
                    raise
            else:
                self._retire(worker, reason)

    async def _acquire(self) -> Lease[Worker]:
        if self._closed or self.start_error is not None:
            raise PoolUnavailable(self.start_error or "the service is shutting down")
        wait = self.settings.queue_timeout_seconds
        try:
            async with timeout(wait):
                return await self._queue.get(current_client.get())
        except asyncio.TimeoutError:
            # The queue's own cancellation handling passed on a worker handed over meanwhile.
            raise QueueTimeout(wait) from None

    def _wake_waiters(self) -> None:
        self._queue.close(PoolUnavailable(self.start_error or "the service is shutting down"))

    def _release(self, worker: Worker) -> None:
        if worker.runs >= self.settings.runs_per_worker:
            self._retire(worker, "recycled")
        else:
            self._queue.put(worker)

    # -- workers -----------------------------------------------------------------------------

    def _retire(self, worker: Worker, reason: str) -> None:
        """Kill and forget a worker and start its replacement (never raises); count `reason`."""
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
        self._workers.discard(worker)
        worker.kill()
        with contextlib.suppress(Exception):
            worker.writer.close()
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(worker.pidfd)
        with contextlib.suppress(OSError):
            os.close(worker.pidfd)
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
                except (ZygoteError, OSError, asyncio.TimeoutError) as error:
                    logger.warning("could not fork a worker (%r); retrying", error)
                    await asyncio.sleep(RESPAWN_BACKOFF_SECONDS)
        finally:
            self._replacing -= 1

    async def _add_worker(self) -> None:
        zygote = await self._ensure_zygote()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = await asyncio.wait_for(zygote.fork(theirs), FORK_TIMEOUT_SECONDS)
            pidfd = os.pidfd_open(pid)
        except asyncio.TimeoutError:
            ours.close()
            theirs.close()
            # Its control socket may hold half a reply now: only a new zygote is safe to ask.
            zygote.stop_now()
            raise ZygoteError("the worker zygote did not answer a fork request") from None
        except BaseException:
            ours.close()
            theirs.close()  # fork() closes it once it has sent it; not if cancelled before
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


def _crashed(worker: Worker, progress: dict[str, Any], reason: str) -> JobOutcome:
    # The pid is for the operator's log only; the answer never names it.
    logger.warning("worker %d died or broke the protocol during a job: %s", worker.pid, reason)
    return JobOutcome(
        failure={"type": "WorkerCrashed", "message": CRASH_MESSAGE}, progress=progress or None
    )


def _replacement_reason(outcome: JobOutcome) -> str:
    """Why a job's worker is replaced, as metrics count it (when it is)."""
    failure = outcome.failure or {}
    return {"Timeout": "timeout", "MemoryError": "memory", "WorkerCrashed": "crash"}.get(
        str(failure.get("type")), "failed"
    )


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)
