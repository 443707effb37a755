"""ASGI middleware: a per-client rate limit (429).

The request-body cap (413) is Starlette's own (`FastAPI(max_body_size=...)` in `app.main`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from app.api.problems import PROBLEM_MEDIA_TYPE, problem_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RATE_WINDOW_SECONDS = 60.0


async def send_problem(
    send: Send, status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    """Answer with a problem+json document."""
    body = problem_body(status, title, detail)
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """At most `per_minute` API requests per client address in any 60-second window."""

    def __init__(self, app: ASGIApp, per_minute: int, path_prefix: str = "/api/") -> None:
        self.app = app
        self.per_minute = per_minute
        self.path_prefix = path_prefix
        self._hits: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        key = client[0] if client else "unknown"
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= RATE_WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self.per_minute:
            retry_after = max(1, int(RATE_WINDOW_SECONDS - (now - hits[0])) + 1)
            await send_problem(
                send,
                429,
                "Too Many Requests",
                f"At most {self.per_minute} requests per minute are accepted from one client.",
                {"Retry-After": str(retry_after)},
            )
            return
        hits.append(now)
        if len(self._hits) > 10_000:
            self._forget_idle_clients(now)
        await self.app(scope, receive, send)

    def _forget_idle_clients(self, now: float) -> None:
        idle = [k for k, h in self._hits.items() if not h or now - h[-1] >= RATE_WINDOW_SECONDS]
        for key in idle:
            del self._hits[key]
