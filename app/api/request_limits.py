"""ASGI middleware: request-body cap (413 before parsing) and a per-client rate limit (429)."""

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

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
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


class BodySizeLimit:
    """Refuse bodies over `max_bytes` with 413, by Content-Length or by counting streamed bytes.

    Bodies are read here in full (they are small by construction) and replayed to the app, so
    an oversized body is refused before any JSON parser sees a byte of it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send, declared)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(send, len(body))
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, size: int) -> None:
        await send_problem(
            send,
            413,
            "Content Too Large",
            f"The request body is at least {size} bytes; at most {self.max_bytes} are accepted.",
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


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
