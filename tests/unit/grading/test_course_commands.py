"""The course commands end to end, each on its own warm pool: `problem validate`, `grade` (one file
and a folder of 50 to CSV), Gradescope's `run_autograder` in a temporary AUTOGRADER_ROOT and
PrairieLearn's `grade-prairielearn` in a temporary PL_GRADE_ROOT, their results validated against
JSON Schemas written from the platforms' specifications (tests/unit/grading/platform_schemas.py).
"""

from __future__ import annotations

import base64
import csv
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest

from app.cli import main
from app.grading.problems import load_problem
from tests.unit.grading.platform_schemas import GRADESCOPE_RESULTS, PRAIRIELEARN_RESULTS

ROOT = Path(__file__).resolve().parents[3]
CHAIN_RULE = ROOT / "problems" / "chain-rule.toml"
PROBLEM = load_problem(CHAIN_RULE)
WRONG = PROBLEM.reference.replace("u ** 2", "u ** 3")
CRASHING = PROBLEM.reference.replace("out.backward()", "out.backward()\nout.backward()")
# A check only the hidden test sees: the sum of u (21 in the reference).
HIDDEN_TEXT = CHAIN_RULE.read_text(encoding="utf-8") + (
    '\n[[checks]]\nname = "secret"\nexpr = "u.sum().item()"\nvisibility = "hidden"\n'
)
HIDDEN_FAILS = PROBLEM.reference.replace("u = 3 * x + 1", "u = 3 * x + 2")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh process, with this checkout first on the path."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PLAYGROUND_WORKERS": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


def broken_problem(tmp_path: Path) -> Path:
    path = tmp_path / "broken.toml"
    text = CHAIN_RULE.read_text(encoding="utf-8").replace("v = u ** 2", "v = u ** 2 + y")
    path.write_text(text, encoding="utf-8")
    return path


def test_version_answers_everywhere() -> None:
    for args in ([], ["grade"], ["problem", "validate"], ["bundle"], ["grade-prairielearn"]):
        with pytest.raises(SystemExit) as done:
            main([*args, "--version"])
        assert done.value.code == 0


def test_problem_validate_prints_each_value_and_exits_zero() -> None:
    done = cli("problem", "validate", str(CHAIN_RULE))
    assert done.returncode == 0, done.stderr
    assert "ok  gradient: x.grad = [8.0, 14.000000953674316, 20.0]" in done.stdout
    assert "scores 100 %" in done.stdout


def test_a_mistake_in_the_file_is_exit_2_and_a_broken_reference_exit_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(CHAIN_RULE.read_text(encoding="utf-8").replace("points = 2", "points = -2"))
    done = cli("problem", "validate", str(bad))
    assert done.returncode == 2 and "'points' must be a number of at least 0" in done.stderr
    done = cli("grade", str(broken_problem(tmp_path)), str(CHAIN_RULE))
    assert done.returncode == 3
    assert "The reference program of 'chain-rule' fails at line 5 with NameError" in done.stderr


def test_a_reference_that_times_out_is_a_grader_error_not_a_students_zero(tmp_path: Path) -> None:
    slow = tmp_path / "slow.toml"
    text = CHAIN_RULE.read_text(encoding="utf-8").replace(
        '\nout.backward()\n"""', '\nout.backward()\nwhile True:\n    pass\n"""'
    )
    # Only the reference ends with that line (the starter's is a comment).
    assert text.count("while True") == 1
    slow.write_text(text, encoding="utf-8")
    done = cli(
        "grade",
        str(slow),
        str(CHAIN_RULE),
        env={"PLAYGROUND_LIMITS__SECONDS": "1", "PLAYGROUND_LIMITS__STEPS": "1000000000"},
    )
    assert done.returncode == 3, done.stderr
    assert "fails" in done.stderr and "Timeout" in done.stderr


