"""A CheckResult in the results formats of Gradescope and PrairieLearn.

Gradescope: `results.json` of an autograder (top-level `score` in points, `tests` with `name`,
`score`, `max_score`, `status`, `output`). PrairieLearn: an external grader's results (`gradable`,
`score` in [0, 1], `message`, `tests` with `points`/`max_points`). Torch-free: platform formatting
happens in the web process.
"""

from __future__ import annotations

from typing import Any


def summary_message(result: dict[str, Any]) -> str:
    """One sentence about the whole submission: who failed, or how many checks passed."""
    grader_error = result.get("grader_error")
    if grader_error is not None:
        return (
            f"The grader could not grade this submission: its {grader_error.get('source')} "
            f"failed with {grader_error.get('type')}: {grader_error.get('message')}"
        )
    error = result["run"]["error"]
    if error is not None:
        line = f" at line {error['line']}" if error.get("line") else ""
        return f"Your program stopped{line} with {error['type']}: {error['message']}"
    return (
        f"{result['passed']} of {result['total']} checks passed "
        f"({_points(result['points'])} of {_points(result['max_points'])} points)."
    )


def _points(value: float) -> str:
    return f"{value:g}"


def _determinism(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "api_version": result["api_version"],
        "torch_version": result["torch_version"],
        "seed": result["seed"],
        "ok": result["ok"],
    }


def to_gradescope(result: dict[str, Any]) -> dict[str, Any]:
    """Gradescope's results.json: the submission's points and one test per check."""
    tests = [
        {
            "name": entry["name"],
            "score": entry["points"],
            "max_score": entry["max_points"],
            "status": "passed" if entry["passed"] else "failed",
            "output": entry["message"],
        }
        for entry in result["results"]
    ]
    output = summary_message(result)
    stdout = result["run"].get("stdout", "")
    if stdout:
        output += "\n\nYour program printed:\n" + stdout
    return {
        "score": result["points"],
        "output": output,
        "tests": tests,
        "extra_data": _determinism(result),
    }


def to_prairielearn(result: dict[str, Any]) -> dict[str, Any]:
    """PrairieLearn's external-grader results: a score in [0, 1] and one test per check."""
    tests = [
        {
            "name": entry["name"],
            "description": entry["expr"],
            "points": entry["points"],
            "max_points": entry["max_points"],
            "message": entry["message"],
        }
        for entry in result["results"]
    ]
    return {
        # A broken reference is the grader's failure: PrairieLearn then does not charge the
        # student an attempt.
        "gradable": result.get("grader_error") is None,
        "score": result["score"],
        "message": summary_message(result),
        "output": result["run"].get("stdout", ""),
        "tests": tests,
        "extra_data": _determinism(result),
    }


def format_check_result(result: dict[str, Any], result_format: str) -> dict[str, Any]:
    """`result` as `?format=` asks: "json" (unchanged), "gradescope" or "prairielearn"."""
    if result_format == "gradescope":
        return to_gradescope(result)
    if result_format == "prairielearn":
        return to_prairielearn(result)
    return result
