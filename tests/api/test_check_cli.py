"""`autograd-playground check SPEC.json` prints exactly what POST /api/v1/check answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.unit.grading.oracle import value_of

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """\
import torch
x = torch.ones(3, requires_grad=True)
y = (x * x * 2).sum()
y.backward()
print(x.grad)
"""


def offline_check(
    tmp_path: Path, spec: dict[str, Any], *options: str
) -> subprocess.CompletedProcess[bytes]:
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "check", str(spec_path), *options],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("source", "result_format", "exit_status"),
    [
        (PROGRAM, "json", 0),
        (PROGRAM.replace("* 2", "* 3"), "gradescope", 0),
        (PROGRAM.replace("y.backward()", "y.backward(\n"), "prairielearn", 1),
    ],
    ids=["json", "gradescope-wrong-answer", "prairielearn-syntax-error"],
)
def test_offline_output_is_the_apis(
    client: httpx.Client, tmp_path: Path, source: str, result_format: str, exit_status: int
) -> None:
    spec = {
        "source": source,
        "seed": 2,
        "checks": [
            {"expr": "x.grad", "expected": value_of(PROGRAM, "x.grad"), "points": 2},
            {"expr": "y.grad_fn.name()", "expected": value_of(PROGRAM, "y.grad_fn.name()")},
        ],
    }
    response = client.post("/api/v1/check", json=spec, params={"format": result_format})
    assert response.status_code == 200, response.text
    offline = offline_check(tmp_path, spec, "--format", result_format)
    assert offline.returncode == exit_status, offline.stderr.decode()
    assert offline.stdout == response.content + b"\n"


def test_a_bad_spec_exits_2_with_a_reason(tmp_path: Path) -> None:
    offline = offline_check(tmp_path, {"source": PROGRAM, "checks": [{"expr": "x.grad"}]})
    assert offline.returncode == 2
    assert b"reference" in offline.stderr
    assert offline.stdout == b""


def test_a_spec_holding_a_nan_exits_2_with_a_reason(tmp_path: Path) -> None:
    # Python's json.dumps writes NaN; as a request body it is a 422, offline a bad spec.
    spec = {"source": PROGRAM, "checks": [{"expr": "x.grad", "expected": float("nan")}]}
    offline = offline_check(tmp_path, spec)
    assert offline.returncode == 2, offline.stderr.decode()
    assert b"finite" in offline.stderr
    assert offline.stdout == b""


def test_a_broken_reference_exits_3_not_1(tmp_path: Path) -> None:
    spec = {
        "source": PROGRAM,
        "reference": PROGRAM.replace("y.backward()", "y.backward()\nundefined_name"),
        "checks": [{"expr": "x.grad"}],
    }
    offline = offline_check(tmp_path, spec)
    assert offline.returncode == 3, offline.stderr.decode()
    assert json.loads(offline.stdout)["grader_error"]["type"] == "NameError"
