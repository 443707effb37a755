"""compare_values against torch.testing.assert_close, the oracle of the contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch
from torch.testing._comparison import default_tolerances as torch_default_tolerances

from app.grading.compare import compare_values, default_tolerances

FLOAT_DTYPES = [torch.float16, torch.bfloat16, torch.float32, torch.float64]
OFFSETS = [0.0, 1e-8, 1e-7, 5e-7, 3e-6, 2e-5, 5e-4, 2e-3, 1e-2, 5e-2]


def assert_close_passes(actual: torch.Tensor, expected: torch.Tensor, **kwargs: Any) -> bool:
    try:
        torch.testing.assert_close(actual, expected, check_dtype=False, **kwargs)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize(
    "dtype",
    [*FLOAT_DTYPES, torch.complex64, torch.complex128, torch.int64, torch.int32, torch.bool],
    ids=str,
)
def test_default_tolerances_are_assert_close_defaults(dtype: torch.dtype) -> None:
    assert default_tolerances(dtype) == torch_default_tolerances(torch.empty(0, dtype=dtype))


@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_default_tolerance_of_the_actual_dtype_decides(dtype: torch.dtype, offset: float) -> None:
    base = torch.tensor([1.0, -2.0, 4.0], dtype=dtype)
    actual = base + torch.tensor([offset, -offset, 4 * offset], dtype=torch.float64).to(dtype)
    # The expected values are exact in every dtype, so the oracle sees the same numbers as a
    # grader sending JSON.
    oracle = assert_close_passes(actual, base)
    result = compare_values("y", actual, base.to(torch.float64).tolist())
    assert result.passed == oracle, result.message


@pytest.mark.parametrize("offset", OFFSETS)
def test_explicit_rtol_atol_replace_the_defaults(offset: float) -> None:
    actual = torch.tensor([10.0, 20.0]) + offset * 100
    expected = [10.0, 20.0]
    oracle = assert_close_passes(actual, torch.tensor(expected), rtol=1e-4, atol=1e-3)
    assert compare_values("y", actual, expected, rtol=1e-4, atol=1e-3).passed == oracle


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        (torch.tensor([1, 2, 3]), [1, 2, 3]),
        (torch.tensor([1, 2, 3]), [1.0, 2.0, 3.0]),
        (torch.tensor([1, 2, 3]), [1, 2, 4]),
        (torch.tensor([1.0, 2.0]), [1, 2]),
        (torch.tensor(3.0, dtype=torch.float64), 3),
        (torch.tensor([True, False]), [True, False]),
    ],
    ids=["int-int", "int-float", "int-wrong", "float-int", "scalar", "bool-tensor"],
)
def test_dtype_is_not_checked(actual: torch.Tensor, expected: object) -> None:
    oracle = assert_close_passes(actual, torch.tensor(expected), rtol=0.0, atol=0.0)
    assert compare_values("y", actual, expected).passed == oracle


def test_python_numbers_compare_like_assert_close_scalars() -> None:
    for actual, expected in [(0.1 + 0.2, 0.3), (27.0, 27), (1.0, 1.0 + 1e-6), (3, 3), (3, 4)]:
        oracle = assert_close_passes(actual, expected)  # type: ignore[arg-type]
        assert compare_values("out.item()", actual, expected).passed == oracle


def test_shape_mismatch_fails_with_both_shapes_named() -> None:
    actual = torch.full((2, 2), 4.5)
    expected = [4.5, 4.5, 4.5, 4.5]
    assert not assert_close_passes(actual, torch.tensor(expected))
    result = compare_values("x.grad", actual, expected)
    assert not result.passed
    assert result.message == "x.grad has shape [2, 2], expected [4]."
    assert result.max_abs_diff is None


def test_a_scalar_is_not_a_one_element_tensor() -> None:
    result = compare_values("loss", torch.tensor([2.0]), 2.0)
    assert not result.passed
    assert "[] (a scalar)" in result.message


def test_value_mismatch_names_the_worst_element_and_the_tolerance() -> None:
    actual = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    expected = [[1.0, 2.0], [3.5, 4.0]]
    result = compare_values("w.grad", actual, expected)
    assert not result.passed
    assert result.max_abs_diff == pytest.approx(
        float((actual - torch.tensor(expected)).abs().max())
    )
    assert "1 of 4 elements" in result.message
    assert "index [1, 0]" in result.message
    assert "got 3, expected 3.5" in result.message


def test_max_abs_diff_of_a_pass_is_the_largest_difference() -> None:
    actual = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    expected = [1.0, 2.0 + 5e-8, 3.0 - 9e-8]
    result = compare_values("y", actual, expected)
    assert result.passed
    oracle = float((actual - torch.tensor(expected, dtype=torch.float64)).abs().max())
    assert result.max_abs_diff == pytest.approx(oracle)


def test_nan_and_infinity_as_json_strings() -> None:
    actual = torch.tensor([float("nan"), float("inf"), 1.0])
    passing = compare_values("y", actual, ["nan", "inf", 1.0])
    assert passing.passed
    assert passing.actual == ["nan", "inf", 1.0]
    assert passing.max_abs_diff == 0.0
    failing = compare_values("y", actual, [0.0, "inf", 1.0])
    assert not failing.passed
    assert failing.max_abs_diff == "nan"
    json.dumps([passing.__dict__, failing.__dict__], allow_nan=False)


def test_torch_size_compares_as_a_list_of_ints() -> None:
    shape = torch.ones(2, 2).shape
    assert compare_values("x.grad.shape", shape, [2, 2]).passed
    result = compare_values("x.grad.shape", shape, [4])
    assert not result.passed
    assert result.message == "x.grad.shape is [2, 2], expected [4]."


@pytest.mark.parametrize(
    ("actual", "expected", "passed"),
    [
        ("MulBackward0", "MulBackward0", True),
        ("MulBackward0", "AddBackward0", False),
        (True, True, True),
        (True, 1, False),
        (1, True, False),
        (None, None, True),
        (None, 0, False),
    ],
)
def test_strings_bools_and_none_compare_exactly(
    actual: object, expected: object, passed: bool
) -> None:
    assert compare_values("v", actual, expected).passed is passed


def test_missing_gradient_says_how_to_get_one() -> None:
    result = compare_values("x.grad", None, [1.0, 2.0])
    assert not result.passed
    assert "backward()" in result.message


def test_lists_of_tensors_compare_item_by_item() -> None:
    grads = [torch.ones(2), torch.zeros(1)]
    assert compare_values("grads", grads, [[1.0, 1.0], [0.0]]).passed
    result = compare_values("grads", grads, [[1.0, 1.0], [0.5]])
    assert not result.passed
    assert result.message.startswith("grads[1] differs")
    assert not compare_values("grads", grads, [[1.0, 1.0]]).passed


def test_reference_values_are_real_objects_too() -> None:
    student = torch.tensor([2.0, 4.0], requires_grad=True) * 1.0
    reference = torch.tensor([2.0, 4.0 + 1e-7])
    result = compare_values("y", student, reference)
    assert result.passed == assert_close_passes(student.detach(), reference)
    assert result.expected == reference.tolist()
    assert compare_values("d", torch.float32, torch.float32).passed
    assert compare_values("n", torch.Size([3]), torch.Size([3])).passed


def test_objects_that_cannot_be_compared_fail_without_an_address() -> None:
    y = torch.ones(1, requires_grad=True) * 2
    result = compare_values("y.grad_fn", y.grad_fn, "MulBackward0")
    assert not result.passed
    assert ".name()" in result.message
    assert result.actual == f"<{type(y.grad_fn).__name__} object>"
    assert "0x" not in json.dumps(result.__dict__)


def test_large_tensors_are_summarised() -> None:
    actual = torch.zeros(50, 50)
    result = compare_values("big", actual, actual.tolist(), max_elements=100)
    assert result.passed
    assert result.actual == {"shape": [50, 50], "dtype": "float32", "truncated": True}


@pytest.mark.parametrize(
    ("actual", "expected", "rtol", "atol"),
    [
        (torch.tensor([10, 20]), [11, 20], 0.2, 0.0),
        (torch.tensor([10, 20]), [13, 20], 0.2, 0.0),
        (torch.tensor([True, False]), [True, True], 0.0, 0.0),
        (torch.tensor([1.0, 2.0], dtype=torch.float64), [1.5, 2.0], 0.0, 0.6),
    ],
    ids=["int-within", "int-beyond", "bool-mismatch", "float64-atol"],
)
def test_explicit_tolerances_on_other_dtypes(
    actual: torch.Tensor, expected: list[object], rtol: float, atol: float
) -> None:
    oracle = assert_close_passes(actual, torch.tensor(expected), rtol=rtol, atol=atol)
    result = compare_values("v", actual, expected, rtol=rtol, atol=atol)
    assert result.passed == oracle, result.message


MIXED = [torch.int64, torch.float16, torch.float32, torch.float64]


@pytest.mark.parametrize("offset", [0.0, 1e-7, 1e-6, 1e-5, 1e-3])
@pytest.mark.parametrize("expected_dtype", MIXED, ids=str)
@pytest.mark.parametrize("actual_dtype", MIXED, ids=str)
def test_mixed_dtypes_are_decided_as_assert_close_decides(
    actual_dtype: torch.dtype, expected_dtype: torch.dtype, offset: float
) -> None:
    # Tolerances come from both dtypes (the larger), not from the actual one alone.
    actual = (torch.tensor([100.0, -3.0, 7.0], dtype=torch.float64) + offset).to(actual_dtype)
    expected = torch.tensor([100.0, -3.0, 7.0]).to(expected_dtype)
    oracle = assert_close_passes(actual, expected)
    assert compare_values("y", actual, expected).passed == oracle


def test_nan_matches_nan_unlike_assert_close_default() -> None:
    # The documented difference: a grader who expects NaN gets a pass for NaN.
    actual = torch.tensor([float("nan"), 1.0])
    assert not assert_close_passes(actual, actual.clone())
    assert assert_close_passes(actual, actual.clone(), rtol=0.0, atol=0.0, equal_nan=True)
    assert compare_values("y", actual, ["nan", 1.0]).passed
    assert not compare_values("y", actual, [0.0, 1.0]).passed
    assert not compare_values("y", torch.tensor([0.0, 1.0]), ["nan", 1.0]).passed
