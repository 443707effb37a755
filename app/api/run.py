"""POST /api/v1/run: run a program in a warm worker process.

The route is the documented FastAPI route (OpenAPI, validation, error answers), with one
shortcut (`RunRoute`): a body that is plain valid JSON of a valid `RunRequest` goes straight to
the endpoint, without FastAPI's per-request machinery (content-type parsing, the dependency
solver, the error bookkeeping), which cost the web process more than everything else a run
needs from it. Anything else — another content type, bad JSON, a validation error, a failed
read, dependency overrides — is handed to FastAPI's own handler with the body already read, so
every refusal is exactly FastAPI's. The endpoint, its dependencies and its exceptions are the
same on both paths.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.types import Scope

from app.api.answers import AnswerMemoryDep, HeldAnswer, answer_memory, reserved
from app.api.deps import PoolDep, SettingsDep, get_app_settings, get_pool
from app.api.problems import PROBLEM_RESPONSES, PayloadTooLarge
from app.api.strict_body import StrictJSONRequest, StrictJSONRoute
from app.config import Settings
from app.schemas import RunRequest, RunResult
from app.strict_json import loads_strict
from app.workers.failures import failed_run_result
from app.workers.framing import encode_json

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def check_source_size(source: str, settings: Settings) -> None:
    """Refuse a program over `limits.source_bytes` with 413 (shared with /check and /batch)."""
    size = len(source.encode("utf-8"))
    if size > settings.limits.source_bytes:
        raise PayloadTooLarge(
            f"The program is {size} bytes; at most {settings.limits.source_bytes} are accepted."
        )


class _ReadFailed(StrictJSONRequest):
    """A request whose body could not be read: FastAPI's handler meets the same exception."""

    def __init__(self, request: Request, error: Exception) -> None:
        super().__init__(request.scope, request.receive, request._send)
        self._error = error

    async def body(self) -> bytes:
        raise self._error


def _is_json(scope: Scope) -> bool:
    """Exactly one Content-Type header, `application/json` with or without parameters (what
    FastAPI reads as JSON too; anything less plain is left to FastAPI)."""
    found: bytes | None = None
    for key, value in scope["headers"]:
        if key == b"content-type":
            if found is not None:
                return False
            found = value
    return found is not None and found.partition(b";")[0].strip().lower() == b"application/json"


def _plain_run_request(request: Request, body: bytes) -> RunRequest | None:
    """The body as a RunRequest, validated as FastAPI validates it; None when FastAPI must
    answer (or decide) instead."""
    if not body or not _is_json(request.scope) or request.app.dependency_overrides:
        return None
    if request.scope.get("fastapi.telemetry") is not None:
        return None  # FastAPI's own telemetry records its phases: let it
    try:
        document = loads_strict(body)
        if not isinstance(document, dict):
            return None
        return RunRequest.model_validate(document, from_attributes=True)
    except Exception:
        return None


class RunRoute(StrictJSONRoute):
    """The /run route: the shortcut above in front of FastAPI's strict-JSON handler."""

    def get_route_handler(self) -> Handler:
        documented = APIRoute.get_route_handler(self)

        async def handler(request: Request) -> Response:
            strict = StrictJSONRequest(request.scope, request.receive, request._send)
            try:
                body = await strict.body()
            except Exception as error:
                return await documented(_ReadFailed(strict, error))
            run_request = _plain_run_request(strict, body)
            if run_request is None:
                return await documented(strict)  # the body is cached: read once
            return await run(
                run_request,
                await get_pool(strict),
                await get_app_settings(strict),
                await answer_memory(strict),
            )

        return handler


router = APIRouter(prefix="/api/v1", tags=["run"], route_class=RunRoute)


@router.post("/run", response_model=RunResult, responses=PROBLEM_RESPONSES)
async def run(
    run_request: RunRequest, pool: PoolDep, settings: SettingsDep, memory: AnswerMemoryDep
) -> Response:
    """Run a program and return its variables, graph, timeline and backward passes."""
    check_source_size(run_request.source, settings)
    request = run_request.model_dump(mode="json")

    async def answer() -> bytes:
        outcome = await pool.submit("run", request)
        if outcome.failure is None:
            assert outcome.body is not None
            # The worker's JSON is passed through untouched: no decode/encode here.
            return outcome.body
        result = failed_run_result(
            outcome.failure,
            request,
            settings.limits,
            pool.info.get("torch_version", ""),
            outcome.elapsed_ms,
        )
        return encode_json(result)

    # The answer's memory is reserved before the job and held until it is sent (answers.py).
    body, reservation = await reserved(memory, settings.limits.result_bytes, answer)
    return HeldAnswer([body], [reservation], settings.answer_send_seconds)
