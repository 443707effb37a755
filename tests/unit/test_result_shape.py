"""app/result.py owns the RunResult and error shapes: every builder of a result agrees with it,
and it agrees with the pydantic schema that documents the contract (app/schemas.py)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pytest
import torch

from app import runner
from app.grading.scoring import failed_check_result
from app.result import (
    API_VERSION,
    HEAVY_PARTS,
    ProgramError,
    failure_error,
    included_parts,
    run_result,
    with_empty_parts,
)
from app.runner import run_program
from app.sandbox.limits import Limits
from app.schemas import ErrorInfo, RunResult
from app.workers.failures import failed_run_result

# Fails before recording anything: what a job that gave no answer is compared with.
FAILING = "undefined\n"
CRASH = {"type": "WorkerCrashed", "message": "The worker running your program crashed."}
INCLUDES: list[list[str] | None] = [None, [], ["graph"], ["timeline", "backward_trace"]]


def _failed(include: list[str] | None) -> dict[str, Any]:
    request: dict[str, Any] = {"source": FAILING, "seed": 3}
    if include is not None:
        request["include"] = include
    return failed_run_result(CRASH, request, Limits(), torch.__version__, 12.5)


def _empty_result() -> dict[str, Any]:
    return run_result(torch_version="2.13.0+cpu", seed=0, error=None, limits=Limits().as_dict())


def test_the_result_keys_are_the_schemas_fields() -> None:
    assert list(_empty_result()) == list(RunResult.model_fields)


def test_the_error_fields_are_the_schemas_fields() -> None:
    fields = [field.name for field in dataclasses.fields(ProgramError)]
    assert fields == list(ErrorInfo.model_fields)
    assert list(ProgramError("TypeError", "m").as_dict()) == fields


def test_a_result_with_nothing_captured_validates_and_says_version_1() -> None:
    result = _empty_result()
    RunResult.model_validate(result)
    assert result["api_version"] == API_VERSION == "1"
    assert result["ok"] is True
    assert all(result[part] is None for part in HEAVY_PARTS)


def test_included_parts_keeps_the_order_of_the_parts() -> None:
    assert included_parts(None) == HEAVY_PARTS
    assert included_parts(["backward_trace", "graph"]) == ("graph", "backward_trace")
    assert included_parts([]) == ()


@pytest.mark.parametrize("include", INCLUDES, ids=repr)
def test_a_failed_job_is_shaped_like_a_failed_run(include: list[str] | None) -> None:
    ran = run_program(FAILING, seed=3, include=include)
    failed = _failed(include)
    assert not ran["ok"] and not failed["ok"]
    assert list(failed) == list(ran)
    for key in (*HEAVY_PARTS, "graph_truncated", "backward_trace_truncated", "jacobian"):
        assert failed[key] == ran[key], key
    assert failed["limits"] == ran["limits"]
    assert failed["seed"] == 3
    assert failed["timing_ms"] == {"total": 12.5}
    assert failed["error"] == {**dict.fromkeys(ErrorInfo.model_fields), **CRASH}
    RunResult.model_validate(failed)


def test_a_failure_carries_its_limit() -> None:
    failed = failed_run_result(
        {"type": "Timeout", "message": "late", "limit": "seconds"}, {}, Limits(), "", 1.0
    )
    assert failed["error"]["limit"] == "seconds"
    assert failed["seed"] == 0


@pytest.mark.parametrize("include", INCLUDES, ids=repr)
def test_an_internal_failure_is_shaped_like_a_failed_run(
    monkeypatch: pytest.MonkeyPatch, include: list[str] | None
) -> None:
    ran = run_program(FAILING, include=include)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(runner, "_encode_variables", broken)
    internal = run_program(FAILING, include=include)
    assert internal["error"]["type"] == "InternalError"
    assert list(internal) == list(ran)
    for part in HEAVY_PARTS:
        assert internal[part] == ran[part], part


def test_the_graders_failure_error_has_the_error_shape() -> None:
    checked = failed_check_result({"checks": [{"expr": "x"}]}, CRASH, "2.13.0+cpu")
    assert checked["api_version"] == API_VERSION
    assert checked["run"]["error"] == failure_error(CRASH).as_dict()
    assert list(checked["run"]["error"]) == list(ErrorInfo.model_fields)


def test_with_empty_parts_leaves_the_others_none() -> None:
    result = with_empty_parts(_empty_result(), ("timeline",))
    assert result["timeline"] == []
    assert result["graph"] is None and result["backward_trace"] is None


def test_the_result_owner_does_not_import_torch() -> None:
    code = "import sys; import app.result, app.workers.failures; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_check_without_expected_or_reference_is_a_request_error_of_the_error_shape() -> None:
    from app.grading.checks import run_checks

    checked = run_checks({"source": "x = 1\n", "checks": [{"expr": "x"}]}, Limits(), lambda _: None)
    grader_error = checked["grader_error"]
    assert grader_error["source"] == "request" and grader_error["type"] == "ValueError"
    assert set(grader_error) == {"source", *ErrorInfo.model_fields}
