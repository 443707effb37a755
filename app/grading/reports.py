"""A problem's CheckResult as a student, Gradescope, PrairieLearn, JUnit or a CSV sees it.

`app.grading.platforms` formats a bare /check result; this module adds what a problem file knows:
each check's visibility (a hidden check never shows its expected value, nor a message or a
difference that would give it away), its hint (shown when the check fails), the language of the
feedback, and the grader's own failure, which is never dressed up as a student's score.
Torch-free: the web process and the command line both call it.
"""

from __future__ import annotations

import csv
import io
import math
import xml.etree.ElementTree as ElementTree
from typing import Any

from app.grading.feedback import localize, pick
from app.grading.platforms import summary_message
from app.grading.problems import Problem, ProblemCheck

# Run errors that mean "this is not a Python program the playground runs", not a wrong answer.
FORMAT_ERROR_TYPES = ("SyntaxError", "SandboxViolation")


def is_grader_error(result: dict[str, Any]) -> bool:
    """True when the grader, not the student, failed: the submission has no score."""
    return result.get("grader_error") is not None


def grader_error_message(result: dict[str, Any]) -> str:
    """One sentence for course staff about why the grader failed."""
    error = result.get("grader_error") or {}
    line = f" at line {error['line']}" if error.get("line") else ""
    return (
        f"The grader failed, not the student: the {error.get('source', 'grader')} program "
        f"raised {error.get('type')}{line}: {error.get('message')}. Run "
        "`autograd-playground problem validate` on the problem file."
    )


def _check_of(problem: Problem, entry: dict[str, Any], index: int) -> ProblemCheck:
    check = problem.checks[index]
    assert check.name == entry["name"], "results come back in the order of the checks"
    return check


def _hidden_message(entry: dict[str, Any], lang: str) -> str:
    return localize(
        "Hidden check: passed." if entry["passed"] else "Hidden check: not passed.", lang
    )


def _message(entry: dict[str, Any], check: ProblemCheck, lang: str, redact: bool) -> str:
    if redact:
        return _hidden_message(entry, lang)
    message = localize(entry["message"], lang)
    hint = pick(check.hint, lang)
    if hint and not entry["passed"]:
        message += "\n" + localize(f"Hint: {hint}", lang)
    return message


def student_view(
    result: dict[str, Any], problem: Problem, lang: str, *, reveal_hidden: bool = False
) -> dict[str, Any]:
    """The CheckResult in `lang`, each entry with its visibility and, unless a check is not
    visible (and `reveal_hidden` is off), its expected value, difference and hint."""
    entries = []
    for index, entry in enumerate(result["results"]):
        check = _check_of(problem, entry, index)
        redact = check.hidden and not reveal_hidden
        shown = {
            **entry,
            "visibility": check.visibility,
            "message": _message(entry, check, lang, redact),
        }
        if redact:
            shown.update(expected=None, max_abs_diff=None, error=None)
        entries.append(shown)
    return {
        **result,
        "problem": problem.id,
        "lang": lang,
        "results": entries,
        "summary": localize(summary_message(result), lang),
    }


