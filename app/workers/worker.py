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
from types import ModuleType

from app.config import Settings
from app.telemetry.events import outcome_of
from app.workers import process_setup, syscall_filter
from app.workers.framing import (
    TAG_FAILURE,
    TAG_JOB,
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
        sock.sendall(_answer(payload, jobs, settings))
        gc.collect()


def _answer(payload: bytes, jobs: ModuleType, settings: Settings) -> bytes:
    try:
        job = json.loads(payload)
        result = jobs.handle(job["kind"], job["request"], settings.limits)
        summary = encode_frame(TAG_SUMMARY, encode_json(outcome_of(job["kind"], result)))
        return summary + encode_frame(TAG_RESULT, encode_json(result))
    except MemoryError:
        # The heap may be in any state now: answer, and ask to be replaced.
        failure = {
            "type": "MemoryError",
            "message": "The program ran out of memory in its worker process.",
            "retire": True,
        }
    except Exception as error:  # the core must never raise; if it does, fail this run only
        print(f"worker {os.getpid()}: job failed: {error!r}", file=sys.stderr)
        failure = {
            "type": "InternalError",
            "message": f"The playground failed while running the program ({type(error).__name__}).",
            "retire": True,
        }
    return encode_frame(TAG_FAILURE, encode_json(failure))
