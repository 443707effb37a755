"""The course commands: `problem validate`, `grade`, `bundle`, and the platforms' entry points.

Exit status of every grading command: 0 graded (whatever the score), 2 bad usage or a bad
problem file, 3 the grader failed (the reference fails, misses a check or times out). A
student's crash is a graded submission (0), never a 3.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import get_settings
from app.grading import bundle, reports
from app.grading.feedback import localize
from app.grading.graph_svg import graph_image
from app.grading.problems import Problem, ProblemFileError, load_problem
from app.grading.session import Graded, GraderError, ProblemGrader, pool_settings

EXIT_GRADED = 0
EXIT_USAGE = 2
EXIT_GRADER_ERROR = 3
FORMATS = ("json", "gradescope", "prairielearn", "junit")


def _fail(command: str, message: str, status: int) -> int:
    print(f"autograd-playground {command}: {message}", file=sys.stderr)
    return status


def _load(command: str, path: Path) -> Problem | int:
    try:
        return load_problem(path)
    except ProblemFileError as error:
        return _fail(command, str(error), EXIT_USAGE)


def _version_argument(parser: argparse.ArgumentParser, version: str) -> None:
    parser.add_argument("--version", action="version", version=f"autograd-playground {version}")


def register(
    subcommands: Any, handlers: dict[str, Callable[[argparse.Namespace], int]], version: str
) -> None:
    """Add the course commands to the main parser."""
    problem = subcommands.add_parser("problem", help="Work with problem files.")
    _version_argument(problem, version)
    problem_commands = problem.add_subparsers(dest="problem_command", required=True)
    validate = problem_commands.add_parser(
        "validate",
        help="Run the reference against every check; it must score 100 %%.",
        description="Exit status: 0 valid, 2 the file has a mistake, 3 the reference fails.",
    )
    _version_argument(validate, version)
    validate.add_argument("problem", type=Path, help="The problem file (TOML).")
    handlers["problem"] = validate_command

    grade = subcommands.add_parser(
        "grade",
        help="Grade a submission (or a folder of them) against a problem file.",
        description="Exit status: 0 graded (any score), 2 bad usage or problem file, "
        "3 grader error (the reference fails or times out).",
    )
    _version_argument(grade, version)
    grade.add_argument("problem", type=Path, help="The problem file (TOML).")
    grade.add_argument("submission", type=Path, help="A .py file, or a folder of .py files.")
    grade.add_argument("--format", choices=FORMATS, default="json", help="Result format.")
    grade.add_argument("--output", type=Path, help="Write the result here (default stdout).")
    grade.add_argument("--lang", choices=("en", "ko"), help="Feedback language.")
    grade.add_argument("--csv", type=Path, help="Folder mode: write one row per submission.")
    grade.add_argument("--workers", type=int, help="Worker processes (default: one per core).")
    handlers["grade"] = grade_command

    make = subcommands.add_parser(
        "bundle", help="Package a problem for Gradescope or PrairieLearn."
    )
    _version_argument(make, version)
    platforms = make.add_subparsers(dest="platform", required=True)
    gradescope = platforms.add_parser("gradescope", help="Write an autograder.zip.")
    gradescope.add_argument("problem", type=Path)
    gradescope.add_argument("-o", "--output", type=Path, default=Path("autograder.zip"))
    prairielearn = platforms.add_parser("prairielearn", help="Write a question folder.")
    prairielearn.add_argument("problem", type=Path)
    prairielearn.add_argument("-o", "--output", type=Path, required=True)
    prairielearn.add_argument("--image", default=bundle.DEFAULT_IMAGE, help="Grader image.")
    prairielearn.add_argument("--timeout", type=int, default=60, help="Seconds per job.")
    handlers["bundle"] = bundle_command

    for name, handler, text in (
        ("grade-gradescope", gradescope_command, "Gradescope's run_autograder step."),
        ("grade-prairielearn", prairielearn_command, "PrairieLearn's external grader."),
    ):
        entry = subcommands.add_parser(name, help=text)
        _version_argument(entry, version)
        handlers[name] = handler


# --- problem validate ---------------------------------------------------------------------


def validate_command(args: argparse.Namespace) -> int:
    """Load the file, run the reference against every check and print each check's value."""
    problem = _load("problem validate", args.problem)
    if isinstance(problem, int):
        return problem

    async def validate() -> Graded:
        async with ProblemGrader(problem) as grader:
            return await grader.check_reference()

    try:
        graded = asyncio.run(validate())
    except GraderError as error:
        return _fail("problem validate", str(error), EXIT_GRADER_ERROR)
    for check, entry in zip(problem.checks, graded.result["results"], strict=True):
        print(
            f"ok  {check.name}: {check.expr} = {json.dumps(entry['actual'])} "
            f"({check.points:g} point{'s' if check.points != 1 else ''}, {check.visibility})"
        )
    total = sum(check.points for check in problem.checks)
    print(
        f"{problem.id}: the reference scores 100 % on {len(problem.checks)} checks "
        f"({total:g} points) in {graded.seconds:.2f} s."
    )
    return EXIT_GRADED


