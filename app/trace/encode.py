"""Turn tensors and Python values into JSON-safe data (the `Value` of api-v1.md).

JSON has no NaN or infinity, so they become the strings "nan", "inf" and "-inf". Tensors larger
than the `value_elements` limit are cut (keeping their nesting depth) and marked truncated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from itertools import chain
from math import isfinite
from types import ModuleType
from typing import Any

import torch

from app.sandbox.sanitize import json_safe_text

JsonData = Any
TensorNodeId = Callable[[torch.Tensor], str | None]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def json_float(number: float) -> float | str:
    """Return `number`, or its string name when JSON cannot hold it."""
    if math.isfinite(number):
        return number
    if math.isnan(number):
        return "nan"
    return "inf" if number > 0 else "-inf"


_DTYPE_NAMES: dict[torch.dtype, str] = {}


def dtype_name(dtype: torch.dtype) -> str:
    """`torch.float32` → "float32"."""
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = str(dtype).removeprefix("torch.")
    return name


def _kept_sizes(shape: tuple[int, ...], limit: int) -> list[int]:
    """Sizes of the leading block to keep: cut outer dimensions first, keep the nesting depth."""
    kept = list(shape)
    for dim in range(len(kept)):
        inner = math.prod(shape[dim + 1 :])
        if inner * kept[dim] <= limit:
            break
        if inner <= limit:
            kept[dim] = max(1, limit // inner)
            break
        kept[dim] = 1
    return kept


def _replace_non_finite(values: list[Any]) -> list[Any]:
    """Copy of nested float lists with NaN/inf as strings (iterative: no recursion limit)."""
    top: list[Any] = list(values)
    stack = [top]
    while stack:
        current = stack.pop()
        for index, item in enumerate(current):
            if isinstance(item, list):
                current[index] = copied = list(item)
                stack.append(copied)
            elif not math.isfinite(item):
                current[index] = json_float(item)
    return top


def _all_finite(dim: int, values: Any) -> bool:
    # A sum is NaN or infinite whenever one of its terms is, so a finite sum proves them all
    # finite (an overflowing sum only costs the slow path).
    flat = values
    for _ in range(dim - 1):
        flat = chain.from_iterable(flat)
    return isfinite(sum(flat))


def tensor_data(tensor: torch.Tensor, limit: int) -> tuple[JsonData, bool]:
    """Return (`tensor.tolist()` made JSON-safe, truncated) for at most `limit` elements."""
    # The common case (small, 1-D, finite floats) is the hot path of capture: keep it short.
    if tensor.numel() > limit:
        sizes = _kept_sizes(tuple(tensor.shape), limit)
        tensor = tensor.detach()[tuple(slice(0, size) for size in sizes)]
        truncated = True
    else:
        truncated = False
    values: Any = tensor.tolist()
    if tensor.is_floating_point():
        dim = tensor.dim()
        if dim == 1:
            if not isfinite(sum(values)):
                values = _replace_non_finite(values)
        elif dim == 0:
            if not isfinite(values):
                values = json_float(values)
        elif not _all_finite(dim, values):
            values = _replace_non_finite(values)
    elif tensor.is_complex():
        # The language has no complex dtypes; stay readable rather than fail if one appears.
        values = _replace_complex(values)
    return values, truncated


def _replace_complex(values: Any) -> Any:
    if not isinstance(values, list):
        return str(values)
    return [_replace_complex(item) for item in values]


def safe_repr(obj: Any) -> str:
    """repr() without memory addresses (they differ between runs and leak process details)."""
    try:
        from app.sandbox.torch_surface import to_repr  # the language's own repr, when present
    except ImportError:
        text = repr(obj)
    else:
        try:
            text = to_repr(obj)
        except Exception:
            try:
                text = repr(obj)
            except Exception:
                # e.g. nn.ReLU(tensor): CPython builds it fine and fails only when it is printed.
                text = f"<{type(obj).__name__} object>"
    return _ADDRESS.sub("", text)


def grad_fn_of(tensor: torch.Tensor) -> Any:
    """`tensor.grad_fn`, or None where torch refuses to give it.

    Reading grad_fn of a view made under no_grad whose base was later changed in place raises
    a RuntimeError; the program only sees that error if it reads grad_fn itself.
    """
    try:
        return tensor.grad_fn
    except RuntimeError:
        return None


def is_leaf_of(tensor: torch.Tensor) -> bool | None:
    """`tensor.is_leaf`, or None where torch refuses to say (the same views as grad_fn_of)."""
    try:
        return tensor.is_leaf
    except RuntimeError:
        return None


def grad_of(tensor: torch.Tensor) -> torch.Tensor | None:
    """`tensor.grad` without torch's non-leaf warning (a non-leaf without retain_grad has none)."""
    if is_leaf_of(tensor) or tensor.retains_grad:
        return tensor.grad
    return None