def test_grading_one_file_in_each_format_exits_zero_whatever_the_score(tmp_path: Path) -> None:
    crash = tmp_path / "crash.py"
    crash.write_text(CRASHING, encoding="utf-8")
    out = tmp_path / "result.json"
    done = cli("grade", str(CHAIN_RULE), str(crash), "--format", "gradescope", "--output", str(out))
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, GRADESCOPE_RESULTS)
    assert document["score"] == 0
    assert "RuntimeError" in document["output"]
    done = cli("grade", str(CHAIN_RULE), str(crash), "--format", "junit", "--lang", "ko")
    assert done.returncode == 0 and "<testsuites" in done.stdout and "검사하지 않음" in done.stdout


def test_a_folder_of_50_submissions_grades_to_csv_on_one_pool(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for number in range(50):
        source = (PROBLEM.reference, WRONG, CRASHING, PROBLEM.starter, "x = (")[number % 5]
        (folder / f"student{number:02d}.py").write_text(source, encoding="utf-8")
    table = tmp_path / "grades.csv"
    done = cli("grade", str(CHAIN_RULE), str(folder), "--csv", str(table), "--workers", "2")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert len(rows) == 50
    assert [row["score"] for row in rows[:5]] == ["1", "0.2", "0", "0", "0"]
    assert {row["status"] for row in rows} == {"graded"}
    print(done.stderr.strip())  # "graded 50 submissions in … s (… s each) after … s of start-up"
    assert "graded 50 submissions" in done.stderr


# --- Gradescope ---------------------------------------------------------------------------------


def autograder(tmp_path: Path, problem_text: str, submission: str | None) -> tuple[int, str, Path]:
    """Bundle, unpack into a fresh AUTOGRADER_ROOT, run run_autograder on one submission."""
    problem_file = tmp_path / "problem.toml"
    problem_file.write_text(problem_text, encoding="utf-8")
    archive = tmp_path / "autograder.zip"
    assert main(["bundle", "gradescope", str(problem_file), "-o", str(archive)]) == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(root / "source")
    (root / "submission").mkdir()
    if submission is not None:
        (root / "submission" / "homework.py").write_text(submission, encoding="utf-8")
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_PYTHON": sys.executable,
        "PLAYGROUND_WORKERS": "1",
        "PYTHONPATH": "",
    }
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stderr, root / "results" / "results.json"


def test_the_bundle_holds_setup_run_autograder_the_problem_and_the_grader(tmp_path: Path) -> None:
    archive = tmp_path / "autograder.zip"
    assert main(["bundle", "gradescope", str(CHAIN_RULE), "-o", str(archive)]) == 0
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
        setup = bundle.read("setup.sh").decode()
        mode = bundle.getinfo("run_autograder").external_attr >> 16
    assert {"setup.sh", "run_autograder", "problem.toml", "app/grading/problems.py"} <= names
    assert "download.pytorch.org/whl/cpu" in setup and "torch==2.13.0" in setup
    assert "sys.version_info < (3, 10)" in setup
    assert mode & 0o111


@pytest.mark.parametrize(
    ("case", "source", "score"),
    [("correct", PROBLEM.reference, 6.0), ("wrong", WRONG, 2.0), ("crashing", CRASHING, 0.0)],
)
def test_run_autograder_writes_valid_results(
    tmp_path: Path, case: str, source: str, score: float
) -> None:
    status, stderr, results = autograder(tmp_path, HIDDEN_TEXT, source)
    assert status == 0, stderr
    document = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(document, GRADESCOPE_RESULTS)
    assert document["score"] == score
    assert document["output_format"] == "text" and document["stdout_visibility"] == "hidden"
    assert all("execution_time" not in test for test in document["tests"])
    if case == "crashing":
        assert "RuntimeError" in document["output"] and "line 8" in document["output"]


def test_run_autograder_never_reveals_a_hidden_checks_expected_value(tmp_path: Path) -> None:
    status, stderr, results = autograder(tmp_path, HIDDEN_TEXT, HIDDEN_FAILS)
    assert status == 0, stderr
    document = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(document, GRADESCOPE_RESULTS)
    secret = document["tests"][-1]
    assert secret["visibility"] == "hidden" and secret["status"] == "failed"
    assert "21" not in json.dumps(secret)  # the reference's u.sum() is 21.0
    assert secret["extra_data"]["actual"] == 24.0
    assert "expected" not in secret["extra_data"]