def localize_result(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """A bare /check result with its sentences in `lang` (the values are left as they are)."""
    if lang == "en":
        return result
    entries = [
        {**entry, "message": localize(entry["message"], lang)} for entry in result["results"]
    ]
    return {**result, "results": entries, "lang": lang}


def _score(points: float) -> float:
    # Gradescope and PrairieLearn show these numbers; 0.30000000000000004 helps nobody.
    return round(points, 6) if math.isfinite(points) else 0.0


def _printed(result: dict[str, Any], lang: str) -> str:
    stdout = str(result["run"].get("stdout", ""))
    if not stdout:
        return ""
    return "\n\n" + localize("Your program printed:", lang) + "\n" + stdout


def to_gradescope(
    result: dict[str, Any], problem: Problem, lang: str, execution_time: float
) -> dict[str, Any]:
    """Gradescope's results.json for a graded submission (never for a grader error)."""
    assert not is_grader_error(result), "a grader error has no results.json; fail the run"
    tests = []
    for index, entry in enumerate(result["results"]):
        check = _check_of(problem, entry, index)
        # Gradescope itself hides `hidden` tests from students; the others it shows when their
        # visibility says. A hidden test's text still never carries the expected value.
        redact = check.visibility == "hidden"
        extra: dict[str, Any] = {"actual": entry["actual"], "expr": entry["expr"]}
        if not redact:
            extra.update(expected=entry["expected"], max_abs_diff=entry["max_abs_diff"])
        tests.append(
            {
                "name": check.name,
                "number": str(index + 1),
                "score": _score(entry["points"]),
                "max_score": _score(entry["max_points"]),
                "status": "passed" if entry["passed"] else "failed",
                "output": _message(entry, check, lang, redact),
                "output_format": "text",
                "visibility": check.visibility,
                "tags": [problem.id],
                "extra_data": extra,
            }
        )
    return {
        "score": _score(result["points"]),
        "execution_time": max(0, round(execution_time)),
        "output": localize(summary_message(result), lang) + _printed(result, lang),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        # run_autograder's own stdout is a log for staff, not for students.
        "stdout_visibility": "hidden",
        "extra_data": {
            "problem": problem.id,
            "torch_version": result["torch_version"],
            "seed": result["seed"],
            "lang": lang,
        },
        "tests": tests,
    }


def format_errors(result: dict[str, Any], lang: str) -> list[str]:
    """The sentences that make a submission not gradable (syntax error, refused construct)."""
    error = result["run"].get("error")
    if error is None or error.get("type") not in FORMAT_ERROR_TYPES:
        return []
    line = error.get("line") or 0
    if error["type"] == "SyntaxError":
        text = f"Your code has a syntax error at line {line}: {error['message']}"
    else:
        text = f"Your code uses something the playground does not allow at line {line}: " + str(
            error["message"]
        )
    return [localize(text, lang)]


def to_prairielearn(
    result: dict[str, Any],
    problem: Problem,
    lang: str,
    images: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """PrairieLearn's external grading results.json."""
    if is_grader_error(result):
        # Not gradable: PrairieLearn charges no attempt and shows the message; staff see why.
        return {
            "gradable": False,
            "score": 0.0,
            "message": grader_error_message(result),
            "format_errors": [grader_error_message(result)],
            "output": "",
            "tests": [],
        }
    errors = format_errors(result, lang)
    if errors:
        return {
            "gradable": False,
            "score": 0.0,
            "message": errors[0],
            "format_errors": errors,
            "output": str(result["run"].get("stdout", "")),
            "tests": [],
        }
    tests = []
    for index, entry in enumerate(result["results"]):
        check = _check_of(problem, entry, index)
        redact = check.hidden
        output = "" if redact else _test_output(entry)
        tests.append(
            {
                "name": check.name,
                "description": entry["expr"],
                "points": _score(entry["points"]),
                "max_points": _score(entry["max_points"]),
                "message": _message(entry, check, lang, redact),
                "output": output,
            }
        )
    document: dict[str, Any] = {
        "gradable": True,
        "score": min(1.0, max(0.0, _score(result["score"]))),
        "message": localize(summary_message(result), lang),
        "output": str(result["run"].get("stdout", "")),
        "tests": tests,
    }
    if images:
        document["images"] = images
    return document


def _test_output(entry: dict[str, Any]) -> str:
    lines = [f"actual: {entry['actual']!r}", f"expected: {entry['expected']!r}"]
    if entry.get("max_abs_diff") is not None:
        lines.append(f"max |actual - expected|: {entry['max_abs_diff']}")
    return "\n".join(lines)


def junit_xml(graded: list[tuple[str, dict[str, Any]]], problem: Problem, lang: str) -> str:
    """JUnit XML: one <testsuite> per submission, one <testcase> per check (all revealed:
    this report is for course staff and CI, not for students)."""
    return _junit(graded, problem.id, lang)


def batch_junit(graded: list[tuple[str, dict[str, Any]]]) -> str:
    """JUnit XML of the check items of a batch (named by their ids)."""
    return _junit(graded, "batch", "en")


def _junit(graded: list[tuple[str, dict[str, Any]]], suite_name: str, lang: str) -> str:
    suites = ElementTree.Element("testsuites", name=suite_name)
    for submission, result in graded:
        suite = ElementTree.SubElement(suites, "testsuite", name=submission)
        failures = errors = 0
        if is_grader_error(result):
            errors += 1
            case = ElementTree.SubElement(suite, "testcase", name="grader", classname=submission)
            ElementTree.SubElement(case, "error", message=grader_error_message(result))
        for entry in result["results"]:
            case = ElementTree.SubElement(
                suite, "testcase", name=entry["name"], classname=f"{submission}.{suite_name}"
            )
            if not entry["passed"]:
                failures += 1
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    message=localize(entry["message"], lang),
                    type="skipped" if entry.get("skipped") else "mismatch",
                )
                failure.text = _test_output(entry)
        stdout = ElementTree.SubElement(suite, "system-out")
        stdout.text = str(result["run"].get("stdout", ""))
        total = len(result["results"]) + (1 if is_grader_error(result) else 0)
        suite.set("tests", str(total))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


CSV_COLUMNS = ("submission", "status", "score", "points", "max_points", "passed", "total")


def _csv_row(submission: str, result: dict[str, Any]) -> list[Any]:
    status = "grader_error" if is_grader_error(result) else "graded"
    return [
        submission,
        status,
        "" if status != "graded" else f"{result['score']:.6g}",
        "" if status != "graded" else f"{result['points']:g}",
        f"{result['max_points']:g}",
        result["passed"],
        result["total"],
    ]


def csv_text(
    graded: list[tuple[str, dict[str, Any]]], problem: Problem, seconds: dict[str, float]
) -> str:
    """One row per submission: its status, score, the points of each check and its time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(check.name for check in problem.checks), "seconds"])
    for submission, result in graded:
        writer.writerow(
            [
                *_csv_row(submission, result),
                *(f"{entry['points']:g}" for entry in result["results"]),
                f"{seconds.get(submission, 0.0):.3f}",
            ]
        )
    return out.getvalue()


def batch_csv(graded: list[tuple[str, dict[str, Any]]]) -> str:
    """One row per check item of a batch (items may have different checks: totals only)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for submission, result in graded:
        writer.writerow(_csv_row(submission, result))
    return out.getvalue()
