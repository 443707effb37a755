"""Nothing carries over between runs in one process: torch's once-per-process warnings, and
complex numbers (the one way to the warning the issue found) are refused by one rule."""

from __future__ import annotations

import warnings

import pytest
import torch

from app.runner import run_program
from app.sandbox.process_state import reset_global_state


def _warns(action: object) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()  # type: ignore[operator]
    return len(caught)


def _complex_to_real() -> None:
    torch.zeros(1).copy_(torch.ones(1, dtype=torch.complex64))


def test_no_run_can_use_up_a_torch_warn_once_site() -> None:
    # A worker where the switch was off and the site already fired: a fresh process would warn,
    # this one would not, until the reset before the next run.
    torch.set_warn_always(False)
    try:
        _complex_to_real()
        assert _warns(_complex_to_real) == 0  # torch's own once-per-process memo
        reset_global_state(0)
        assert torch.is_warn_always_enabled()
        assert _warns(_complex_to_real) == 1
        assert _warns(_complex_to_real) == 1
    finally:
        torch.set_warn_always(False)


def test_a_once_per_process_warning_shows_once_per_run_at_its_first_line() -> None:
    source = "import torch\nx = torch.ones(3)\nprint(x.T)\ny = x.T\nz = torch.ones(2).T\n"
    torch.set_warn_always(False)
    try:
        _ = torch.ones(3).T  # used up in this process, as in a worker that ran it before
        results = [run_program(source) for _ in range(2)]
    finally:
        torch.set_warn_always(False)
    for result in results:
        assert [w["line"] for w in result["warnings"]] == [3]
        assert "`x.T`" in result["warnings"][0]["message"]


# The issue's program: a complex value from `**`, cast to real by torch, warned only in a
# worker's first run.
ISSUE_PROGRAM = "import torch\na = -1.0\nt = torch.tensor([a ** 0.5]).float()\nprint(t)\n"


def test_the_issue_program_gets_the_same_answer_in_every_run() -> None:
    results = [run_program(ISSUE_PROGRAM, capture=False) for _ in range(3)]
    assert results[0]["error"] == results[1]["error"] == results[2]["error"]
    assert results[0]["warnings"] == results[1]["warnings"] == results[2]["warnings"]
    error = results[0]["error"]
    assert error["type"] == "SandboxViolation"
    assert error["line"] == 3
    assert error["message"] == (
        "Line 3: (-1.0) ** 0.5 is a complex number, and complex numbers are not supported in "
        "the playground."
    )


@pytest.mark.parametrize(
    "source",
    [
        "x = (-1.0) ** 0.5\n",
        "a = -8\na **= 1 / 3\n",
        "def root(v):\n    return v ** 0.5\nr = root(-4.0)\n",
        "import torch\nx = torch.ones(2) * ((-2.0) ** 1.5)\n",
        "y = 2j\n",
    ],
)
def test_complex_numbers_are_refused_wherever_they_would_appear(source: str) -> None:
    error = run_program(source, capture=False)["error"]
    assert error is not None and error["type"] == "SandboxViolation", error
    assert "complex numbers are not supported" in error["message"]


def test_real_powers_still_follow_python() -> None:
    source = "print(2 ** 0.5, (-2) ** 2, 2 ** -1, (-8.0) ** 2, 0.0 ** 0.5, (-1) ** 3)\n"
    expected = f"{2**0.5} {(-2) ** 2} {2**-1} {(-8.0) ** 2} {0.0**0.5} {(-1) ** 3}\n"
    result = run_program(source, capture=False)
    assert result["error"] is None, result["error"]
    assert result["stdout"] == expected