def test_run_autograder_fails_visibly_on_a_broken_reference(tmp_path: Path) -> None:
    text = broken_problem(tmp_path).read_text(encoding="utf-8")
    status, stderr, results = autograder(tmp_path, text, PROBLEM.reference)
    assert status == 3
    assert "no score posted" in stderr and "NameError" in stderr
    assert not results.exists()


# --- PrairieLearn -------------------------------------------------------------------------------


def prairielearn(tmp_path: Path, problem: Path, answer: str) -> tuple[int, dict[str, object]]:
    question = tmp_path / "question"
    assert main(["bundle", "prairielearn", str(problem), "-o", str(question)]) == 0
    root = tmp_path / "grade"
    (root / "data").mkdir(parents=True)
    (root / "student").mkdir()
    (root / "tests").mkdir()
    (root / "tests" / "problem.toml").write_bytes(
        (question / "tests" / "problem.toml").read_bytes()
    )
    (root / "student" / "answer.py").write_text(answer, encoding="utf-8")
    encoded = base64.b64encode(answer.encode()).decode()
    data = {
        "params": {},
        "submitted_answers": {"_files": [{"name": "answer.py", "contents": encoded}]},
    }
    (root / "data" / "data.json").write_text(json.dumps(data), encoding="utf-8")
    done = cli("grade-prairielearn", env={"PL_GRADE_ROOT": str(root)})
    results = root / "results" / "results.json"
    assert results.stat().st_size < 1_000_000  # PrairieLearn's limit
    document = json.loads(results.read_text(encoding="utf-8"))
    jsonschema.validate(document, PRAIRIELEARN_RESULTS)
    return done.returncode, document


def test_the_question_folder_names_the_image_and_the_entrypoint(tmp_path: Path) -> None:
    assert main(["bundle", "prairielearn", str(CHAIN_RULE), "-o", str(tmp_path / "q")]) == 0
    info = json.loads((tmp_path / "q" / "info.json").read_text(encoding="utf-8"))
    grading = info["externalGradingOptions"]
    assert grading["enabled"] and grading["entrypoint"] == "autograd-playground grade-prairielearn"
    assert info["gradingMethod"] == "External"
    assert "<pl-file-editor" in (tmp_path / "q" / "question.html").read_text(encoding="utf-8")


def test_grade_prairielearn_scores_a_wrong_answer_and_attaches_the_graph(tmp_path: Path) -> None:
    status, document = prairielearn(tmp_path, CHAIN_RULE, WRONG)
    assert status == 0
    assert document["gradable"] is True and 0 < document["score"] < 1
    tests = document["tests"]
    assert isinstance(tests, list) and all("message" in t and "output" in t for t in tests)
    images = document["images"]
    assert isinstance(images, list)
    svg = base64.b64decode(images[0]["url"].split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "PowBackward0" in svg


@pytest.mark.parametrize(
    ("answer", "words"),
    [("x = (\n", "syntax error at line 1"), ("import os\n", "does not allow at line 1")],
)
def test_syntax_errors_and_refusals_are_not_gradable(
    tmp_path: Path, answer: str, words: str
) -> None:
    status, document = prairielearn(tmp_path, CHAIN_RULE, answer)
    assert status == 0
    assert document["gradable"] is False
    assert words in str(document["format_errors"])


def test_a_grader_error_is_not_gradable_with_a_message_for_staff(tmp_path: Path) -> None:
    started = time.monotonic()
    status, document = prairielearn(tmp_path, broken_problem(tmp_path), PROBLEM.reference)
    assert status == 3
    assert document["gradable"] is False
    assert "Grader error (for staff)" in str(document["message"])
    assert time.monotonic() - started < 120
