"""Per-request context that logs and run events read: the request id and the route."""

from __future__ import annotations

import contextvars
import re
import uuid

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
route: contextvars.ContextVar[str | None] = contextvars.ContextVar("route", default=None)

# What we accept from a trusted proxy's X-Request-ID: what load balancers and tracing systems
# send (UUIDs, hex, base64-ish tokens), never anything that could break a log line or a header.
_VALID_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")


def new_request_id() -> str:
    """A fresh, unguessable id (32 hex digits)."""
    return uuid.uuid4().hex


def accepted_request_id(header: str | None) -> str | None:
    """The incoming X-Request-ID if it is safe to reuse, else None."""
    if header is None:
        return None
    header = header.strip()
    return header if _VALID_ID.fullmatch(header) else None
