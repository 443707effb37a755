"""Scores, totals and the failure results built without a worker (torch-free parts)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import Any

import pytest

from app.grading.platforms import format_check_result, to_gradescope, to_prairielearn
from app.grading.scoring import check_entry, failed_check_result, summarize

RUN_OK: dict[str, Any] = {
    "ok": True,
    "error": None,
    "stdout": "hello\n",
    "stdout_truncated": False,
    "warnings": [],
}


def graded(passes: list[bool], points: list[float | None]) -> dict[str, Any]:
    checks = [
        {"expr": f"v{i}", "expected": 1} | ({} if p is None else {"points": p})
        for i, p in enumerate(points)
    ]
    results = [
        check_entry(
            check,
            passed=passed,
            expected=1,
            actual=1 if passed else 2,
            max_abs_diff=0.0,
            message="m",
        )
        for check, passed in zip(checks, passes, strict=True)
    ]
    return summarize(results, run=RUN_OK, seed=7, torch_version="t", grader_error=None)


@pytest.mark.parametrize(
    ("passes", "points"),
    [
        ([True, False, True], [None, None, None]),
        ([True, False], [3.0, 1.0]),
        ([False, True, True], [0.5, 0.25, 0.25]),
        ([True, True], [2.0, 2.0]),
        ([False], [1.0]),
    ],
)
def test_points_and_score(passes: list[bool], points: list[float | None]) -> None:
    result = graded(passes, points)
    worth = [1.0 if p is None else p for p in points]
    earned = [w for w, passed in zip(worth, passes, strict=True) if passed]
    assert result["max_points"] == pytest.approx(sum(worth))
    assert result["points"] == pytest.approx(sum(earned))
    assert result["score"] == pytest.approx(sum(earned) / sum(worth))
    assert 0.0 <= result["score"] <= 1.0
    assert result["passed"] == sum(passes)
    assert result["total"] == len(passes)
    assert result["ok"] is True
    assert result["seed"] == 7


def test_checks_worth_nothing_score_all_or_nothing() -> None:
    assert graded([True, True], [0.0, 0.0])["score"] == 1.0
    assert graded([True, False], [0.0, 0.0])["score"] == 0.0


def test_dead_worker_fails_every_check_as_the_programs_failure() -> None:
    request = {
        "source": "while True: pass",
        "seed": 3,
        "checks": [{"expr": "x", "expected": [1.0]}, {"expr": "y", "expected": None}],
    }
    failure = {
        "type": "Timeout",
        "message": "The program ran longer than 5 seconds.",
        "limit": "seconds",
    }
    result = failed_check_result(request, failure, "2.13.0+cpu")
    assert result["ok"] is False
    assert result["run"]["error"]["type"] == "Timeout"
    assert result["run"]["error"]["limit"] == "seconds"
    assert result["grader_error"] is None
    assert result["score"] == 0.0
    assert result["seed"] == 3
    assert [entry["expected"] for entry in result["results"]] == [[1.0], None]
    for entry in result["results"]:
        assert not entry["passed"]
        assert "Timeout" in entry["message"]
        assert entry["message"].count(".") >= 1 and not entry["message"].endswith("..")
    json.dumps(result, allow_nan=False)


def test_dead_worker_during_the_reference_is_the_graders_error() -> None:
    # Issue 13: the watchdog killed the worker while the *reference* ran; the student read
    # "Your program stopped with Timeout" and PrairieLearn got gradable: true, score 0.
    request = {
        "source": "x = 1",
        "reference": "while True: pass",
        "checks": [{"expr": "x"}, {"expr": "x", "expected": 1}],
    }
    failure = {
        "type": "Timeout",
        "message": "The program ran longer than 5 seconds.",
        "limit": "seconds",
    }
    student_run = {
        "ok": True,
        "error": None,
        "stdout": "hello\n",
        "stdout_truncated": False,
        "warnings": [],
    }
    progress = {"phase": "reference", "run": student_run}
    result = failed_check_result(request, failure, "2.13.0+cpu", progress)
    assert result["ok"] is False
    assert result["grader_error"]["source"] == "reference"
    assert result["grader_error"]["type"] == "Timeout"
    assert result["run"] == student_run
    for entry in result["results"]:
        assert not entry["passed"]
        assert entry["message"].startswith("Not graded: the grader's reference program failed")
        assert "not a problem with your program" in entry["message"]
    prairielearn = to_prairielearn(result)
    assert prairielearn["gradable"] is False
    assert "Your program" not in prairielearn["message"]
    assert prairielearn["message"].startswith("The grader could not grade this submission")
    json.dumps(result, allow_nan=False)


def test_a_progress_report_of_another_phase_keeps_the_blame_on_the_program() -> None:
    request = {"source": "x = 1", "checks": [{"expr": "x", "expected": 1}]}
    failure = {"type": "WorkerCrashed", "message": "The worker crashed."}
    result = failed_check_result(request, failure, "2.13.0+cpu", {"phase": "program"})
    assert result["grader_error"] is None
    assert result["run"]["error"]["type"] == "WorkerCrashed"
    assert to_prairielearn(result)["gradable"] is True


def test_gradescope_format() -> None:
    result = graded([True, False], [3.0, 1.0])
    gradescope = to_gradescope(result)
    assert gradescope["score"] == result["points"]
    assert math.fsum(test["score"] for test in gradescope["tests"]) == gradescope["score"]
    assert [test["status"] for test in gradescope["tests"]] == ["passed", "failed"]
    assert [test["max_score"] for test in gradescope["tests"]] == [3.0, 1.0]
    for test, entry in zip(gradescope["tests"], result["results"], strict=True):
        assert test["name"] == entry["name"]
        assert test["output"] == entry["message"]
    assert "hello" in gradescope["output"]
    assert gradescope["extra_data"]["seed"] == 7


def test_prairielearn_format() -> None:
    result = graded([True, False, False], [None, None, 2.0])
    prairielearn = to_prairielearn(result)
    assert prairielearn["gradable"] is True
    assert prairielearn["score"] == result["score"]
    assert [t["points"] for t in prairielearn["tests"]] == [1.0, 0.0, 0.0]
    assert [t["max_points"] for t in prairielearn["tests"]] == [1.0, 1.0, 2.0]
    assert "1 of 3 checks passed" in prairielearn["message"]


def test_a_broken_reference_is_not_gradable() -> None:
    result = graded([False], [1.0])
    result["grader_error"] = {"source": "reference", "type": "NameError", "message": "boom"}
    result["ok"] = False
    assert to_prairielearn(result)["gradable"] is False
    assert "grader" in to_gradescope(result)["output"]


def test_json_format_is_the_result_itself() -> None:
    result = graded([True], [1.0])
    assert format_check_result(result, "json") is result


def test_the_web_side_of_the_grader_does_not_import_torch() -> None:
    # The web process formats results and builds failure results; torch stays in the workers.
    code = (
        "import sys; import app.api.check, app.api.batch, app.grading, app.grading.cli; "
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
