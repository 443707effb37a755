"""run_checks: run a student's program (and the reference), evaluate each check, score them.

Runs inside a worker process only. Every check expression is evaluated by the sandbox against
the final state of a program, with the same language and limits as the program itself, so a
check cannot do anything a program could not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.grading.compare import compare_values
from app.grading.scoring import (
    check_entry,
    expected_of,
    program_failed_message,
    reference_failed_message,
    run_summary,
    sentence,
    summarize,
)
from app.grading.values import to_json_value
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


def run_checks(request: dict[str, Any], limits: Limits) -> dict[str, Any]:
    """Grade one CheckRequest (plain data, as validated by the API) and return a CheckResult."""
    checks: list[dict[str, Any]] = request["checks"]
    student = _execute(request, request["source"], limits)
    student_ok = bool(student.result["ok"])
    # Student values are evaluated right after the student's run, before the reference runs.
    actuals = [_evaluate(student, check["expr"]) if student_ok else Evaluated() for check in checks]

    grader_error: dict[str, Any] | None = None
    reference_values: dict[int, Evaluated] = {}
    needs_reference = [i for i, check in enumerate(checks) if "expected" not in check]
    reference_source = request.get("reference")
    if needs_reference and reference_source is None:
        grader_error = {
            "source": "request",
            "type": "ValueError",
            "message": "A check has no expected value and the request has no reference program.",
        }
    elif needs_reference:
        assert reference_source is not None
        reference = _execute(request, reference_source, limits)
        if not reference.result["ok"]:
            grader_error = {"source": "reference", **reference.result["error"]}
        else:
            for index in needs_reference:
                evaluated = _evaluate(reference, checks[index]["expr"])
                reference_values[index] = evaluated
                if evaluated.error is not None and grader_error is None:
                    grader_error = {"source": "reference", "check": index, **evaluated.error}

    results = [
        _grade(
            check,
            actuals[index],
            reference_values.get(index),
            student_error=student.result["error"],
            reference_broken=grader_error is not None and index in needs_reference,
            reference_error=grader_error,
            limits=limits,
        )
        for index, check in enumerate(checks)
    ]
    return summarize(
        results,
        run=run_summary(student.result),
        seed=student.result.get("seed", request.get("seed", 0)),
        torch_version=student.result["torch_version"],
        grader_error=grader_error,
    )


def _grade(
    check: dict[str, Any],
    actual: Evaluated,
    reference_value: Evaluated | None,
    *,
    student_error: dict[str, Any] | None,
    reference_broken: bool,
    reference_error: dict[str, Any] | None,
    limits: Limits,
) -> dict[str, Any]:
    """One check's entry; the order of the cases decides whose fault a failure is."""
    expr = check["expr"]
    expected = expected_of(check)
    if reference_value is not None and reference_value.error is None:
        expected = reference_value.value

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

    if reference_broken and reference_error is not None:
        # The reference (or its value for this check) is missing: not the student's fault.
        return failed(reference_failed_message(reference_error), None)
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
    return check_entry(
        check,
        passed=comparison.passed,
        expected=comparison.expected,
        actual=comparison.actual,
        max_abs_diff=comparison.max_abs_diff,
        message=comparison.message,
    )
