"""The 503 for a long wait is decided before the body is read, in the real app's middleware."""

from __future__ import annotations

import asyncio
import json
import time
from types import SimpleNamespace
from typing import Any

from app.config import Settings
from app.main import create_app
from app.workers.admission import Admission


class Body:
    """An ASGI receive() streaming a huge body, counting how much of it was read."""

    def __init__(self, total_bytes: int) -> None:
        self.left = total_bytes
        self.reads = 0

    async def __call__(self) -> dict[str, Any]:
        self.reads += 1
        chunk = min(self.left, 1 << 20)
        self.left -= chunk
        return {"type": "http.request", "body": b"x" * chunk, "more_body": self.left > 0}


class StubPool:
    """Stands in for the worker pool: counts jobs, which a refused request must never reach."""

    def __init__(self, admission: Admission) -> None:
        self.admission = admission
        self.submitted = 0
        self.info: dict[str, Any] = {}

    async def submit(self, kind: str, request: dict[str, Any], programs: int = 1) -> Any:
        self.submitted += 1
        return SimpleNamespace(failure=None, body=b'{"ok": true}', elapsed_ms=1.0)


def call(app: Any, path: str, receive: Any, size: int) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(size).encode()),
        ],
        "client": ("192.0.2.5", 4000),
        "server": ("test", 80),
    }
    answer: dict[str, Any] = {"body": b""}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return answer["status"], answer["headers"], answer["body"]


def app_with(admission: Admission, hold_seconds: float = 0.0) -> tuple[Any, StubPool]:
    settings = Settings(workers=2, queue_refusal_hold_seconds=hold_seconds)
    app = create_app(settings)
    pool = StubPool(admission)
    app.state.pool = pool
    return app, pool


def test_a_huge_body_meets_a_full_queue_503_without_a_byte_read() -> None:
    admission = Admission(workers=2, budget_seconds=10.0, initial_run_seconds=1.0)
    admission.in_flight = 60  # 59 ahead of a newcomer on 2 workers: 29.5 s
    app, pool = app_with(admission)
    # (in_flight + weight - workers) x 1 s / 2 workers - 10 s budget, rounded up; a batch
    # weighs two jobs per worker.
    expected = {"/api/v1/run": 20, "/api/v1/check": 20, "/api/v1/batch": 21}
    for path in expected:
        body = Body(512 * 1024 * 1024)
        status, headers, content = call(app, path, body, 512 * 1024 * 1024)
        assert status == 503, content
        assert body.reads == 0  # not read, so not parsed
        assert headers["content-type"] == "application/problem+json"
        assert "connection" not in headers  # kept open: a retry needs no new connection
        problem = json.loads(content)
        assert problem["status"] == 503
        assert int(headers["retry-after"]) == expected[path]
    assert pool.submitted == 0
    assert admission.in_flight == 60  # refusals take no place


def test_retry_after_grows_with_the_queue() -> None:
    admission = Admission(workers=2, budget_seconds=10.0, initial_run_seconds=1.0)
    app, _ = app_with(admission)
    seen = []
    for in_flight in (30, 60, 120):
        admission.in_flight = in_flight
        status, headers, _ = call(app, "/api/v1/run", Body(100), 100)
        assert status == 503
        seen.append(int(headers["retry-after"]))
    assert seen == [5, 20, 50]  # ceil((in_flight + 1 - 2 workers) x 1 s / 2 workers - 10 s)


def test_refusing_a_crowd_leaves_the_admitted_runs_their_workers() -> None:
    """Past the budget, requests are turned away at the gate: no body read, no parse, no job; the
    admitted run still gets its worker and its answer, and its place is given back."""
    admission = Admission(workers=2, budget_seconds=10.0, initial_run_seconds=1.0)
    app, pool = app_with(admission)
    admission.in_flight = 21  # a newcomer would wait (21 + 1 - 2) x 1 s / 2 = 10 s: admitted
    source = json.dumps({"source": "x = 1"}).encode()

    class Small:
        def __init__(self) -> None:
            self.sent = False

        async def __call__(self) -> dict[str, Any]:
            if self.sent:
                return {"type": "http.disconnect"}
            self.sent = True
            return {"type": "http.request", "body": source, "more_body": False}

    status, _, content = call(app, "/api/v1/run", Small(), len(source))
    assert status == 200, content
    assert pool.submitted == 1
    assert admission.in_flight == 21  # the admitted run left
    admission.in_flight = 22  # the queue grew past the budget
    refused = [call(app, "/api/v1/run", Body(1 << 20), 1 << 20) for _ in range(200)]
    assert {status for status, _, _ in refused} == {503}
    assert pool.submitted == 1
    assert admission.refused == 200
    assert admission.in_flight == 22


def test_a_refusal_is_held_and_its_retry_after_shortened_by_the_hold() -> None:
    admission = Admission(workers=2, budget_seconds=10.0, initial_run_seconds=1.0)
    admission.in_flight = 30  # a newcomer would wait 14.5 s: 4.5 s over the budget
    app, _ = app_with(admission, hold_seconds=0.4)
    started = time.monotonic()
    status, headers, _ = call(app, "/api/v1/run", Body(100), 100)
    assert status == 503
    assert time.monotonic() - started >= 0.4
    assert headers["retry-after"] == "5"  # ceil(4.5 - 0.4)
    admission.in_flight = 22  # 0.5 s over: held 0.4 s all the same, then "retry in 1 s"
    started = time.monotonic()
    status, headers, _ = call(app, "/api/v1/run", Body(100), 100)
    assert 0.4 <= time.monotonic() - started < 1.5
    assert headers["retry-after"] == "1"


def test_other_endpoints_are_not_counted_or_refused() -> None:
    admission = Admission(workers=1, budget_seconds=0.1, initial_run_seconds=100.0)
    admission.in_flight = 50
    app, _ = app_with(admission)
    status, _, _ = call(app, "/api/v1/unknown", Body(10), 10)
    assert status == 404
    assert admission.in_flight == 50
