"""ASGI gate: refuse a run with 503 + Retry-After before its body is read, when the wait is long.

The policy is `app/workers/admission.py`; this module only applies it to the endpoints that
queue work, as the outermost check after the client is named and rate-limited. A refusal reads
no byte of the body, parses nothing, touches no worker, and keeps the connection open, so a
crowd retrying does not take the CPU the workers need.

A refused request is answered after `hold_seconds`: a client that ignores Retry-After and
retries at once (a script's tight loop, wrk) would otherwise make the web process answer
thousands of 503s a second (measured: 1,900/s from 300 such clients), each cheap but together a
core, and the admitted runs would wait for the event loop. Holding costs a timer; the hold is
taken off the Retry-After sent (never below 1 s), so a polite client waits no longer in all.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from app.api.request_limits import ASGIApp, Receive, Scope, Send, send_problem
from app.workers.admission import Admission

RUN_PATHS = frozenset({"/api/v1/run", "/api/v1/check"})
BATCH_PATH = "/api/v1/batch"


class AdmissionGate:
    """Count the queued endpoints' requests in flight; refuse those that would wait too long."""

    def __init__(
        self,
        app: ASGIApp,
        admission: Callable[[], Admission | None],
        workers: int,
        hold_seconds: float = 0.0,
    ) -> None:
        self.app = app
        self.admission = admission
        self.hold_seconds = hold_seconds
        # A batch keeps up to two items per worker in flight for its whole life (batch.py).
        self.batch_weight = 2 * max(1, workers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        weight = self._weight(scope)
        admission = self.admission() if weight else None
        if admission is None:
            await self.app(scope, receive, send)
            return
        decision = admission.admit(weight)
        if not decision.admitted:
            excess = decision.expected_wait - admission.budget
            if self.hold_seconds > 0:
                await asyncio.sleep(self.hold_seconds)
            retry_after = max(1, math.ceil(excess - self.hold_seconds))
            await send_problem(
                send,
                503,
                "Service Unavailable",
                f"Every worker is busy: a run would wait about {decision.expected_wait:.0f} s, "
                f"more than the {admission.budget:g} s this server queues; retry in "
                f"{retry_after} s.",
                {"Retry-After": str(retry_after)},
                close=False,
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            admission.leave(weight)

    def _weight(self, scope: Scope) -> int:
        if scope["type"] != "http" or scope["method"] != "POST":
            return 0
        path = scope["path"]
        if path in RUN_PATHS:
            return 1
        return self.batch_weight if path == BATCH_PATH else 0
