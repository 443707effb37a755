"""run_checks in-process (as a worker runs it): real sandbox, real torch as the oracle."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch

from app.grading import run_checks
from app.sandbox.limits import Limits
from tests.unit.grading.oracle import value_of

PROGRAM = """\
import torch
w = torch.randn(3, requires_grad=True)
h = torch.tanh(w * 2)
loss = (h * h).sum()
loss.backward()
"""


def grade(**request: Any) -> dict[str, Any]:
    return run_checks(request, Limits())


def test_values_come_from_the_sandbox_and_match_cpython() -> None:
    result = grade(
        source=PROGRAM,
        seed=3,
        checks=[
            {"expr": "w.grad", "expected": value_of(PROGRAM, "w.grad", 3)},
            {"expr": "h.grad_fn.name()", "expected": value_of(PROGRAM, "h.grad_fn.name()", 3)},
            {"expr": "loss.item()", "expected": value_of(PROGRAM, "loss.item()", 3)},
            {"expr": "w.grad.shape", "expected": value_of(PROGRAM, "w.grad.shape", 3)},
        ],
    )
    assert [entry["passed"] for entry in result["results"]] == [True] * 4, result
    assert result["torch_version"] == torch.__version__
    assert result["seed"] == 3


def test_the_same_request_gives_the_same_result() -> None:
    request = {
        "source": PROGRAM,
        "seed": 9,
        "reference": PROGRAM.replace("* 2", "* 2.5"),
        "checks": [{"expr": "w.grad"}, {"expr": "loss", "expected": 0.0}],
    }
    first = json.dumps(run_checks(request, Limits()), allow_nan=False)
    second = json.dumps(run_checks(request, Limits()), allow_nan=False)
    assert first == second


def test_expected_null_means_none_and_absent_means_the_reference() -> None:
    result = grade(
        source=PROGRAM,
        reference=PROGRAM,
        checks=[{"expr": "h.grad", "expected": None}, {"expr": "w.grad"}],
    )
    assert [entry["passed"] for entry in result["results"]] == [True, True]
    assert result["results"][1]["expected"] == value_of(PROGRAM, "w.grad")


def test_a_check_without_anything_to_compare_with_is_the_graders_error() -> None:
    result = grade(source=PROGRAM, checks=[{"expr": "w.grad"}])
    assert result["ok"] is False
    assert result["grader_error"]["source"] == "request"
    assert result["run"]["ok"] is True


def test_checks_see_the_final_state_in_order() -> None:
    # A check may change the state (here: zero the gradient); later checks see the change.
    result = grade(
        source=PROGRAM,
        checks=[
            {"expr": "w.grad.zero_().sum().item()", "expected": 0.0},
            {"expr": "w.grad", "expected": [0.0, 0.0, 0.0]},
        ],
    )
    assert [entry["passed"] for entry in result["results"]] == [True, True]


@pytest.mark.parametrize(
    "expr", ["__import__('os')", "w.__class__", "eval('1')", "torch.save", "().__class__"]
)
def test_escaping_expressions_are_refused_like_programs(expr: str) -> None:
    (entry,) = grade(source=PROGRAM, checks=[{"expr": expr, "expected": None}])["results"]
    assert entry["passed"] is False
    assert entry["error"] is not None
    assert entry["error"]["type"] in ("SandboxViolation", "NameError", "SyntaxError")


def test_a_step_hungry_expression_hits_the_step_limit() -> None:
    request = {
        "source": PROGRAM,
        "checks": [{"expr": "sum([i for i in range(10 ** 6)])", "expected": 0}],
    }
    (entry,) = run_checks(request, Limits(steps=1000))["results"]
    assert entry["error"]["type"] == "LimitExceeded"
