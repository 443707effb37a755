"""POST /api/v1/check against a live server with real workers; real torch is the oracle."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import torch

from app.schemas_grading import CheckResult
from tests.unit.grading.oracle import value_of

# The assignment of the README: make x.grad equal to d(mean(3 (x + 2)^2))/dx.
ASSIGNMENT = """\
import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
"""
WRONG_ANSWER = ASSIGNMENT.replace("y * y * 3", "y * y * 2")
RANDOM_PROGRAM = """\
import torch
w = torch.randn(3, requires_grad=True)
loss = (w * w).sum()
loss.backward()
"""


def check(client: httpx.Client, body: dict[str, Any], **params: str) -> dict[str, Any]:
    response = client.post("/api/v1/check", json=body, params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    if not params:
        CheckResult.model_validate(result)
    return result


def test_a_right_answer_scores_full_marks(client: httpx.Client) -> None:
    expected = value_of(ASSIGNMENT, "x.grad")
    result = check(
        client, {"source": ASSIGNMENT, "checks": [{"expr": "x.grad", "expected": expected}]}
    )
    assert result["ok"] is True
    assert result["score"] == 1.0
    assert (result["passed"], result["total"], result["points"], result["max_points"]) == (
        1,
        1,
        1,
        1,
    )
    (entry,) = result["results"]
    assert entry["passed"] is True
    assert entry["actual"] == expected
    assert entry["max_abs_diff"] == 0.0
    assert entry["name"] == "x.grad"


def test_a_wrong_answer_fails_with_an_actionable_message(client: httpx.Client) -> None:
    expected = value_of(ASSIGNMENT, "x.grad")
    actual = value_of(WRONG_ANSWER, "x.grad")
    result = check(
        client,
        {
            "source": WRONG_ANSWER,
            "checks": [
                {"expr": "x.grad", "expected": expected, "points": 3, "name": "gradient"},
                {
                    "expr": "out.grad_fn.name()",
                    "expected": value_of(ASSIGNMENT, "out.grad_fn.name()"),
                },
            ],
        },
    )
    # The program ran: a wrong answer is not an error.
    assert result["ok"] is True
    assert result["run"]["ok"] is True and result["run"]["error"] is None
    grad, name = result["results"]
    assert grad["passed"] is False
    assert grad["name"] == "gradient"
    assert grad["actual"] == actual
    assert grad["max_abs_diff"] == pytest.approx(
        float((torch.tensor(actual) - torch.tensor(expected)).abs().max())
    )
    assert "x.grad differs from the expected value at 4 of 4 elements" in grad["message"]
    assert name["passed"] is True
    assert (result["points"], result["max_points"]) == (1, 4)
    assert result["score"] == pytest.approx(1 / 4)


def test_a_wrong_shape_says_both_shapes(client: httpx.Client) -> None:
    flat = torch.tensor(value_of(ASSIGNMENT, "x.grad")).flatten().tolist()
    result = check(client, {"source": ASSIGNMENT, "checks": [{"expr": "x.grad", "expected": flat}]})
    assert result["results"][0]["message"] == "x.grad has shape [2, 2], expected [4]."


def test_tolerance_follows_assert_close(client: httpx.Client) -> None:
    exact = torch.tensor(value_of(ASSIGNMENT, "x.grad"))
    nearly = (exact + 2e-6).tolist()
    further = (exact + 0.01).tolist()
    body = {
        "source": ASSIGNMENT,
        "checks": [
            {"expr": "x.grad", "expected": nearly},
            {"expr": "x.grad", "expected": nearly, "rtol": 0, "atol": 0},
            {"expr": "x.grad", "expected": further},
            {"expr": "x.grad", "expected": further, "rtol": 0, "atol": 0.02},
        ],
    }
    result = check(client, body)
    actual = torch.tensor(result["results"][0]["actual"], dtype=torch.float32)

    def oracle(expected: list[Any], **tolerances: float) -> bool:
        # float32 on both sides: assert_close's defaults are then those of the actual dtype.
        try:
            torch.testing.assert_close(actual, torch.tensor(expected), **tolerances)
        except AssertionError:
            return False
        return True

    passed = [entry["passed"] for entry in result["results"]]
    assert passed == [
        oracle(nearly),
        oracle(nearly, rtol=0, atol=0),
        oracle(further),
        oracle(further, rtol=0, atol=0.02),
    ]
    assert passed == [True, False, False, True]  # the test covers both outcomes


def test_strings_bools_and_none_compare_exactly(client: httpx.Client) -> None:
    result = check(
        client,
        {
            "source": ASSIGNMENT,
            "checks": [
                {"expr": "y.grad_fn.name()", "expected": value_of(ASSIGNMENT, "y.grad_fn.name()")},
                {"expr": "x.is_leaf", "expected": True},
                {"expr": "x.is_leaf", "expected": 1},
                {"expr": "x.grad_fn", "expected": None},
                {"expr": "x.grad.shape", "expected": [2, 2]},
            ],
        },
    )
    assert [entry["passed"] for entry in result["results"]] == [True, True, False, True, True]


def test_reference_comparison_uses_the_same_seed(client: httpx.Client) -> None:
    student = RANDOM_PROGRAM.replace("(w * w).sum()", "(w * w * 2).sum() / 2")
    wrong = RANDOM_PROGRAM.replace("(w * w).sum()", "(w * w * w).sum()")
    for seed in (0, 5):
        body = {
            "source": student,
            "reference": RANDOM_PROGRAM,
            "seed": seed,
            "checks": [{"expr": "w.grad"}, {"expr": "loss.item()"}],
        }
        result = check(client, body)
        assert result["ok"] is True and result["score"] == 1.0, result
        assert result["seed"] == seed
        reference_grad = value_of(RANDOM_PROGRAM, "w.grad", seed)
        assert result["results"][0]["expected"] == pytest.approx(reference_grad)
        assert result["results"][1]["expected"] == pytest.approx(
            value_of(RANDOM_PROGRAM, "loss.item()", seed)
        )
        failing = check(client, {**body, "source": wrong})
        assert failing["results"][0]["passed"] is False
        assert failing["results"][0]["actual"] == pytest.approx(value_of(wrong, "w.grad", seed))


def test_explicit_expected_wins_over_the_reference(client: httpx.Client) -> None:
    body = {
        "source": ASSIGNMENT,
        "reference": WRONG_ANSWER,
        "checks": [
            {"expr": "x.grad", "expected": value_of(ASSIGNMENT, "x.grad")},
            {"expr": "x.grad"},
        ],
    }
    result = check(client, body)
    assert [entry["passed"] for entry in result["results"]] == [True, False]


@pytest.mark.parametrize(
    ("source", "error_type"),
    [
        (ASSIGNMENT.replace("y * y * 3", "y * y * three"), "NameError"),
        (ASSIGNMENT + "import os\n", "SandboxViolation"),
        (ASSIGNMENT.replace("out = z.mean()", "out = z"), "RuntimeError"),
        (ASSIGNMENT + "x = (\n", "SyntaxError"),
        (ASSIGNMENT + "big = torch.ones(10 ** 8)\n", "LimitExceeded"),
    ],
    ids=["name-error", "sandbox", "torch-error", "syntax", "limit"],
)
def test_a_failing_program_fails_every_check_and_says_why(
    client: httpx.Client, source: str, error_type: str
) -> None:
    body = {
        "source": source,
        "reference": ASSIGNMENT,
        "checks": [
            {"expr": "x.grad", "expected": value_of(ASSIGNMENT, "x.grad")},
            {"expr": "x.grad"},
        ],
    }
    result = check(client, body)
    assert result["ok"] is False
    assert result["run"]["ok"] is False
    assert result["run"]["error"]["type"] == error_type
    assert result["grader_error"] is None
    assert result["score"] == 0 and result["passed"] == 0
    for entry in result["results"]:
        assert entry["passed"] is False
        assert entry["message"].startswith("Not checked: your program stopped")
        assert error_type in entry["message"]
        assert entry["expected"] == value_of(ASSIGNMENT, "x.grad")


def test_a_failing_reference_is_the_graders_error(client: httpx.Client) -> None:
    broken_reference = ASSIGNMENT.replace("out.backward()", "out.backward()\nout.backward()")
    body = {
        "source": ASSIGNMENT,
        "reference": broken_reference,
        "checks": [{"expr": "x.grad"}],
    }
    result = check(client, body)
    assert result["ok"] is False
    assert result["run"] == {**result["run"], "ok": True, "error": None}
    assert result["grader_error"]["source"] == "reference"
    assert result["grader_error"]["type"] == "RuntimeError"
    (entry,) = result["results"]
    assert entry["passed"] is False
    assert "not a problem with your program" in entry["message"]
    prairielearn = check(client, body, format="prairielearn")
    assert prairielearn["gradable"] is False


def test_a_reference_without_the_checked_value_is_the_graders_error(client: httpx.Client) -> None:
    body = {"source": ASSIGNMENT, "reference": "import torch\n", "checks": [{"expr": "x.grad"}]}
    result = check(client, body)
    assert result["ok"] is False
    assert result["grader_error"]["source"] == "reference"
    assert result["grader_error"]["type"] == "NameError"


@pytest.mark.parametrize(
    "expr",
    [
        "open('/etc/passwd').read()",
        "__import__('os').getcwd()",
        "x.__class__.__mro__",
        "torch.load",
        "[c for c in ().__class__.__base__.__subclasses__()]",
    ],
)
def test_a_check_expression_cannot_escape_the_sandbox(client: httpx.Client, expr: str) -> None:
    body = {
        "source": ASSIGNMENT,
        "checks": [{"expr": expr, "expected": None}, {"expr": "x.is_leaf", "expected": True}],
    }
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 200, response.text
    assert "root:" not in response.text
    result = response.json()
    escape, ordinary = result["results"]
    assert escape["passed"] is False
    assert escape["error"]["type"] in ("SandboxViolation", "NameError")
    assert escape["actual"] is None
    # The program itself ran fine and the other checks are unaffected.
    assert result["run"]["ok"] is True
    assert ordinary["passed"] is True


def test_a_check_expression_is_held_to_the_limits(client: httpx.Client) -> None:
    body = {
        "source": ASSIGNMENT,
        "checks": [{"expr": "torch.ones(100000, 100000).sum()", "expected": 0}],
    }
    (entry,) = check(client, body)["results"]
    assert entry["passed"] is False
    assert entry["error"]["type"] == "LimitExceeded"


def test_gradescope_format(client: httpx.Client) -> None:
    body = {
        "source": WRONG_ANSWER,
        "checks": [
            {"expr": "x.grad", "expected": value_of(ASSIGNMENT, "x.grad"), "points": 2},
            {"expr": "x.is_leaf", "expected": True, "name": "x is a leaf"},
        ],
    }
    plain = check(client, body)
    gradescope = check(client, body, format="gradescope")
    assert gradescope["score"] == plain["points"] == 1
    assert [test["name"] for test in gradescope["tests"]] == ["x.grad", "x is a leaf"]
    assert [test["status"] for test in gradescope["tests"]] == ["failed", "passed"]
    assert [test["score"] for test in gradescope["tests"]] == [0, 1]
    assert [test["max_score"] for test in gradescope["tests"]] == [2, 1]
    assert gradescope["tests"][0]["output"] == plain["results"][0]["message"]
    assert isinstance(gradescope["output"], str)


def test_prairielearn_format(client: httpx.Client) -> None:
    body = {
        "source": WRONG_ANSWER,
        "checks": [
            {"expr": "x.grad", "expected": value_of(ASSIGNMENT, "x.grad"), "points": 2},
            {"expr": "x.is_leaf", "expected": True},
        ],
    }
    plain = check(client, body)
    prairielearn = check(client, body, format="prairielearn")
    assert prairielearn["gradable"] is True
    assert prairielearn["score"] == plain["score"] == pytest.approx(1 / 3)
    assert [test["points"] for test in prairielearn["tests"]] == [0, 1]
    assert [test["max_points"] for test in prairielearn["tests"]] == [2, 1]
    assert isinstance(prairielearn["message"], str) and prairielearn["message"]


def test_the_same_request_gives_the_same_bytes(client: httpx.Client) -> None:
    body = {
        "source": RANDOM_PROGRAM,
        "seed": 11,
        "reference": RANDOM_PROGRAM,
        "checks": [{"expr": "w.grad"}, {"expr": "loss", "expected": 1.0}],
    }
    first = client.post("/api/v1/check", json=body)
    second = client.post("/api/v1/check", json=body)
    assert first.status_code == 200, first.text
    assert first.content == second.content
    result = first.json()
    assert result["torch_version"] == torch.__version__
    assert result["seed"] == 11
    other_seed = check(client, {**body, "seed": 12})
    assert other_seed["results"][0]["actual"] != result["results"][0]["actual"]


def test_backward_option_runs_before_the_checks(client: httpx.Client) -> None:
    without_backward = ASSIGNMENT.replace("out.backward()\n", "")
    body = {
        "source": without_backward,
        "backward": {"output": "out"},
        "checks": [{"expr": "x.grad", "expected": value_of(ASSIGNMENT, "x.grad")}],
    }
    assert check(client, body)["score"] == 1.0


def test_stdout_and_warnings_come_back_in_run(client: httpx.Client) -> None:
    source = ASSIGNMENT + "print(x.grad)\n"
    result = check(client, {"source": source, "checks": [{"expr": "x.is_leaf", "expected": True}]})
    assert result["run"]["stdout"] == f"{torch.full((2, 2), 4.5)}\n"


@pytest.mark.parametrize(
    "body",
    [
        {"source": ASSIGNMENT, "checks": [{"expr": "x.grad"}]},  # nothing to compare with
        {"source": ASSIGNMENT, "checks": []},
        {"source": ASSIGNMENT},
        {"source": ASSIGNMENT, "checks": [{"expr": "x", "expected": 1, "points": -1}]},
        {"source": ASSIGNMENT, "checks": [{"expr": "x", "expected": 1, "rtol": -1}]},
        {"source": ASSIGNMENT, "checks": [{"expr": "x", "expected": 1, "unknown": 1}]},
    ],
    ids=[
        "no-expected-no-reference",
        "no-checks",
        "checks-missing",
        "negative-points",
        "negative-rtol",
        "unknown-field",
    ],
)
def test_malformed_requests_get_422(client: httpx.Client, body: dict[str, Any]) -> None:
    response = client.post("/api/v1/check", json=body)
    assert response.status_code == 422, response.text


def test_unknown_format_gets_422(client: httpx.Client) -> None:
    body = {"source": ASSIGNMENT, "checks": [{"expr": "x.is_leaf", "expected": True}]}
    assert client.post("/api/v1/check", json=body, params={"format": "moodle"}).status_code == 422


def test_an_oversized_reference_gets_413(client: httpx.Client, server: Any) -> None:
    cap = server.app.state.settings.limits.source_bytes
    body = {
        "source": ASSIGNMENT,
        "reference": "x = 1\n" + "#" * cap,
        "checks": [{"expr": "x"}],
    }
    assert client.post("/api/v1/check", json=body).status_code == 413


def test_openapi_describes_the_contract(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    contract = {
        "CheckRequest": {
            "source",
            "seed",
            "backward",
            "jacobian",
            "include",
            "checks",
            "reference",
        },
        "Check": {"expr", "expected", "rtol", "atol", "name", "points"},
        "CheckResult": {
            "ok",
            "score",
            "points",
            "max_points",
            "passed",
            "total",
            "results",
            "run",
            "torch_version",
            "seed",
        },
        "CheckOutcome": {
            "name",
            "expr",
            "passed",
            "expected",
            "actual",
            "max_abs_diff",
            "message",
        },
        "CheckRun": {"ok", "error", "stdout"},
        "BatchRequest": {"items"},
        "BatchResponse": {"results"},
    }
    for model, fields in contract.items():
        assert fields <= set(schemas[model]["properties"]), model
    check_parameters = spec["paths"]["/api/v1/check"]["post"]["parameters"]
    (result_format,) = [p for p in check_parameters if p["name"] == "format"]
    assert set(result_format["schema"]["enum"]) == {"json", "gradescope", "prairielearn"}
    assert "/api/v1/batch" in spec["paths"]
