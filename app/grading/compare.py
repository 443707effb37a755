"""Compare one check's actual value with its expected value, the way a student can act on.

Numbers, tensors and nested lists are decided by `torch.testing.assert_close` itself: shapes must
match, the dtype is not checked (`check_dtype=False`: both sides are promoted to a common dtype),
and values must satisfy `|actual - expected| <= atol + rtol * |expected|` elementwise, with
assert_close's default rtol/atol for the two dtypes unless the check gives its own. One
deliberate difference, documented in the README: NaN matches NaN (`equal_nan=True`), because a
grader who writes `"nan"` as the expected value means it. This module adds only what assert_close
does not give: a sentence naming the worst element, and JSON-safe sides.

Strings, bools and None compare exactly; lists and dicts of such values compare item by item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch
from torch.testing._comparison import default_tolerances as _assert_close_tolerances

from app.grading.values import as_numeric_tensor, is_numeric, json_float, to_json_value


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing one value: JSON-safe sides, largest difference, a sentence."""

    passed: bool
    expected: Any
    actual: Any
    max_abs_diff: float | str | None
    message: str


def default_tolerances(*dtypes: torch.dtype) -> tuple[float, float]:
    """Return assert_close's default (rtol, atol) for comparing tensors of these dtypes."""
    return _assert_close_tolerances(*dtypes)


def _assert_close_passes(
    actual: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float
) -> bool:
    try:
        torch.testing.assert_close(
            actual, expected, rtol=rtol, atol=atol, equal_nan=True, check_dtype=False
        )
    except AssertionError:
        return False
    return True


def compare_values(
    label: str,
    actual: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    max_elements: int = 1000,
) -> Comparison:
    """Compare `actual` (named `label` in the message) with `expected`."""
    outcome = _compare(label, actual, expected, rtol, atol)
    return Comparison(
        passed=outcome.passed,
        expected=to_json_value(expected, max_elements),
        actual=to_json_value(actual, max_elements),
        max_abs_diff=None if outcome.max_abs_diff is None else json_float(outcome.max_abs_diff),
        message=outcome.message,
    )


@dataclass(frozen=True)
class _Outcome:
    passed: bool
    max_abs_diff: float | None
    message: str


def _compare(
    label: str, actual: Any, expected: Any, rtol: float | None, atol: float | None
) -> _Outcome:
    if isinstance(actual, torch.Size):
        return _compare_size(label, actual, expected)
    if is_numeric(actual):
        return _compare_numeric(label, actual, expected, rtol, atol)
    if isinstance(actual, torch.dtype):
        actual = str(actual)
    if isinstance(expected, torch.dtype):
        expected = str(expected)
    if isinstance(actual, list | tuple):
        return _compare_sequence(label, actual, expected, rtol, atol)
    if isinstance(actual, dict):
        return _compare_mapping(label, actual, expected, rtol, atol)
    if actual is None or isinstance(actual, bool | str):
        return _compare_exact(label, actual, expected)
    return _Outcome(
        False,
        None,
        f"{label} is a {type(actual).__name__} object, which a check cannot compare; "
        "check one of its values instead (for a grad_fn, its .name()).",
    )


def _compare_size(label: str, actual: torch.Size, expected: Any) -> _Outcome:
    """A shape is a list of ints: compare it exactly, and say so in the terms of shapes."""
    expected_tensor = as_numeric_tensor(expected)
    if (
        expected_tensor is not None
        and expected_tensor.shape == (len(actual),)
        and expected_tensor.tolist() == list(actual)
    ):
        return _Outcome(True, None, f"{label} matches the expected value.")
    return _Outcome(False, None, f"{label} is {list(actual)}, expected {_show(expected)}.")


def _describe_shape(shape: torch.Size | list[int]) -> str:
    return "[] (a scalar)" if len(shape) == 0 else str(list(shape))


