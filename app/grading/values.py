"""Turn the values a check deals with into JSON-safe data and into tensors to compare.

A check's `actual` is whatever the sandbox evaluated (a tensor, a Python number, a torch.Size,
a string, …); its `expected` is either JSON from the grader or a value evaluated in the
reference program. Both go through the same two conversions here, so the comparison itself never
has to know where a value came from.
"""

from __future__ import annotations

import math
from typing import Any

import torch

# JSON has no NaN or infinity; RunResult writes them as these strings and graders may send them.
NON_FINITE_STRINGS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def json_float(number: float) -> float | str:
    """Return `number`, or "nan"/"inf"/"-inf" where JSON has no literal for it."""
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def _json_number(number: Any) -> Any:
    if isinstance(number, bool | int):
        return number
    if isinstance(number, float):
        return json_float(number)
    if isinstance(number, complex):
        return {"real": json_float(number.real), "imag": json_float(number.imag)}
    return number


def _json_nested(items: Any) -> Any:
    if isinstance(items, list):
        return [_json_nested(item) for item in items]
    return _json_number(items)


def to_json_value(value: Any, max_elements: int) -> Any:
    """Return `value` as JSON-safe data: tensors as nested lists, dtypes as their names.

    A tensor with more than `max_elements` elements becomes a summary (shape, dtype,
    `"truncated": true`) so one check cannot blow up the size of the answer.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | complex):
        return _json_number(value)
    if isinstance(value, torch.Tensor):
        if value.numel() > max_elements:
            return {
                "shape": list(value.shape),
                "dtype": str(value.dtype).removeprefix("torch."),
                "truncated": True,
            }
        return _json_nested(value.detach().tolist())
    if isinstance(value, torch.dtype):
        return str(value)
    if isinstance(value, list | tuple):  # torch.Size included
        return [to_json_value(item, max_elements) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_value(item, max_elements) for key, item in value.items()}
    # grad_fn nodes, modules, …: never repr() them, CPython's repr shows memory addresses.
    return f"<{type(value).__name__} object>"


def _is_number(value: Any, allow_bool: bool) -> bool:
    if isinstance(value, bool):
        return allow_bool
    if isinstance(value, int | float | complex):
        return True
    return isinstance(value, str) and value in NON_FINITE_STRINGS


def _numeric_leaf(value: Any) -> Any:
    return NON_FINITE_STRINGS[value] if isinstance(value, str) else value


def _nested_numbers(value: Any, allow_bool: bool) -> tuple[Any, str] | None:
    """Return (`value` with non-finite strings replaced, the widest kind it holds), or None.

    The kind is "bool", "int" or "float"; None means `value` is not a number or a (nested)
    list/tuple of numbers.
    """
    if _is_number(value, allow_bool):
        return _numeric_leaf(value), _kind(value)
    if isinstance(value, torch.Tensor) and value.dim() == 0:
        item = value.item()
        return item, _kind(item)
    if isinstance(value, list | tuple):
        items = []
        kinds = set()
        for item in value:
            converted = _nested_numbers(item, allow_bool)
            if converted is None:
                return None
            items.append(converted[0])
            kinds.add(converted[1])
        return items, max(kinds, key=_KINDS.index, default="int")
    return None


_KINDS = ("bool", "int", "float")


def _kind(number: Any) -> str:
    if isinstance(number, bool):
        return "bool"
    return "int" if isinstance(number, int) else "float"


def as_numeric_tensor(value: Any) -> torch.Tensor | None:
    """Return `value` as a tensor if it is numeric data (tensor, number, nested list), else None.

    Python floats become float64 and ints int64, the dtypes torch.testing.assert_close gives
    Python scalars. Bools count only inside a list (to compare with a bool tensor); a bare bool
    is compared exactly. A ragged list gives None.
    """
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, bool):
        return None
    converted = _nested_numbers(value, allow_bool=True)
    if converted is None:
        return None
    data, kind = converted
    dtype = {"bool": torch.bool, "int": torch.int64, "float": torch.float64}[kind]
    try:
        return torch.tensor(data, dtype=dtype)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        # Ragged lists, complex numbers mixed into a float list, ints beyond int64.
        try:
            return torch.tensor(data)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            return None


def is_numeric(value: Any) -> bool:
    """Tell whether `value` is compared with assert_close semantics (not exactly)."""
    if isinstance(value, torch.Tensor):
        return True
    return _nested_numbers(value, allow_bool=False) is not None
