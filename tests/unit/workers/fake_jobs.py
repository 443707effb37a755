"""A jobs module for pool tests: jobs that sleep, crash or report their process, without torch."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from app.sandbox.limits import Limits


def prepare(limits: Limits) -> dict[str, Any]:
    """Report a fake version, as the real module reports torch's."""
    return {"torch_version": "fake", "capabilities": {"fake": True}}


def handle(kind: str, request: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """Do what the job's kind says."""
    if kind == "echo":
        return {"pid": os.getpid(), "request": request}
    if kind == "sleep":
        time.sleep(request["seconds"])
        return {"pid": os.getpid(), "slept": request["seconds"]}
    if kind == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    if kind == "allocate":
        # Past the address-space limit: must fail as MemoryError inside the worker.
        return {"size": len(bytearray(request["megabytes"] * 1024 * 1024))}
    if kind == "syscall":
        # The seccomp tests' trusted hook: a system call made inside the worker (tests only).
        from tests.unit.workers.syscalls import ALLOWED, FORBIDDEN

        action = FORBIDDEN.get(request["name"]) or ALLOWED[request["name"]]
        action()
        return {"pid": os.getpid(), "survived": request["name"]}
    if kind == "raise":
        raise RuntimeError("/secret/server/path should not leak")
    raise ValueError(f"unknown kind {kind}")
