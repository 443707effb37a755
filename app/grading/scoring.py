"""Assemble a CheckResult: per-check entries, points and score, the failure cases.

Torch-free on purpose: the web process builds the result of a check job whose worker died
(timeout, crash) with `failed_check_result`, and the web process never imports torch.
"""

from __future__ import annotations

import math
from typing import Any

from app.result import API_VERSION, failure_error

DEFAULT_POINTS = 1.0


def check_name(check: dict[str, Any]) -> str:
    """The name a check is reported under: its own, or its expression."""
    name = check.get("name")
    return name if name else str(check["expr"])


def check_points(check: dict[str, Any]) -> float:
    """Points a check is worth (default 1)."""
    points = check.get("points")
    return DEFAULT_POINTS if points is None else float(points)


def check_entry(
    check: dict[str, Any],
    *,
    passed: bool,
    expected: Any,
    actual: Any,
    max_abs_diff: float | str | None,
    message: str,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of `results`: the contract's fields plus the points it earned and an error."""
    worth = check_points(check)
    return {
        "name": check_name(check),
        "expr": check["expr"],
        "passed": passed,
        "points": worth if passed else 0.0,
        "max_points": worth,
        "expected": expected,
        "actual": actual,
        "max_abs_diff": max_abs_diff,
        "message": message,
        "error": error,
    }


def sentence(text: str) -> str:
    """`text` ending with exactly one full stop (messages from torch may or may not have one)."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _where(error: dict[str, Any]) -> str:
    line = error.get("line")
    return f" at line {line}" if line else ""


def program_failed_message(error: dict[str, Any]) -> str:
    """Why a check was not evaluated: the student's program stopped."""
    return sentence(
        f"Not checked: your program stopped{_where(error)} with {error.get('type')}: "
        f"{error.get('message', '')}"
    )


def reference_failed_message(error: dict[str, Any]) -> str:
    """Why a check was not graded: the instructor's reference is broken, not the student."""
    message = str(error.get("message", "")).strip().rstrip(".")
    return (
        f"Not graded: the grader's reference program failed ({error.get('type')}"
        f"{_where(error)}: {message}); this is not a problem with your program."
    )


def expected_of(check: dict[str, Any]) -> Any:
    """The expected value a grader gave, or None when it comes from the reference."""
    return check.get("expected")


def summarize(
    results: list[dict[str, Any]],
    *,
    run: dict[str, Any],
    seed: int,
    torch_version: str,
    grader_error: dict[str, Any] | None,
) -> dict[str, Any]:
    """The whole CheckResult: totals, score in [0, 1], the run and who is at fault if not ok."""
    max_points = math.fsum(entry["max_points"] for entry in results)
    points = math.fsum(entry["points"] for entry in results)
    passed = sum(1 for entry in results if entry["passed"])
    # When every check is worth 0 points the score is all-or-nothing on passing them.
    all_passed = 1.0 if passed == len(results) else 0.0
    score = points / max_points if max_points > 0 else all_passed
    return {
        "api_version": API_VERSION,
        "torch_version": torch_version,
        "seed": seed,
        # ok: the program ran to the end and the grader itself worked; says nothing about
        # whether the answers are right (that is `score`).
        "ok": bool(run["ok"]) and grader_error is None,
        "score": score,
        "points": points,
        "max_points": max_points,
        "passed": passed,
        "total": len(results),
        "results": results,
        "run": run,
        "grader_error": grader_error,
    }


def run_summary(run_result: dict[str, Any]) -> dict[str, Any]:
    """The `run` part of a CheckResult, from a RunResult."""
    return {
        "ok": run_result["ok"],
        "error": run_result["error"],
        "stdout": run_result.get("stdout", ""),
        "stdout_truncated": run_result.get("stdout_truncated", False),
        "warnings": run_result.get("warnings", []),
    }


def failed_check_result(
    request: dict[str, Any],
    failure: dict[str, Any],
    torch_version: str,
    progress: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The CheckResult of a check job whose worker gave no answer (deadline passed, crash).

    Blame follows the job's last reported phase (`progress`, see `app.workers.jobs.handle`):
    once the reference program had started, the student's program had run to the end, so a
    kill or crash from then on is the grader's error (`grader_error`, PrairieLearn
    `gradable: false`), never "your program stopped".
    """
    error = failure_error(failure).as_dict()
    grader_error: dict[str, Any] | None = None
    if progress is not None and progress.get("phase") == "reference":
        grader_error = {"source": "reference", **error}
        message = reference_failed_message(error)
        run = _reported_run(progress.get("run"))
    else:
        message = program_failed_message(error)
        run = {"ok": False, "error": error, "stdout": "", "stdout_truncated": False, "warnings": []}
    results = [
        check_entry(
            check,
            passed=False,
            expected=expected_of(check),
            actual=None,
            max_abs_diff=None,
            message=message,
        )
        for check in request["checks"]
    ]
    return summarize(
        results,
        run=run,
        seed=request.get("seed", 0),
        torch_version=torch_version,
        grader_error=grader_error,
    )


def _reported_run(run: Any) -> dict[str, Any]:
    """The student's run as the worker reported it before the reference started."""
    reported = run if isinstance(run, dict) else {}
    return {
        "ok": bool(reported.get("ok", True)),
        "error": reported.get("error"),
        "stdout": str(reported.get("stdout", "")),
        "stdout_truncated": bool(reported.get("stdout_truncated", False)),
        "warnings": list(reported.get("warnings") or []),
    }
