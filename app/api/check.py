"""POST /api/v1/check: grade a program with checks, in a worker, in the format a platform wants."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from app.api.deps import PoolDep, SettingsDep
from app.api.problems import PROBLEM_RESPONSES
from app.api.run import check_source_size
from app.api.strict_body import StrictJSONRoute
from app.config import Settings
from app.grading.feedback import choose_lang
from app.grading.platforms import format_check_result
from app.grading.reports import localize_result
from app.grading.submit import check_on_pool
from app.schemas_grading import (
    CheckRequest,
    CheckResult,
    GradescopeResults,
    PrairieLearnResults,
    ResultFormat,
)
from app.workers.framing import encode_json

router = APIRouter(prefix="/api/v1", tags=["grading"], route_class=StrictJSONRoute)


def check_sources_size(check_request: CheckRequest, settings: Settings) -> None:
    """Refuse a program or reference over the source cap with 413."""
    check_source_size(check_request.source, settings)
    if check_request.reference is not None:
        check_source_size(check_request.reference, settings)


@router.post(
    "/check",
    # Documents the three answers (the route returns the worker's bytes as they are).
    response_model=CheckResult | GradescopeResults | PrairieLearnResults,
    responses={
        **PROBLEM_RESPONSES,
        200: {
            "description": "The CheckResult, or with `?format=gradescope` Gradescope's "
            "results.json (GradescopeResults), with `?format=prairielearn` PrairieLearn's "
            "grading results (PrairieLearnResults)."
        },
    },
)
async def check(
    check_request: CheckRequest,
    pool: PoolDep,
    settings: SettingsDep,
    result_format: Annotated[
        ResultFormat, Query(alias="format", description="json, gradescope or prairielearn.")
    ] = "json",
    lang: Annotated[
        Literal["en", "ko"] | None,
        Query(description="Feedback language (default: Accept-Language, else English)."),
    ] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Response:
    """Run a program, evaluate each check on its final state and score them."""
    check_sources_size(check_request, settings)
    body = await check_on_pool(pool, check_request.to_job(), check_request.programs)
    feedback_lang = choose_lang(lang, accept_language)
    if feedback_lang != "en":
        # Korean sentences; English answers stay the worker's bytes, untouched.
        body = encode_json(localize_result(json.loads(body), feedback_lang))
    if result_format != "json":
        # Only the platform formats need the result decoded; JSON passes through as the worker
        # wrote it.
        body = encode_json(format_check_result(json.loads(body), result_format))
    return Response(body, media_type="application/json")
