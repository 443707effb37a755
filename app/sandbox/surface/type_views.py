"""`type(x)` of a value the torch surface or the interpreter owns: a read-only class view.

`type(3) is int` must hold, so plain Python values get their real (builtin) class, which the
program could already name. Everything else gets a view that prints like the class
(`<class 'torch.Tensor'>`, `<class 'function'>`), compares equal to the program's own name for
it (`type(x) == torch.Tensor`, `type(layer) == nn.Linear`), works in `isinstance` — and has no
attributes at all: no `mro`, no `__subclasses__`, no constructor behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from app.sandbox.functions import InterpretedFunction
from app.sandbox.grad_fn_view import GradFnView
from app.sandbox.surface.values import TENSOR_TYPE, SurfaceValue, WrappedClass


class ClassView(SurfaceValue):
    """The class of a value, as the program may see it: a name and an isinstance test."""

    __slots__ = ("label", "test")

    def __init__(self, label: str, test: Callable[[Any], bool]) -> None:
        self.label = label
        self.test = test

    def __instancecheck__(self, instance: Any) -> bool:
        return self.test(instance)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassView) and other.label == self.label

    def __hash__(self) -> int:
        return hash(self.label)

    def display(self) -> str:
        return f"<class '{self.label}'>"


ClassView.__name__ = "type"  # as CPython names a class's type in messages ('type' object ...)


def _views_of(real: type, label: str | None = None) -> ClassView:
    key = (real, label)
    view = _CACHE.get(key)
    if view is None:
        name = label or f"{real.__module__}.{real.__qualname__}"
        view = _CACHE[key] = ClassView(name, lambda value: isinstance(value, real))
    return view


_CACHE: dict[tuple[type, str | None], ClassView] = {}


def python_type_name(value: Any) -> str:
    """The name CPython gives the class of `value` (`function`, `generator`,
    `builtin_function_or_method`, `AddBackward0`, `torch.return_types.max`)."""
    if isinstance(value, InterpretedFunction):
        return "function"
    if isinstance(value, GradFnView):
        return value.type_name
    kind = type(value)
    shown = getattr(kind, "python_name", None)  # the program's bridges (classes.py)
    if type(shown) is str:
        return shown
    if kind.__name__ == "PlainMethod":  # builtins.PlainMethod (no import: a cycle)
        return "builtin_function_or_method"
    if kind.__module__ == "builtins" or issubclass(kind, SurfaceValue):
        return kind.__name__  # the wrappers carry the name of what they stand for
    return f"{kind.__module__}.{kind.__name__}"


def named_view(label: str) -> ClassView:
    """The view of the class CPython calls `label`: it matches every value whose class has
    that name, so one view per name (shared by all runs) is the same whichever value asked
    for it first."""
    view = _NAMED.get(label)
    if view is None:
        view = _NAMED[label] = ClassView(label, lambda value: python_type_name(value) == label)
    return view


_NAMED: dict[str, ClassView] = {}


def surface_type(obj: Any, members: dict[str, dict[str, Any]]) -> Any:
    """`type(obj)` for a surface value; `members` are the namespaces' program values, so that
    the class of an nn module is the very `nn.Linear` the program can name."""
    kind = type(obj)
    if kind is torch.Tensor:
        return TENSOR_TYPE
    if isinstance(obj, nn.Module | torch.optim.Optimizer):
        for namespace in members.values():
            for value in namespace.values():
                if type(value) is WrappedClass and value.real is kind:
                    return value
        return _views_of(kind)
    if isinstance(obj, torch.Tensor):  # nn.Parameter and other tensor subclasses
        return _views_of(kind)
    if isinstance(obj, GradFnView):
        return named_view(obj.type_name)
    if kind is torch.Size:
        return _views_of(kind, "torch.Size")
    if kind is torch.dtype:
        return _views_of(kind, "torch.dtype")
    if isinstance(obj, tuple):  # torch.return_types.max and friends
        return _views_of(kind, f"torch.return_types.{kind.__name__}")
    # The wrappers carry the CPython type name of what they stand for (values.py).
    return named_view(python_type_name(obj))
