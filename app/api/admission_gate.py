"""ASGI gate: refuse a run with 503 + Retry-After before its body is read, when the wait is long.

The policy is `app/workers/admission.py`; this module only applies it to the endpoints that
queue work, as the outermost check after the client is named and rate-limited. A refusal reads
no byte of the body, parses nothing, touches no worker, and keeps the connection open, so a
crowd retrying does not take the CPU the workers need.
"""

from __future__ import annotations

from collections.abc import Callable

from app.api.request_limits import ASGIApp, Receive, Scope, Send, send_problem
from app.workers.admission import Admission

RUN_PATHS = frozenset({"/api/v1/run", "/api/v1/check"})
BATCH_PATH = "/api/v1/batch"


class AdmissionGate:
    """Count the queued endpoints' requests in flight; refuse those that would wait too long."""

    def __init__(self, app: ASGIApp, admission: Callable[[], Admission | None], workers: int):
        self.app = app
        self.admission = admission
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
            await send_problem(
                send,
                503,
                "Service Unavailable",
                f"Every worker is busy: a run would wait about {decision.expected_wait:.0f} s, "
                f"more than the {admission.budget:g} s this server queues; retry in "
                f"{decision.retry_after} s.",
                {"Retry-After": str(decision.retry_after)},
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
