"""The real jobs module, except that a job whose source asks for it crashes or sleeps first.

For the batch tests: the sandbox offers no way to crash a worker on purpose (this stands in for
an out-of-memory kill), and a sleep shows whether items really run in parallel.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from app.sandbox.limits import Limits
from app.workers import jobs
from app.workers.jobs import Report

CRASH_MARKER = "# crash this worker"
SLEEP_MARKER = "# sleep one second"
# In a check's reference program: the worker dies once it reports that the reference started.
REFERENCE_CRASH_MARKER = "# crash while the reference runs"


def prepare(limits: Limits) -> dict[str, Any]:
    """As the real module."""
    return jobs.prepare(limits)


def handle(
    kind: str, request: dict[str, Any], limits: Limits, report: Report | None = None
) -> dict[str, Any]:
    """Run the job for real, after doing what a marker in its source asks for."""
    if CRASH_MARKER in request["source"]:
        os.kill(os.getpid(), signal.SIGKILL)
    if SLEEP_MARKER in request["source"]:
        time.sleep(1.0)
    if REFERENCE_CRASH_MARKER in (request.get("reference") or ""):
        report = _crash_after(report)
    return jobs.handle(kind, request, limits, report)


def _crash_after(report: Report | None) -> Report:
    def crash(progress: dict[str, Any]) -> None:
        if report is not None:
            report(progress)
        os.kill(os.getpid(), signal.SIGKILL)

    return crash
