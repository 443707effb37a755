"""/api/v1/problems: the problem files of PLAYGROUND_PROBLEMS_DIR, and grading against them.

A problem's reference program and the expected values of its hidden checks stay on the server:
the listing shows what a student may see, and a submission is graded by id. Files are re-read
when they change (a course edits a problem between terms without a restart).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import PoolDep, SettingsDep
from app.api.problems import PROBLEM_RESPONSES, problem_response
from app.api.run import check_source_size
from app.api.strict_body import StrictJSONRoute
from app.config import Settings
from app.grading.feedback import choose_lang
from app.grading.problems import Problem, ProblemFileError, load_problem_dir
from app.grading.reports import junit_xml, student_view, to_gradescope, to_prairielearn
from app.grading.submit import check_on_pool
from app.workers.framing import encode_json

router = APIRouter(prefix="/api/v1", tags=["problems"], route_class=StrictJSONRoute)

# (directory, its *.toml files with mtimes) -> the problems they held.
_cache: dict[str, tuple[tuple[tuple[str, int], ...], dict[str, Problem]]] = {}


class ProblemCheckRequest(BaseModel):
    """A student's program for a stored problem."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="The student's program.")
    lang: Literal["en", "ko"] | None = Field(
        None, description="Feedback language (default: Accept-Language, then the problem's)."
    )


ProblemFormat = Literal["json", "gradescope", "prairielearn", "junit"]


class ProblemsUnavailable(Exception):
    """No problems folder is configured, or a file in it is broken."""


def stored_problems(settings: Settings) -> dict[str, Problem]:
    """The problems of the configured folder (cached until a file changes)."""
    directory = settings.problems_dir
    if directory is None:
        return {}
    files = tuple(
        (path.name, path.stat().st_mtime_ns) for path in sorted(Path(directory).glob("*.toml"))
    )
    cached = _cache.get(str(directory))
    if cached is not None and cached[0] == files:
        return cached[1]
    problems = load_problem_dir(Path(directory))
    _cache[str(directory)] = (files, problems)
    return problems


def _problems_or_503(settings: Settings) -> dict[str, Problem] | Response:
    try:
        return stored_problems(settings)
    except ProblemFileError as error:
        return problem_response(503, "Service Unavailable", f"A problem file is broken: {error}")


def _problem(settings: Settings, problem_id: str) -> Problem | Response:
    problems = _problems_or_503(settings)
    if isinstance(problems, Response):
        return problems
    if problem_id not in problems:
        raise HTTPException(404, f"There is no problem with the id {problem_id!r}.")
    return problems[problem_id]


@router.get("/problems", responses=PROBLEM_RESPONSES)
async def list_problems(settings: SettingsDep) -> Response:
    """List the stored problems: prompt, starter and visible checks, never the reference."""
    problems = _problems_or_503(settings)
    if isinstance(problems, Response):
        return problems
    body = [problem.public() for problem in problems.values()]
    return Response(encode_json({"problems": body}), media_type="application/json")


@router.get("/problems/{problem_id}", responses={**PROBLEM_RESPONSES, 404: {}})
async def get_problem(problem_id: str, settings: SettingsDep) -> Response:
    """One stored problem as a student may see it."""
    problem = _problem(settings, problem_id)
    if isinstance(problem, Response):
        return problem
    return Response(encode_json(problem.public()), media_type="application/json")


def render(result: dict[str, Any], problem: Problem, lang: str, result_format: str) -> Response:
    """A problem's CheckResult in the asked format (hidden checks stay hidden in every one)."""
    if result_format == "junit":
        # Localized (and redacted) first; JUnit then keeps the sentences as they are.
        text = junit_xml([("submission", student_view(result, problem, lang))], problem, "en")
        return Response(text, media_type="application/xml")
    if result_format == "gradescope" and result.get("grader_error") is None:
        document = to_gradescope(result, problem, lang, 0.0)
    elif result_format == "prairielearn":
        document = to_prairielearn(result, problem, lang)
    else:
        document = student_view(result, problem, lang)
    return Response(encode_json(document), media_type="application/json")


@router.post("/problems/{problem_id}/check", responses={**PROBLEM_RESPONSES, 404: {}})
async def check_problem(
    problem_id: str,
    check_request: ProblemCheckRequest,
    pool: PoolDep,
    settings: SettingsDep,
    accept_language: Annotated[str | None, Header()] = None,
    result_format: Annotated[
        ProblemFormat,
        Query(alias="format", description="json, gradescope, prairielearn or junit."),
    ] = "json",
) -> Response:
    """Grade a program against a stored problem; the reference never leaves the server."""
    problem = _problem(settings, problem_id)
    if isinstance(problem, Response):
        return problem
    check_source_size(check_request.source, settings)
    lang = choose_lang(check_request.lang, accept_language, problem.lang)
    body = await check_on_pool(pool, problem.check_job(check_request.source), programs=2)
    return render(json.loads(body), problem, lang, result_format)
