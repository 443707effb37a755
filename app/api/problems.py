"""HTTP errors: `application/problem+json` for 413 (a program over its cap), 422 (a job JSON
cannot carry), 429 and 503; FastAPI's validation format for other 422s; Starlette's plain text
for a body over the cap. Shared by routers and middleware.

Every handler here answers whatever the error holds: a handler that raised would turn a clear
4xx/503 into a 500 (a NaN in a refused body once did exactly that).
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.schemas import HTTPValidationError, Problem
from app.workers import JobNotEncodable, PoolUnavailable, QueueFull, QueueTimeout

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 1
# A request that waited this long already: come back a little later than after a full queue.
QUEUE_TIMEOUT_RETRY_AFTER_SECONDS = 5
# Starlette's answer to a request body over RequestBodyLimitMiddleware in `app.main` (text/plain).
BODY_TOO_LARGE = "Content Too Large"
# How deep `_json_safe` follows a validation error's data before it stops copying.
MAX_ERROR_DEPTH = 32

logger = logging.getLogger(__name__)


class PayloadTooLarge(Exception):
    """A request body or program source over its configured cap."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def problem_body(status: int, title: str, detail: str) -> bytes:
    """Serialise a problem document."""
    document = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return json.dumps(document).encode()


def problem_response(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """A problem+json response."""
    return Response(
        problem_body(status, title, detail),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _json_safe(value: Any, depth: int = 0) -> Any:
    """`value` as data `json.dumps(allow_nan=False)` always writes: non-finite floats and
    anything unknown become strings, bytes are decoded, nesting is cut at MAX_ERROR_DEPTH."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if depth >= MAX_ERROR_DEPTH:
        return "…"
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(key): _json_safe(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item, depth + 1) for item in value]
    try:
        return str(value)
    except Exception:
        return type(value).__name__


def validation_error_body(errors: Any) -> bytes:
    """FastAPI's 422 body `{"detail": [...]}` for `errors`, whatever they hold."""
    try:
        # jsonable_encoder first, so that ordinary errors read exactly as FastAPI writes them;
        # FastAPI's own handler echoes the raw body and dies (500) on bytes that are not UTF-8.
        encoded = jsonable_encoder(
            errors, custom_encoder={bytes: lambda raw: raw.decode("utf-8", "replace")}
        )
    except Exception:
        encoded = errors
    try:
        return json.dumps({"detail": _json_safe(encoded)}, allow_nan=False).encode()
    except Exception:
        logger.exception("a validation error could not be encoded")
        return json.dumps({"detail": [{"type": "invalid", "loc": ["body"], "msg": ""}]}).encode()


def install_problem_handlers(app: FastAPI) -> None:
    """Turn pool and size signals into 503 and 413 answers, and bad bodies into 422."""

    async def queue_full(request: Request, error: Exception) -> Response:
        # The admission estimate says when the queue will have room (app/workers/admission.py).
        pool = getattr(request.app.state, "pool", None)
        retry_after = pool.admission.retry_after() if pool is not None else RETRY_AFTER_SECONDS
        return problem_response(
            503,
            "Service Unavailable",
            "Every worker is busy and the run queue is full; retry shortly.",
            {"Retry-After": str(retry_after)},
        )

    async def queue_timeout(request: Request, error: Exception) -> Response:
        waited = error.seconds if isinstance(error, QueueTimeout) else 0.0
        return problem_response(
            503,
            "Service Unavailable",
            f"No worker became free within {waited:g} seconds; retry shortly.",
            {"Retry-After": str(QUEUE_TIMEOUT_RETRY_AFTER_SECONDS)},
        )

    async def pool_unavailable(request: Request, error: Exception) -> Response:
        return problem_response(
            503,
            "Service Unavailable",
            "The run workers are not available.",
            {"Retry-After": str(RETRY_AFTER_SECONDS * 5)},
        )

    async def too_large(request: Request, error: Exception) -> Response:
        detail = error.detail if isinstance(error, PayloadTooLarge) else "Too large."
        return problem_response(413, "Content Too Large", detail)

    async def not_encodable(request: Request, error: Exception) -> Response:
        return problem_response(422, "Unprocessable Content", str(error))

    async def http_error(request: Request, error: Exception) -> Response:
        # Starlette's RequestBodyLimitMiddleware (in `app.main`) answers a body whose
        # Content-Length is over the cap itself, in plain text; a streamed body that passes the
        # cap raises this 413 instead, answered the same way (one format for one refusal).
        if isinstance(error, StarletteHTTPException) and error.status_code == 413:
            return PlainTextResponse(BODY_TOO_LARGE, status_code=413)
        assert isinstance(error, StarletteHTTPException)
        return await http_exception_handler(request, error)

    async def invalid_request(request: Request, error: Exception) -> Response:
        errors = error.errors() if isinstance(error, RequestValidationError) else []
        return Response(
            validation_error_body(errors), status_code=422, media_type="application/json"
        )

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(QueueFull, queue_full)
    app.add_exception_handler(QueueTimeout, queue_timeout)
    app.add_exception_handler(PoolUnavailable, pool_unavailable)
    app.add_exception_handler(PayloadTooLarge, too_large)
    app.add_exception_handler(JobNotEncodable, not_encodable)


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
    }


def _with_retry_after(response: dict[str, Any]) -> dict[str, Any]:
    header = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
    return {**response, "headers": {"Retry-After": header}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {
        "description": "Request body over `max_request_bytes` (Starlette's plain-text answer), "
        "or `source`/`reference` over `limits.source_bytes` (a problem document).",
        "content": {
            "text/plain": {"schema": {"type": "string", "const": BODY_TOO_LARGE}},
            PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()},
        },
    },
    422: {
        "description": "Malformed request: not strict JSON (NaN and Infinity are not JSON), "
        "wrong types, a check without `expected` and no `reference`, a batch too large. "
        "FastAPI's validation format, or a problem document.",
        "model": HTTPValidationError,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
    },
    429: _with_retry_after(_problem("Rate limit hit (when one is configured).")),
    503: _with_retry_after(
        _problem(
            "Run queue full, no worker free within `queue_timeout_seconds`, or workers unavailable."
        )
    ),
}