# --- grade ----------------------------------------------------------------------------------


def _read_submission(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _render(graded: list[Graded], problem: Problem, fmt: str, lang: str) -> str:
    if fmt == "junit":
        return reports.junit_xml([(g.name, g.result) for g in graded], problem, lang)
    one = graded[0]
    if fmt == "gradescope":
        document = reports.to_gradescope(one.result, problem, lang, one.seconds)
    elif fmt == "prairielearn":
        document = reports.to_prairielearn(one.result, problem, lang)
    else:
        document = reports.student_view(one.result, problem, lang, reveal_hidden=True)
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def grade_command(args: argparse.Namespace) -> int:
    """Grade one file (any format) or a folder (CSV, or JUnit)."""
    problem = _load("grade", args.problem)
    if isinstance(problem, int):
        return problem
    lang = args.lang or problem.lang
    folder = args.submission.is_dir()
    if not folder and not args.submission.is_file():
        return _fail("grade", f"{args.submission}: no such file or folder.", EXIT_USAGE)
    if folder:
        paths = sorted(args.submission.glob("*.py"))
        if not paths:
            return _fail("grade", f"{args.submission}: the folder holds no .py files.", EXIT_USAGE)
        if args.format in ("gradescope", "prairielearn"):
            return _fail("grade", "a folder is graded to --csv or --format junit/json.", EXIT_USAGE)
    elif args.csv is not None:
        return _fail("grade", "--csv needs a folder of submissions.", EXIT_USAGE)
    else:
        paths = [args.submission]
    submissions = [(path.name, _read_submission(path)) for path in paths]
    workers = args.workers if folder else 1
    if workers is not None and workers < 1:
        return _fail("grade", "--workers must be at least 1.", EXIT_USAGE)

    async def grade_all() -> tuple[list[Graded], float, float]:
        async with ProblemGrader(problem, pool_settings(workers)) as grader:
            await grader.check_reference()
            started = time.monotonic()
            graded = await grader.grade_many(submissions)
            return graded, grader.startup_seconds, time.monotonic() - started

    try:
        graded, startup, elapsed = asyncio.run(grade_all())
    except GraderError as error:
        return _fail("grade", str(error), EXIT_GRADER_ERROR)
    broken = [g for g in graded if reports.is_grader_error(g.result)]
    if folder:
        seconds = {g.name: g.seconds for g in graded}
        if args.csv is not None:
            args.csv.write_text(
                reports.csv_text([(g.name, g.result) for g in graded], problem, seconds),
                encoding="utf-8",
            )
        if args.format == "junit" or args.output is not None:
            _write(_render(graded, problem, args.format, lang), args.output)
        print(
            f"graded {len(graded)} submissions in {elapsed:.2f} s "
            f"({elapsed / len(graded):.3f} s each) after {startup:.1f} s of start-up",
            file=sys.stderr,
        )
    else:
        _write(_render(graded, problem, args.format, lang), args.output)
    for g in broken:
        print(f"{g.name}: {reports.grader_error_message(g.result)}", file=sys.stderr)
    return EXIT_GRADER_ERROR if broken else EXIT_GRADED


# --- the platforms' entry points --------------------------------------------------------------


def bundle_command(args: argparse.Namespace) -> int:
    """Write the Gradescope zip or the PrairieLearn question folder."""
    problem = _load("bundle", args.problem)
    if isinstance(problem, int):
        return problem
    text = args.problem.read_text(encoding="utf-8")
    if args.platform == "gradescope":
        names = bundle.write_gradescope_zip(problem, text, args.output)
    else:
        names = bundle.write_prairielearn_question(
            problem, text, args.output, args.image, args.timeout
        )
    print(f"wrote {args.output} ({len(names)} files)", file=sys.stderr)
    return EXIT_GRADED


def _one_submission(folder: Path) -> Path | None:
    files = sorted(folder.glob("*.py")) if folder.is_dir() else []
    return files[0] if len(files) == 1 else None


def gradescope_command(args: argparse.Namespace) -> int:
    """Grade $AUTOGRADER_ROOT/submission/*.py into results/results.json."""
    root = get_settings().autograder_root
    problem = _load("grade-gradescope", root / "source" / bundle.PROBLEM_FILE)
    if isinstance(problem, int):
        return problem
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    submission = _one_submission(root / "submission")
    started = time.monotonic()
    if submission is None:
        message = localize("No submission file was found.", problem.lang)
        document = {"score": 0.0, "output": message + " (one .py file)", "output_format": "text"}
        results.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return EXIT_GRADED

    async def grade() -> Graded:
        async with ProblemGrader(problem) as grader:
            await grader.check_reference()
            return await grader.grade(_read_submission(submission), submission.name)

    try:
        graded = asyncio.run(grade())
    except GraderError as error:
        return _fail("grade-gradescope", f"no score posted: {error}", EXIT_GRADER_ERROR)
    if reports.is_grader_error(graded.result):
        message = reports.grader_error_message(graded.result)
        return _fail("grade-gradescope", f"no score posted: {message}", EXIT_GRADER_ERROR)
    document = reports.to_gradescope(
        graded.result, problem, problem.lang, time.monotonic() - started
    )
    results.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return EXIT_GRADED


def _pl_lang(data: dict[str, Any], default: str) -> str:
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    lang = params.get("lang") if params else None
    return lang if lang in ("en", "ko") else default


def _pl_source(root: Path, data: dict[str, Any]) -> str | None:
    submitted = _one_submission(root / "student")
    if submitted is not None:
        return _read_submission(submitted)
    answers = data.get("submitted_answers") or {}
    for entry in answers.get("_files") or []:
        if str(entry.get("name", "")).endswith(".py"):
            return base64.b64decode(entry.get("contents", "")).decode("utf-8", "replace")
    return None


def prairielearn_command(args: argparse.Namespace) -> int:
    """Read $PL_GRADE_ROOT/data/data.json and student/, write results/results.json."""
    root = get_settings().pl_grade_root
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)

    def write(document: dict[str, Any]) -> None:
        results.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")

    try:
        problem = load_problem(root / "tests" / bundle.PROBLEM_FILE)
    except ProblemFileError as error:
        write({"gradable": False, "message": f"Grader error (for staff): {error}"})
        return _fail("grade-prairielearn", str(error), EXIT_USAGE)
    try:
        data = json.loads((root / "data" / "data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    lang = _pl_lang(data, problem.lang)
    source = _pl_source(root, data)
    if source is None:
        message = localize("No submission file was found.", lang)
        write({"gradable": False, "message": message, "format_errors": [message]})
        return EXIT_GRADED

    async def grade() -> tuple[Graded, dict[str, Any] | None]:
        async with ProblemGrader(problem) as grader:
            await grader.check_reference()
            graded = await grader.grade(source)
            graph = await grader.graph(source) if graded.result["run"]["ok"] else None
            return graded, graph

    try:
        graded, graph = asyncio.run(grade())
    except GraderError as error:
        message = f"Grader error (for staff): {error}"
        write({"gradable": False, "message": message, "format_errors": [message]})
        return _fail("grade-prairielearn", str(error), EXIT_GRADER_ERROR)
    images = [graph_image(graph, "Autograd graph")] if graph and graph.get("nodes") else None
    write(reports.to_prairielearn(graded.result, problem, lang, images))
    return EXIT_GRADER_ERROR if reports.is_grader_error(graded.result) else EXIT_GRADED
