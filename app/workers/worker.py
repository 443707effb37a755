"""The main loop of one worker process: receive a job, run it, send the result back.

A worker is forked from the zygote and runs one job at a time. It exits when the web process
closes its socket, and is SIGKILLed from outside when it overruns its deadline.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from app.config import Settings
from app.sandbox.program_errors import job_error
from app.telemetry.events import outcome_of
from app.trace.result_budget import fit_result
from app.workers import process_setup, syscall_filter
from app.workers.framing import (
    TAG_FAILURE,
    TAG_JOB,
    TAG_PROGRESS,
    TAG_RESULT,
    TAG_SUMMARY,
    encode_frame,
    encode_json,
    recv_frame,
)


def serve(sock: socket.socket, jobs: ModuleType, settings: Settings) -> None:
    """Answer jobs on `sock` until the web process closes it."""
    process_setup.die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    process_setup.limit_address_space(settings.worker_memory_mb)
    # Last of the setup: from here on the system calls a run never needs kill this worker.
    if settings.syscall_filter:
        syscall_filter.install()
    # The collector runs between jobs, not during them: a run keeps thousands of records
    # alive until its result is sent, and an automatic collection in the middle would walk
    # them all (10 ms for a 2,000-op capture) only to find them alive. Once the answer is
    # out, the run's records are gone and a full collection finds only its cyclic garbage
    # (well under 1 ms: the zygote froze everything older).
    gc.disable()
    while True:
        try:
            tag, payload = recv_frame(sock)
        except (EOFError, OSError):
            return
        if tag != TAG_JOB:
            return
        sock.sendall(_answer(payload, jobs, settings, _reporter(sock)))
        gc.collect()


def _encode_within_budget(kind: str, result: dict[str, Any], settings: Settings) -> bytes:
    """The answer's JSON, never longer than limits.result_bytes: a run's result is cut value by
    value (result_budget.fit_result); any other answer that long is refused as a whole."""
    limit = settings.limits.result_bytes
    if kind == "run":
        return fit_result(result, limit, encode_json)
    encoded = encode_json(result)
    if len(encoded) > limit:
        raise AnswerTooLarge(f"the {kind} answer is {len(encoded):,} bytes")
    return encoded


class AnswerTooLarge(Exception):
    """A non-run answer longer than limits.result_bytes (a bug of ours: checks are bounded)."""


def _reporter(sock: socket.socket) -> Callable[[dict[str, Any]], None]:
    """A job's way to tell the web process which phase it is in (see framing.TAG_PROGRESS)."""

    def report(progress: dict[str, Any]) -> None:
        try:
            payload = encode_json(progress)
        except ValueError:
            # Only the phase then: blame must not depend on the details being encodable.
            payload = encode_json({"phase": progress.get("phase")})
        sock.sendall(encode_frame(TAG_PROGRESS, payload))

    return report


def _answer(
    payload: bytes,
    jobs: ModuleType,
    settings: Settings,
    report: Callable[[dict[str, Any]], None],
) -> bytes:
    try:
        job = json.loads(payload)
        result = jobs.handle(job["kind"], job["request"], settings.limits, report)
        summary = encode_frame(TAG_SUMMARY, encode_json(outcome_of(job["kind"], result)))
        body = _encode_within_budget(job["kind"], result, settings)
        return summary + encode_frame(TAG_RESULT, body)
    except Exception as error:  # the core must never raise; if it does, fail this run only
        if not isinstance(error, MemoryError):
            print(f"worker {os.getpid()}: job failed: {error!r}", file=sys.stderr)
        # The heap may be in any state now: answer, and ask to be replaced.
        failure = {**job_error(error).as_dict(), "retire": True}
    return encode_frame(TAG_FAILURE, encode_json(failure))