def _format_scalar(tensor: torch.Tensor) -> str:
    value = tensor.item()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _widened(actual: torch.Tensor, expected: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Both sides as float64 (complex128 if either is complex), for exact-enough arithmetic."""
    wide = torch.complex128 if actual.is_complex() or expected.is_complex() else torch.float64
    return actual.to(wide), expected.to(wide)


def _abs_diff(actual: torch.Tensor, expected: torch.Tensor) -> torch.Tensor:
    """|actual - expected| as float64, 0 where both are equal (equal infinities, both NaN)."""
    diff = (actual - expected).abs().to(torch.float64)
    same = (actual == expected) | (torch.isnan(actual) & torch.isnan(expected))
    return torch.where(same, torch.zeros_like(diff), diff)


def _compare_numeric(
    label: str, actual: Any, expected: Any, rtol: float | None, atol: float | None
) -> _Outcome:
    actual_tensor = as_numeric_tensor(actual)
    assert actual_tensor is not None  # is_numeric(actual) held
    expected_tensor = as_numeric_tensor(expected)
    if expected_tensor is None:
        expected_text = _show(expected)
        if isinstance(expected, list | tuple):
            expected_text = "a list that is not a rectangular list of numbers"
        return _Outcome(
            False,
            None,
            f"{label} is numeric with shape {_describe_shape(actual_tensor.shape)}, "
            f"expected {expected_text}.",
        )
    if actual_tensor.shape != expected_tensor.shape:
        return _Outcome(
            False,
            None,
            f"{label} has shape {_describe_shape(actual_tensor.shape)}, "
            f"expected {_describe_shape(expected_tensor.shape)}.",
        )
    default_rtol, default_atol = default_tolerances(actual_tensor.dtype, expected_tensor.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol

    # The common dtype assert_close compares in (check_dtype=False), for the message's numbers.
    common = torch.promote_types(actual_tensor.dtype, expected_tensor.dtype)
    a, e = actual_tensor.to(common), expected_tensor.to(common)
    wide_actual, wide_expected = _widened(a, e)
    diff = _abs_diff(wide_actual, wide_expected)
    max_abs_diff = float(diff.max()) if diff.numel() else 0.0
    if _assert_close_passes(actual_tensor, expected_tensor, rtol, atol):
        return _Outcome(True, max_abs_diff, f"{label} matches the expected value.")

    # Which elements failed: assert_close's own rule (isclose), to name the worst one.
    matches = torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    # The worst mismatch: the largest difference among the elements that are not close
    # (NaN differences first, they are never close).
    mismatch_diff = torch.where(matches, torch.full_like(diff, -1.0), diff.nan_to_num(math.inf))
    worst = int(mismatch_diff.flatten().argmax())
    got, want = a.flatten()[worst], e.flatten()[worst]
    allowed = atol + rtol * float(wide_expected.flatten()[worst].abs())
    tolerance = f"allowed {allowed:.3g}: rtol={rtol:g}, atol={atol:g}"
    if a.dim() == 0:
        return _Outcome(
            False,
            max_abs_diff,
            f"{label} is {_format_scalar(got)}, expected {_format_scalar(want)} "
            f"(difference {float(diff):.3g}, {tolerance}).",
        )
    index = list(torch.unravel_index(torch.tensor(worst), a.shape))
    position = [int(i) for i in index]
    mismatched = int((~matches).sum())
    return _Outcome(
        False,
        max_abs_diff,
        f"{label} differs from the expected value at {mismatched} of {a.numel()} elements; "
        f"the worst is index {position}: got {_format_scalar(got)}, expected "
        f"{_format_scalar(want)} (difference {float(diff.flatten()[worst]):.3g}, {tolerance}).",
    )


def _compare_exact(label: str, actual: Any, expected: Any) -> _Outcome:
    # type() as well as ==: True == 1 in Python, but the contract compares bools exactly.
    if type(actual) is type(expected) and actual == expected:
        return _Outcome(True, None, f"{label} matches the expected value.")
    if actual is None and label.endswith(".grad"):
        return _Outcome(
            False,
            None,
            f"{label} is None, expected {_show(expected)}: no gradient reached it; call "
            "backward() on a result computed from it, with requires_grad=True on the leaf.",
        )
    return _Outcome(False, None, f"{label} is {_show(actual)}, expected {_show(expected)}.")


def _show(value: Any) -> str:
    """A short description of `value` for a message (long values are cut)."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {_describe_shape(value.shape)}"
    text = repr(to_json_value(value, 20))
    return text if len(text) <= 80 else text[:77] + "..."


def _max_diff(outcomes: list[_Outcome]) -> float | None:
    diffs = [o.max_abs_diff for o in outcomes if o.max_abs_diff is not None]
    return max(diffs) if diffs else None


def _compare_sequence(
    label: str,
    actual: list[Any] | tuple[Any, ...],
    expected: Any,
    rtol: float | None,
    atol: float | None,
) -> _Outcome:
    if isinstance(expected, torch.Size):
        expected = list(expected)
    if not isinstance(expected, list | tuple):
        return _Outcome(
            False, None, f"{label} is a list of {len(actual)} items, expected {_show(expected)}."
        )
    if len(actual) != len(expected):
        return _Outcome(
            False,
            None,
            f"{label} has {len(actual)} items, expected {len(expected)}.",
        )
    outcomes = [
        _compare(f"{label}[{i}]", item, want, rtol, atol)
        for i, (item, want) in enumerate(zip(actual, expected, strict=True))
    ]
    return _first_failure_or_pass(label, outcomes)


def _compare_mapping(
    label: str, actual: dict[Any, Any], expected: Any, rtol: float | None, atol: float | None
) -> _Outcome:
    if not isinstance(expected, dict):
        return _Outcome(False, None, f"{label} is a dict, expected {_show(expected)}.")
    actual_keys = {str(key): key for key in actual}
    if set(actual_keys) != {str(key) for key in expected}:
        return _Outcome(
            False,
            None,
            f"{label} has keys {sorted(actual_keys)}, expected {sorted(str(k) for k in expected)}.",
        )
    expected_by_name = {str(key): value for key, value in expected.items()}
    outcomes = [
        _compare(f"{label}[{name!r}]", actual[key], expected_by_name[name], rtol, atol)
        for name, key in sorted(actual_keys.items())
    ]
    return _first_failure_or_pass(label, outcomes)


def _first_failure_or_pass(label: str, outcomes: list[_Outcome]) -> _Outcome:
    for outcome in outcomes:
        if not outcome.passed:
            return _Outcome(False, _max_diff(outcomes), outcome.message)
    return _Outcome(True, _max_diff(outcomes), f"{label} matches the expected value.")
