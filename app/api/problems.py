"""HTTP errors as `application/problem+json` (413, 429, 503), shared by routers and middleware."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from app.workers import PoolUnavailable, QueueFull

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 1


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

    async def pool_unavailable(request: Request, error: Exception) -> Response:
        return problem_response(
            503,
            "Service Unavailable",
            "The run workers are not available.",
            {"Retry-After": str(RETRY_AFTER_SECONDS * 5)},
        )

    async def too_large(request: Request, error: Exception) -> Response:
        assert isinstance(error, PayloadTooLarge)
        return problem_response(413, "Content Too Large", error.detail)

    async def invalid_request(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        # FastAPI's own handler echoes the raw body and dies (500) on bytes that are not UTF-8.
        errors = jsonable_encoder(
            error.errors(), custom_encoder={bytes: lambda raw: raw.decode("utf-8", "replace")}
        )
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(QueueFull, queue_full)
    app.add_exception_handler(PoolUnavailable, pool_unavailable)
    app.add_exception_handler(PayloadTooLarge, too_large)


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    413: {"description": "Request body or `source` over the configured cap."},
    429: {"description": "Rate limit hit (when one is configured); carries `Retry-After`."},
    503: {"description": "Run queue full or workers unavailable; carries `Retry-After`."},
}
