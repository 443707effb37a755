"""Request context for operators: request ids, the access log, per-route metrics, `/metrics`.

`RequestContext` is the outermost middleware, so it sees every answer — including the 413, 429
and 503 that other middleware gives before a router runs. It gives each request an id (a trusted
proxy's `X-Request-ID`, else a new one), echoes it in the `X-Request-ID` response header and in
every JSON error body, and writes one access-log line per request (never the query string nor
the body: a program's source stays private).
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.telemetry import context
from app.telemetry.logs import ACCESS_LOGGER
from app.telemetry.metrics import PlaygroundMetrics

REQUEST_ID_HEADER = b"x-request-id"
# Error bodies are small; a larger one (a long 422 list) is passed through with the header only.
_MAX_ERROR_BODY = 256 * 1024
_JSON_TYPES = (b"application/json", b"application/problem+json")

access_log = logging.getLogger(ACCESS_LOGGER)
router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus metrics of this replica (text exposition format)."""
    registry = getattr(request.app.state, "metrics", None)
    settings = request.app.state.settings
    if registry is None or not settings.metrics_enabled or settings.metrics_port:
        return Response(status_code=404)
    return Response(generate_latest(registry.registry), media_type=CONTENT_TYPE_LATEST)


def _networks(
    addresses: Iterable[str],
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(address, strict=False) for address in addresses]


class RequestContext:
    """ASGI middleware: request id, access log and request metrics for every HTTP request."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: PlaygroundMetrics | None = None,
        trusted_proxies: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.trusted = _networks(trusted_proxies)

    def _incoming_id(self, scope: Scope) -> str | None:
        peer = scope.get("client")
        if not peer or not self.trusted:
            return None
        try:
            address = ipaddress.ip_address(peer[0])
        except ValueError:
            return None
        if not any(address in network for network in self.trusted):
            return None
        for key, value in scope["headers"]:
            if key == REQUEST_ID_HEADER:
                return context.accepted_request_id(value.decode("latin-1"))
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._incoming_id(scope) or context.new_request_id()
        id_token = context.request_id.set(request_id)
        route_token = context.route.set(scope.get("path"))
        started = time.perf_counter()
        status = 500
        held: dict[str, Any] = {}

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != REQUEST_ID_HEADER]
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
                if status >= 400 and _is_json(headers):
                    held["start"] = message  # the body gets the id too: hold the start
                    held["body"] = bytearray()
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and "start" in held:
                held["body"] += message.get("body", b"")
                if message.get("more_body", False) and len(held["body"]) <= _MAX_ERROR_BODY:
                    return
                start, body = held.pop("start"), bytes(held.pop("body"))
                if not message.get("more_body", False):
                    start, body = _with_request_id(start, body, request_id)
                await send(start)
                await send({**message, "body": body})
                return
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            if self.metrics is not None:
                self.metrics.observe_request(route, scope.get("method", ""), status, elapsed)
            peer = scope.get("client")
            access_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "route": route,
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "peer": peer[0] if peer else None,
                },
            )
            context.route.reset(route_token)
            context.request_id.reset(id_token)


def _route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/run`), never the raw path: bounded labels."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static"
    return "unmatched"


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key == b"content-type":
            return value.split(b";")[0].strip() in _JSON_TYPES
    return False


def _with_request_id(start: Message, body: bytes, request_id: str) -> tuple[Message, bytes]:
    """Add `"request_id"` to a JSON object body (gzip-aware); anything else passes unchanged."""
    headers = list(start.get("headers", []))
    encoding = next((v for k, v in headers if k == b"content-encoding"), None)
    try:
        raw = gzip.decompress(body) if encoding == b"gzip" else body
        document = json.loads(raw) if encoding in (None, b"gzip") else None
    except (OSError, ValueError, EOFError):
        return start, body
    if not isinstance(document, dict):
        return start, body
    document["request_id"] = request_id
    new_body = json.dumps(document, ensure_ascii=False).encode()
    if encoding == b"gzip":
        new_body = gzip.compress(new_body)
    headers = [(k, v) for k, v in headers if k != b"content-length"]
    headers.append((b"content-length", str(len(new_body)).encode()))
    return {**start, "headers": headers}, new_body
