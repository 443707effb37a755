"""run_checks: run a student's program (and the reference), evaluate each check, score them.

Runs inside a worker process only. Every check expression is evaluated by the sandbox against
the final state of a program, with the same language and limits as the program itself, so a
check cannot do anything a program could not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.grading.compare import compare_values
from app.grading.credit import award_partial_credit, partial_credit
from app.grading.requirements import apply_requirements
from app.grading.scoring import (
    check_entry,
    program_failed_message,
    reference_failed_message,
    run_summary,
    sentence,
    summarize,
)
from app.grading.values import to_json_value
from app.result import ProgramError
from app.runner import Execution, execute_program
from app.sandbox.interpreter import EvaluationError
from app.sandbox.limits import Limits


@dataclass(frozen=True)
class Evaluated:
    """The value of a check expression in one program's final state, or why there is none."""

    value: Any = None
    error: dict[str, Any] | None = None


def _evaluate(execution: Execution, expr: str) -> Evaluated:
    try:
        return Evaluated(value=execution.evaluate(expr))
    except EvaluationError as failed:
        return Evaluated(error=failed.error.as_dict())


def _execute(request: dict[str, Any], source: str, limits: Limits) -> Execution:
    return execute_program(
        source,
        seed=request.get("seed", 0),
        backward=request.get("backward"),
        limits=limits,
    )


def _expression_failed_message(expr: str, error: dict[str, Any]) -> str:
    if error["type"] in ("SandboxViolation", "SyntaxError"):
        return sentence(f"The check expression {expr} was refused: {error['message']}")
    return sentence(
        f"Evaluating {expr} on your program failed with {error['type']}: " + error["message"]
    )


OnReference = Callable[[dict[str, Any]], None]


def run_checks(
    request: dict[str, Any], limits: Limits, on_reference: OnReference | None = None
) -> dict[str, Any]:
    """Grade one CheckRequest (plain data, as validated by the API) and return a CheckResult.

    `on_reference` is called with `{"phase": "reference", "run": <the student's run>}` right
    before the reference program starts: from then on, a worker that is killed or crashes is
    the grader's failure (see `scoring.failed_check_result`).
    """
    checks: list[dict[str, Any]] = request["checks"]
    student = _execute(request, request["source"], limits)
    student_error = student.result["error"]
    # The student's values are taken right after the student's run, before the reference runs.
    actuals = [
        Evaluated() if student_error is not None else _evaluate(student, check["expr"])
        for check in checks
    ]
    if on_reference is not None and _reference_needed(request, checks):
        on_reference({"phase": "reference", "run": run_summary(student.result)})
    expected_values, reference_failures = _reference_values(request, checks, limits)
    results = [
        _grade(
            check,
            actuals[index],
            expected_values.get(index),
            student_error=student_error,
            reference_failure=reference_failures.get(index),
            limits=limits,
        )
        for index, check in enumerate(checks)
    ]
    # Problem files: a check that `requires` a failed one is skipped (points 0, a sentence).
    results = apply_requirements(checks, results)
    # The first failure of the reference is the grader's error of the whole result.
    grader_error = next(iter(reference_failures.values()), None)
    return summarize(
        results,
        run=run_summary(student.result),
        seed=student.result.get("seed", request.get("seed", 0)),
        torch_version=student.result["torch_version"],
        grader_error=grader_error,
    )


def _reference_needed(request: dict[str, Any], checks: list[dict[str, Any]]) -> bool:
    return request.get("reference") is not None and any("expected" not in check for check in checks)


def _reference_values(
    request: dict[str, Any], checks: list[dict[str, Any]], limits: Limits
) -> tuple[dict[int, Any], dict[int, dict[str, Any]]]:
    """Run the reference for the checks without `expected`: (values, failures) by check index."""
    needed = [index for index, check in enumerate(checks) if "expected" not in check]
    if not needed:
        return {}, {}
    source = request.get("reference")
    if source is None:
        refused = ProgramError(
            "ValueError",
            "A check has no expected value and the request has no reference program.",
        )
        # The error shape of every other grader error (app/result.py), blamed on the request.
        missing = {"source": "request", **refused.as_dict()}
        return {}, {index: missing for index in needed}
    reference = _execute(request, source, limits)
    if reference.result["error"] is not None:
        failure = {"source": "reference", **reference.result["error"]}
        return {}, {index: failure for index in needed}
    values: dict[int, Any] = {}
    failures: dict[int, dict[str, Any]] = {}
    for index in needed:
        evaluated = _evaluate(reference, checks[index]["expr"])
        if evaluated.error is None:
            values[index] = evaluated.value
        else:
            failures[index] = {"source": "reference", "check": index, **evaluated.error}
    return values, failures


def _grade(
    check: dict[str, Any],
    actual: Evaluated,
    reference_value: Any,
    *,
    student_error: dict[str, Any] | None,
    reference_failure: dict[str, Any] | None,
    limits: Limits,
) -> dict[str, Any]:
    """One check's entry; the order of the cases decides whose fault a failure is."""
    expr = check["expr"]
    expected = check.get("expected", reference_value)

    def failed(message: str, error: dict[str, Any] | None) -> dict[str, Any]:
        return check_entry(
            check,
            passed=False,
            expected=to_json_value(expected, limits.value_elements),
            actual=to_json_value(actual.value, limits.value_elements),
            max_abs_diff=None,
            message=message,
            error=error,
        )

    if reference_failure is not None:
        # No value to compare with: the grader's fault, whatever the student did.
        return failed(reference_failed_message(reference_failure), None)
    if student_error is not None:
        # run.error carries the error itself; every check just says why it was not checked.
        return failed(program_failed_message(student_error), None)
    if actual.error is not None:
        return failed(_expression_failed_message(expr, actual.error), actual.error)
    comparison = compare_values(
        expr,
        actual.value,
        expected,
        rtol=check.get("rtol"),
        atol=check.get("atol"),
        max_elements=limits.value_elements,
    )
    entry = check_entry(
        check,
        passed=comparison.passed,
        expected=comparison.expected,
        actual=comparison.actual,
        max_abs_diff=comparison.max_abs_diff,
        message=comparison.message,
    )
    if not comparison.passed and check.get("partial") is not None:
        credit = partial_credit(
            check["partial"], actual.value, expected, check.get("rtol"), check.get("atol")
        )
        if credit is not None:
            award_partial_credit(entry, credit)
    return entry