def encode_tensor(
    tensor: torch.Tensor, limit: int, node_id: TensorNodeId | None = None
) -> dict[str, Any]:
    """The tensor `Value` of api-v1.md: shape, dtype, flags, value and grad."""
    value, truncated = tensor_data(tensor, limit)
    grad = grad_of(tensor)
    grad_value = None
    if grad is not None:
        grad_value, grad_truncated = tensor_data(grad, limit)
        truncated = truncated or grad_truncated
    grad_fn = grad_fn_of(tensor)
    return {
        "kind": "tensor",
        "node": node_id(tensor) if node_id is not None else None,
        "shape": list(tensor.shape),
        "dtype": dtype_name(tensor.dtype),
        "requires_grad": tensor.requires_grad,
        "is_leaf": is_leaf_of(tensor),
        "grad_fn": None if grad_fn is None else type(grad_fn).__name__,
        "value": value,
        "grad": grad_value,
        "truncated": truncated,
    }


def encode_value(obj: Any, limit: int, node_id: TensorNodeId | None = None) -> dict[str, Any]:
    """The `Value` of any final or bound value; containers keep at most `limit` items."""
    if isinstance(obj, torch.Tensor):
        return encode_tensor(obj, limit, node_id)
    if obj is None:
        return {"kind": "none", "value": None}
    if isinstance(obj, bool):
        return {"kind": "bool", "value": obj}
    if isinstance(obj, int):
        return {"kind": "int", "value": obj}
    if isinstance(obj, float):
        return {"kind": "float", "value": json_float(obj)}
    if isinstance(obj, str):
        text = json_safe_text(obj)
        if len(text) > limit * 10:
            return {"kind": "str", "value": text[: limit * 10], "truncated": True}
        return {"kind": "str", "value": text}
    if isinstance(obj, ModuleType):  # repr would show the server's file path
        return {"kind": "module", "repr": f"<module '{obj.__name__}'>"}
    if type(obj) in (list, tuple):
        items = [encode_value(item, limit, node_id) for item in obj[:limit]]
        encoded: dict[str, Any] = {"kind": type(obj).__name__, "items": items}
        if len(obj) > limit:
            encoded["truncated"] = True
        return encoded
    if type(obj) is dict:
        entries = [
            {"key": encode_value(key, limit, node_id), "value": encode_value(val, limit, node_id)}
            for key, val in list(obj.items())[:limit]
        ]
        encoded = {"kind": "dict", "entries": entries, "repr": safe_repr(obj)}
        if len(obj) > limit:
            encoded["truncated"] = True
        return encoded
    return {"kind": _kind_name(obj), "repr": safe_repr(obj)}


# The sandbox's wrapper values, named as a reader of Python knows them.
_WRAPPER_KINDS = {
    "Namespace": "module",
    "SurfaceFunction": "function",
    "BoundMethod": "method",
    "InterpretedFunction": "function",
    "WrappedClass": "type",
    "GradFnView": "grad_fn",
    "HookHandle": "RemovableHandle",
}


def _kind_name(obj: Any) -> str:
    """Type name as a reader knows it: `torch.Size`, `torch.dtype`, `Linear`, `function`."""
    kind = type(obj)
    if kind in (torch.Size, torch.dtype, torch.device):
        return f"torch.{kind.__name__}"
    return _WRAPPER_KINDS.get(kind.__name__, kind.__name__)
