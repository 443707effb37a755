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

CRASH_MARKER = "# crash this worker"
SLEEP_MARKER = "# sleep one second"


def prepare(limits: Limits) -> dict[str, Any]:
    """As the real module."""
    return jobs.prepare(limits)


def handle(kind: str, request: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """Run the job for real, after doing what a marker in its source asks for."""
    if CRASH_MARKER in request["source"]:
        os.kill(os.getpid(), signal.SIGKILL)
    if SLEEP_MARKER in request["source"]:
        time.sleep(1.0)
    return jobs.handle(kind, request, limits)
