"""Write the packages a course uploads: a Gradescope autograder zip, a PrairieLearn question.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once to build its image and
`run_autograder` for every submission. The zip carries the problem file and this package's own
source (the `app/` tree that wrote it), so the grader that runs on Gradescope is the one the
course validated. PrairieLearn gets a question folder whose external grader is this package's
container image running `autograd-playground grade-prairielearn`.
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import shutil
import stat
import uuid
import zipfile
from pathlib import Path

from app.grading.problems import Problem

PACKAGE_DIR = Path(__file__).resolve().parents[1]
DISTRIBUTION = "autograd-playground"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROBLEM_FILE = "problem.toml"
DEFAULT_IMAGE = "autograd-playground:latest"
PL_ENTRYPOINT = "autograd-playground grade-prairielearn"
PL_ANSWER_FILE = "answer.py"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder image (Ubuntu base).
# It installs Python >= 3.10, CPU-only torch {torch} and the autograd-playground grader.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip ca-certificates
PYTHON=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  # An older base image: take a newer interpreter from the deadsnakes archive.
  apt-get install -y --no-install-recommends software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update
  apt-get install -y --no-install-recommends python3.11 python3.11-venv
  PYTHON=python3.11
fi
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir --upgrade pip
# torch first, from the CPU-only index: PyPI's default build pulls gigabytes of CUDA.
/autograder/venv/bin/pip install --no-cache-dir "torch=={torch}" --index-url {index}
/autograder/venv/bin/pip install --no-cache-dir -r /autograder/source/requirements.txt
# The grader imports and knows its version: a broken install fails here, not per submission.
PYTHONPATH=/autograder/source /autograder/venv/bin/python -m app.cli --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade submission/*.py into results/results.json.
# AUTOGRADER_ROOT replaces /autograder (tests run it in a temporary folder); AUTOGRADER_PYTHON
# replaces the interpreter setup.sh installed. A grader error exits non-zero on purpose, so that
# Gradescope reports a failed autograder to staff instead of posting a score.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
export AUTOGRADER_ROOT="$ROOT"
export PYTHONPATH="$ROOT/source${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$ROOT/results"
exec "$PYTHON" -m app.cli grade-gradescope
"""


def _requirements() -> list[str]:
    """The package's runtime dependencies as its metadata declares them (ranges, not the
    development pins, so that pip picks versions for the interpreter Gradescope has)."""
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        declared = []
    return [line for line in declared if "extra ==" not in line]


def _torch_pin(requirements: list[str]) -> str:
    for line in requirements:
        if line.replace(" ", "").startswith("torch=="):
            return line.split("==", 1)[1].strip()
    return "2.13.0"


def _package_files() -> list[tuple[Path, str]]:
    files = []
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files.append((path, "app/" + path.relative_to(PACKAGE_DIR).as_posix()))
    return files


def _add_text(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def write_gradescope_zip(problem: Problem, problem_text: str, output: Path) -> list[str]:
    """Write autograder.zip (setup.sh, run_autograder, problem.toml, requirements, app/)."""
    requirements = _requirements()
    torch = _torch_pin(requirements)
    names = []
    with zipfile.ZipFile(output, "w") as archive:
        entries = {
            "setup.sh": (SETUP_SH.format(torch=torch, index=TORCH_CPU_INDEX), True),
            "run_autograder": (RUN_AUTOGRADER, True),
            PROBLEM_FILE: (problem_text, False),
            "requirements.txt": ("\n".join(requirements) + "\n", False),
        }
        for name, (text, executable) in entries.items():
            _add_text(archive, name, text, executable)
            names.append(name)
        for path, name in _package_files():
            _add_text(archive, name, path.read_text(encoding="utf-8"))
            names.append(name)
    return names


def question_html(problem: Problem) -> str:
    """PrairieLearn's question.html: the prompt, a code editor with the starter, the results."""
    return f"""<pl-question-panel>
  <h2>{html.escape(problem.title["en"])}</h2>
  <markdown>
{html.escape(problem.prompt["en"].strip())}
  </markdown>
  <details><summary lang="ko">{html.escape(problem.title["ko"])}</summary>
  <markdown>
{html.escape(problem.prompt["ko"].strip())}
  </markdown>
  </details>
</pl-question-panel>

<pl-file-editor file-name="{PL_ANSWER_FILE}" ace-mode="ace/mode/python">
{html.escape(problem.starter.strip())}
</pl-file-editor>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def prairielearn_info(problem: Problem, image: str, timeout: int) -> dict[str, object]:
    """PrairieLearn's info.json of the question (a stable uuid derived from the problem id)."""
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"autograd-playground:{problem.id}")),
        "title": problem.title["en"],
        "topic": "Autograd",
        "tags": ["autograd-playground"],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "entrypoint": PL_ENTRYPOINT,
            "timeout": timeout,
        },
    }


def write_prairielearn_question(
    problem: Problem, problem_text: str, output: Path, image: str, timeout: int
) -> list[str]:
    """Write the question folder: info.json, question.html and tests/problem.toml."""
    output.mkdir(parents=True, exist_ok=True)
    tests = output / "tests"
    if tests.exists():
        shutil.rmtree(tests)
    tests.mkdir()
    info = json.dumps(prairielearn_info(problem, image, timeout), indent=2, ensure_ascii=False)
    (output / "info.json").write_text(info + "\n", encoding="utf-8")
    (output / "question.html").write_text(question_html(problem), encoding="utf-8")
    (tests / PROBLEM_FILE).write_text(problem_text, encoding="utf-8")
    return ["info.json", "question.html", f"tests/{PROBLEM_FILE}"]
