"""Turn tensors and Python values into JSON-safe data (the `Value` of api-v1.md).

JSON has no NaN or infinity, so they become the strings "nan", "inf" and "-inf". Tensors larger
than the `value_elements` limit are cut (keeping their nesting depth) and marked truncated.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from math import isfinite
from types import ModuleType
from typing import Any

import torch

from app.sandbox.sanitize import json_safe_text

JsonData = Any
TensorNodeId = Callable[[torch.Tensor], str | None]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# A string may hold this many characters per element of the limit: text is cheap to send.
CHARS_PER_ELEMENT = 10


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
        return _finite_floats(values, tensor.dim()), truncated
    if tensor.is_complex():
        # The language has no complex dtypes; stay readable rather than fail if one appears.
        values = _replace_complex(values)
    return values, truncated


def _finite_floats(values: Any, dim: int) -> Any:
    """`tolist()` of a floating tensor of `dim` dimensions, NaN and infinities as strings."""
    if dim == 1:
        if not isfinite(sum(values)):
            return _replace_non_finite(values)
    elif dim == 0:
        if not isfinite(values):
            return json_float(values)
    elif not _all_finite(dim, values):
        return _replace_non_finite(values)
    return values


class ElementBudget:
    """The elements one part of a result (graph, trace) may still show in full.

    Each Value holds at most `value_elements` elements, but a graph of 2,000 nodes of
    1,000-element tensors would put 120 MB of values into one result. So a part shares a budget
    of `full_values` full Values; past it, tensors are cut to their first element (and marked
    truncated), as large tensors are cut.
    """

    __slots__ = ("left", "value_elements")

    def __init__(self, full_values: int, value_elements: int) -> None:
        self.value_elements = value_elements
        self.left = full_values * value_elements

    def take(self, elements: int) -> int:
        """The element limit of a tensor of `elements` elements, counted against the budget."""
        limit = self.value_elements if self.left > 0 else 1
        self.left -= min(elements, limit)
        return limit


def tensors_data(
    tensors: Sequence[torch.Tensor],
    budget: ElementBudget,
    shapes: Sequence[torch.Size],
    dtypes: Sequence[torch.dtype],
) -> list[tuple[JsonData, bool]]:
    """`tensor_data` of each tensor (whose shape and dtype the caller has read already), each
    with the limit `budget` gives it, in order.

    A capture encodes thousands of small tensors; knowing their shapes and dtypes saves three
    calls into torch per tensor.
    """
    encoded: list[tuple[JsonData, bool]] = []
    append = encoded.append
    for tensor, shape, dtype in zip(tensors, shapes, dtypes, strict=True):
        elements = math.prod(shape)
        limit = budget.take(elements)
        if dtype.is_complex or elements > limit:
            append(tensor_data(tensor, limit))
        elif dtype.is_floating_point:
            append((_finite_floats(tensor.tolist(), len(shape)), False))
        else:
            append((tensor.tolist(), False))
    return encoded


def _replace_complex(values: Any) -> Any:
    if not isinstance(values, list):
        return str(values)
    return [_replace_complex(item) for item in values]


def safe_repr(obj: Any) -> str:
    """repr() without memory addresses (they differ between runs and leak process details)."""
    from app.sandbox.classes import short_repr

    # The program's own objects: never its __repr__ (code of the program run by the capture,
    # outside the statement it belongs to).
    own = short_repr(obj)
    if own is not None:
        return own
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
    """The `Value` of any final or bound value; at most `limit` elements in all, nested ones too."""
    if type(obj) in _CONTAINERS:
        return _encode_container(obj, limit, node_id)[0]
    return _encode_single(obj, limit, node_id)


def encode_value_counted(
    obj: Any, limit: int, node_id: TensorNodeId | None = None
) -> tuple[dict[str, Any], int]:
    """`encode_value` and the elements its Value holds (text: one per CHARS_PER_ELEMENT chars)."""
    if type(obj) in _CONTAINERS:
        return _encode_container(obj, limit, node_id)
    encoded = _encode_single(obj, limit, node_id)
    if isinstance(obj, torch.Tensor):
        return encoded, max(1, min(obj.numel(), limit))
    text = encoded["repr"] if "repr" in encoded else encoded["value"]
    if type(text) is str:
        return encoded, 1 + len(text) // CHARS_PER_ELEMENT
    return encoded, 1


def _encode_single(obj: Any, limit: int, node_id: TensorNodeId | None) -> dict[str, Any]:
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
        if len(text) > limit * CHARS_PER_ELEMENT:
            return {"kind": "str", "value": text[: limit * CHARS_PER_ELEMENT], "truncated": True}
        return {"kind": "str", "value": text}
    if isinstance(obj, ModuleType):  # repr would show the server's file path
        return {"kind": "module", "repr": f"<module '{obj.__name__}'>"}
    return {"kind": _kind_name(obj), "repr": safe_repr(obj)}


_CONTAINERS = (list, tuple, dict)
# Deeper containers are shown empty and truncated: JSON encoders and decoders recurse.
_MAX_DEPTH = 100


@dataclass(slots=True)
class _OpenContainer:
    """A list, tuple or dict whose items are being encoded."""

    obj: list[Any] | tuple[Any, ...] | dict[Any, Any]
    encoded: dict[str, Any]
    items: list[dict[str, Any]]  # a dict's keys and values alternate
    rest: Iterator[Any]
    truncated: bool = False  # an item was left out here
    cut: bool = False  # ... or further in: then a dict cannot show its full repr


def _open(obj: list[Any] | tuple[Any, ...] | dict[Any, Any]) -> _OpenContainer:
    items: list[dict[str, Any]] = []
    if type(obj) is dict:
        return _OpenContainer(obj, {"kind": "dict"}, items, chain.from_iterable(obj.items()))
    return _OpenContainer(obj, {"kind": type(obj).__name__, "items": items}, items, iter(obj))


def _encode_container(
    obj: list[Any] | tuple[Any, ...] | dict[Any, Any], limit: int, node_id: TensorNodeId | None
) -> tuple[dict[str, Any], int]:
    # One budget for the whole value, walked depth first without recursion: per nesting level,
    # a dict of 1000 lists of 1000 ints would keep a million of them.
    budget = limit
    top = _open(obj)
    stack = [top]
    while stack:
        current = stack[-1]
        too_deep = len(stack) > _MAX_DEPTH
        inner = None
        for item in current.rest:  # resumed where it stopped when an inner container is done
            if budget <= 0 or too_deep:
                current.truncated = current.cut = True
                break
            budget -= 1
            if type(item) in _CONTAINERS:
                inner = _open(item)
                current.items.append(inner.encoded)
                break
            encoded = _encode_single(item, limit, node_id)
            current.items.append(encoded)
            kind = encoded["kind"]
            if kind == "tensor":  # it costs the elements it keeps (its own cut, as on its own)
                budget -= max(1, min(item.numel(), limit)) - 1
            elif kind == "str" or "repr" in encoded:
                # Text costs its length, like on its own: one list of a long string repeated
                # a thousand times must not carry a thousand copies of it.
                budget = _charge_text(encoded, budget + 1, current)
        if inner is not None:
            stack.append(inner)
            continue
        stack.pop()
        _close(current)
        if current.cut and stack:
            stack[-1].cut = True
    return top.encoded, limit - budget


def _charge_text(encoded: dict[str, Any], budget: int, container: _OpenContainer) -> int:
    """Take the text of a string or repr item from the value's budget (one element per
    CHARS_PER_ELEMENT characters, at least one), cutting it to what is left; the budget left."""
    field = "value" if encoded["kind"] == "str" else "repr"
    text = encoded[field]
    cost = 1 + len(text) // CHARS_PER_ELEMENT
    if cost > budget:
        encoded[field] = text[: max(budget - 1, 0) * CHARS_PER_ELEMENT]
        encoded["truncated"] = True
        cost = budget
    if "truncated" in encoded:
        container.cut = True  # the full repr would hold the whole text
    return budget - cost


def _close(container: _OpenContainer) -> None:
    """Finish the Value: a dict's keys paired with their values and its repr; the cut flag."""
    encoded = container.encoded
    if type(container.obj) is dict:
        items = container.items
        # A key whose value did not fit in the budget is left out with it.
        entries = [{"key": items[i], "value": items[i + 1]} for i in range(0, len(items) - 1, 2)]
        encoded["entries"] = entries
        if container.cut:
            encoded["repr"] = _cut_dict_repr(container.obj, len(entries))
        else:
            encoded["repr"] = safe_repr(container.obj)
    if container.truncated:
        encoded["truncated"] = True


