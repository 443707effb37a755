"""POST /api/v1/run: run a program in a warm worker process."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.answers import AnswerMemoryDep, HeldAnswer, reserved
from app.api.deps import PoolDep, SettingsDep
from app.api.problems import PROBLEM_RESPONSES, PayloadTooLarge
from app.api.strict_body import StrictJSONRoute
from app.config import Settings
from app.schemas import RunRequest, RunResult
from app.workers.failures import failed_run_result
from app.workers.framing import encode_json

router = APIRouter(prefix="/api/v1", tags=["run"], route_class=StrictJSONRoute)


def check_source_size(source: str, settings: Settings) -> None:
    """Refuse a program over `limits.source_bytes` with 413 (shared with /check and /batch)."""
    size = len(source.encode("utf-8"))
    if size > settings.limits.source_bytes:
        raise PayloadTooLarge(
            f"The program is {size} bytes; at most {settings.limits.source_bytes} are accepted."
        )


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
