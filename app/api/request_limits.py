"""ASGI middleware: a per-client rate limit (429).

The request-body cap (413) is Starlette's own (`RequestBodyLimitMiddleware` in `app.main`).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from app.api.client_identity import identity_of
from app.api.problems import PROBLEM_MEDIA_TYPE, problem_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RATE_WINDOW_SECONDS = 60.0


async def send_problem(
    send: Send,
    status: int,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    close: bool = True,
) -> None:
    """Answer with a problem+json document; `close` ends the connection (the body is unread:
    keeping it open is for answers the client will retry at once, on servers that skip the
    unread body, as uvicorn does)."""
    body = problem_body(status, title, detail)
    raw_headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:
        raw_headers.append((b"connection", b"close"))
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """At most `per_minute` API requests per client in any 60-second window.

    The client is `client_identity`'s rule. A browser id splits an address into several
    clients, each with its own bucket, but the address as a whole keeps a bucket of
    `per_minute * ids_per_address`: rotating ids escapes the per-client limit only up to what a
    classroom of that size behind one address may send (see `app/api/client_identity.py`).
    """

    def __init__(
        self, app: ASGIApp, per_minute: int, ids_per_address: int = 1, path_prefix: str = "/api/"
    ) -> None:
        self.app = app
        self.per_minute = per_minute
        self.per_address = per_minute * max(1, ids_per_address)
        self.path_prefix = path_prefix
        self._hits: dict[str, deque[float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        identity = identity_of(scope)
        now = time.monotonic()
        buckets = [(identity.key, self.per_minute)]
        if identity.browser_id is not None:
            buckets.append((f"address {identity.address}", self.per_address))
        for key, limit in buckets:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= RATE_WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= limit:
                retry_after = max(1, int(RATE_WINDOW_SECONDS - (now - hits[0])) + 1)
                await send_problem(
                    send,
                    429,
                    "Too Many Requests",
                    f"At most {self.per_minute} requests per minute are accepted from one client.",
                    {"Retry-After": str(retry_after)},
                )
                return
        for key, _ in buckets:
            self._hits[key].append(now)
        if len(self._hits) > 10_000:
            self._forget_idle_clients(now)
        await self.app(scope, receive, send)

    def _forget_idle_clients(self, now: float) -> None:
        idle = [k for k, h in self._hits.items() if not h or now - h[-1] >= RATE_WINDOW_SECONDS]
        for key in idle:
            del self._hits[key]