class _ShortRepr(reprlib.Repr):
    """reprlib's bounded repr, with dicts in insertion order as Python prints them."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3  # with at most 6 items a level, one entry shows at most 216 leaves

    def repr_dict(self, x: dict[Any, Any], level: int) -> str:
        if not x:
            return "{}"
        if level <= 0:
            return "{...}"
        return self.first_entries(x, self.maxdict, level)

    def first_entries(self, x: dict[Any, Any], count: int, level: int) -> str:
        """The repr of the first `count` entries of `x`, ending with "..." if it has more."""
        pieces = [
            f"{self.repr1(key, level - 1)}: {self.repr1(value, level - 1)}"
            for key, value in islice(x.items(), count)
        ]
        if len(x) > count:
            pieces.append("...")
        return "{" + ", ".join(pieces) + "}"

    def repr_instance(self, x: Any, level: int) -> str:
        text = safe_repr(x)  # tensors and the sandbox's wrappers as the language shows them
        if len(text) > self.maxother:
            head = (self.maxother - 3) // 2
            tail = self.maxother - 3 - head
            text = text[:head] + "..." + text[len(text) - tail :]
        return text


_SHORT_REPR = _ShortRepr()


def _cut_dict_repr(obj: dict[Any, Any], kept: int) -> str:
    """A short repr of a dict that was cut, from its kept entries (the full one can be huge)."""
    return _ADDRESS.sub("", _SHORT_REPR.first_entries(obj, kept, _SHORT_REPR.maxlevel))


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
    shown = getattr(kind, "python_name", None)  # the program's bridges (sandbox/classes.py)
    if type(shown) is str:
        return shown
    return _WRAPPER_KINDS.get(kind.__name__, kind.__name__)
