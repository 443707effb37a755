"""The comparison itself can fail: a result that differs from CPython in any field is caught."""

from __future__ import annotations

import copy
import sys
from typing import Any

import pytest

from tests.differential.compare import differences
from tests.differential.oracle import ReferenceRun, run_reference

PROGRAM = """import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
print(y.grad_fn)
print(y.grad)
y.sum().backward()
z = y + q
"""


def _as_run_result(reference: ReferenceRun) -> dict[str, Any]:
    """A RunResult-shaped dict that says exactly what the reference says."""
    variables = {name: {"kind": "tensor", **data} for name, data in reference.tensors.items()}
    return {
        "ok": reference.ok,
        "stdout": reference.stdout,
        "error": reference.error,
        "warnings": reference.warnings,
        "variables": variables,
    }


def test_reference_records_output_error_warning_and_tensors() -> None:
    reference = run_reference(PROGRAM)
    assert reference.stdout.startswith("<MulBackward0 object>\nNone\n")
    assert reference.error is not None
    assert (reference.error["type"], reference.error["line"]) == ("NameError", 7)
    assert [w["line"] for w in reference.warnings] == [5]
    assert reference.tensors["x"]["grad"] == [3.0, 3.0]
    assert reference.tensors["y"]["grad_fn"] == "MulBackward0"


def test_identical_result_has_no_differences() -> None:
    reference = run_reference(PROGRAM)
    assert differences(reference, _as_run_result(reference)) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("stdout",), "<MulBackward0 object at 0x7f00>\nNone\n"),
        (("error", "message"), "name 'r' is not defined"),
        (("error", "line"), 6),
        pytest.param(
            ("error", "col"),
            1,
            marks=pytest.mark.skipif(
                sys.version_info < (3, 11),
                reason="CPython has columns from 3.11 on (PEP 657); before, lines are compared",
            ),
        ),
        (("warnings",), []),
        (("variables", "x", "grad"), [3.0, 3.5]),
        (("variables", "y", "grad_fn"), "AddBackward0"),
        (("variables", "y", "is_leaf"), True),
        (("variables", "x", "dtype"), "float64"),
    ],
    ids=lambda item: ".".join(item) if isinstance(item, tuple) else None,
)
def test_each_changed_field_is_reported(path: tuple[str, ...], value: Any) -> None:
    reference = run_reference(PROGRAM)
    result = copy.deepcopy(_as_run_result(reference))
    target = result
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert differences(reference, result)
