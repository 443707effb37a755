"""The wrapper values the torch surface hands to programs instead of real torch objects.

A program never holds a real module, builtin function or class of torch: it holds these
read-only views, and every use of them goes back through `torch_surface.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import torch

from app.sandbox.allowlist import Entry
from app.sandbox.costs import Estimator, estimator_for


def as_python_type(cls: type, name: str) -> type:
    """A subclass of `cls` whose type name is `name`, cached.

    CPython's own messages name a value's type ("unsupported operand type(s) for +: 'module'
    and 'int'", "object of type 'generator' has no len()"); a wrapper must show the name of the
    object it stands for, not its own.
    """
    key = (cls, name)
    renamed = _RENAMED.get(key)
    if renamed is None:
        renamed = type(name, (cls,), {"__slots__": ()})
        _RENAMED[key] = renamed
    return renamed


_RENAMED: dict[tuple[type, str], type] = {}


class SurfaceValue:
    """Base of the wrappers; `is_surface_value` recognises them by this class."""

    __slots__ = ()

    def display(self) -> str:
        """How print/repr show the value (no memory addresses)."""
        return f"<{type(self).__name__}>"

    def __repr__(self) -> str:
        # Also used when the value sits inside a list or tuple the program prints.
        return self.display()


class Namespace(SurfaceValue):
    """A read-only view of `torch`, `torch.nn`, `torch.nn.functional`, ...: only table names."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def display(self) -> str:
        return f"<module '{self.path}'>"


class SurfaceFunction(SurfaceValue):
    """A wrapped torch callable: `torch.ones`, `F.relu`, `torch.autograd.grad`, `torch.no_grad`."""

    __slots__ = ("entry", "estimator", "name", "qualified", "target")

    def __init__(self, qualified: str, target: Callable[..., Any], entry: Entry) -> None:
        self.qualified = qualified
        self.name = qualified.rsplit(".", 1)[-1]
        self.target = target
        self.entry = entry
        self.estimator: Estimator = estimator_for(entry.cost, target)

    def display(self) -> str:
        # As CPython prints them, minus the address.
        if type(self).__name__ == "builtin_function_or_method":
            if isinstance(getattr(self.target, "__self__", None), ModuleType):
                return f"<built-in function {self.name}>"  # math.sqrt
            return f"<built-in method {self.name} of type object>"
        return f"<function {self.name}>"


class WrappedClass(SurfaceValue):
    """A constructor such as `nn.Linear` or `optim.SGD`; isinstance works, attributes do not."""

    __slots__ = ("entry", "qualified", "real")

    def __init__(self, qualified: str, real: type, entry: Entry) -> None:
        self.qualified = qualified
        self.real = real
        self.entry = entry

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.real)

    def display(self) -> str:
        return repr(self.real)


class BaseClassToken(SurfaceValue):
    """`nn.Module`, `torch.autograd.Function`: a base for the program's classes and a type for
    `isinstance`; nothing else (classes.py builds the subclasses)."""

    __slots__ = ("qualified", "real")

    def __init__(self, qualified: str, real: type) -> None:
        self.qualified = qualified
        self.real = real

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.real)

    def display(self) -> str:
        return repr(self.real)


class TensorTypeToken(SurfaceValue):
    """`torch.Tensor`, `torch.FloatTensor`, ...: usable in `isinstance(x, torch.Tensor)`, and
    callable as the legacy constructor (the surface pays and checks the call first)."""

    __slots__ = ("name", "real")

    def __init__(self, name: str, real: Any) -> None:
        self.name = name
        self.real = real

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self.real)

    def display(self) -> str:
        return f"<class 'torch.{self.name}'>"


TensorTypeToken.__name__ = "torch._C._TensorMeta"  # torch.Tensor's metaclass, as CPython names it
TENSOR_TYPE = TensorTypeToken("Tensor", torch.Tensor)


class BoundMethod(SurfaceValue):
    """`x.add`, `model.parameters`, `opt.step`, `y.grad_fn.name`: owner plus an allowed name."""

    __slots__ = ("entry", "name", "owner")

    def __init__(self, owner: Any, name: str, entry: Entry) -> None:
        self.owner = owner
        self.name = name
        self.entry = entry

    # As CPython's bound methods: equal when the same method is bound to the same object (by
    # identity: a tensor's own == is never called), hashed the same way.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BoundMethod):
            return NotImplemented
        return self.owner is other.owner and self.name == other.name

    def __hash__(self) -> int:
        return hash((id(self.owner), self.name))

    def display(self) -> str:
        # As CPython prints them, minus the address.
        owner_type = "Tensor" if isinstance(self.owner, torch.Tensor) else type(self.owner).__name__
        if type(self).__name__ == "method":
            return f"<bound method {owner_type}.{self.name} of {self.owner!r}>"
        return f"<built-in method {self.name} of {owner_type} object>"


class GradModeContext(SurfaceValue):
    """`torch.no_grad()`, `torch.enable_grad()`, `torch.set_grad_enabled(flag)` for `with`.

    Wraps the real context object so that entering and leaving behave exactly like torch
    (set_grad_enabled switches the mode as soon as it is called, as in torch).
    """

    __slots__ = ("name", "real")

    def __init__(self, name: str, real: Any) -> None:
        self.name = name
        self.real = real

    def __enter__(self) -> None:
        self.real.__enter__()

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        self.real.__exit__(exc_type, exc, traceback)

    def display(self) -> str:
        return f"<torch.autograd.grad_mode.{self.name} object>"


class SurfaceGenerator(SurfaceValue):
    """`model.parameters()` / `named_parameters()`: a one-shot iterator, like the real generator."""

    __slots__ = ("items", "label")

    def __init__(self, label: str, items: list[Any]) -> None:
        self.label = label
        self.items: Iterator[Any] = iter(items)

    def display(self) -> str:
        return f"<generator object {self.label}>"


class HookHandle(SurfaceValue):
    """The handle `register_hook` returns; only `remove()` is offered."""

    __slots__ = ("real",)

    def __init__(self, real: Any) -> None:
        self.real = real

    def display(self) -> str:
        return "<torch.utils.hooks.RemovableHandle object>"


class GeneratorToken(SurfaceValue):
    """What `torch.manual_seed` returns: printable, with no methods (no get_state/set_state)."""

    __slots__ = ()

    def display(self) -> str:
        return "<torch._C.Generator object>"


GeneratorToken.__name__ = "torch._C.Generator"
GENERATOR_TOKEN = GeneratorToken()

# The wrappers of one kind stand for objects of one CPython type.
Namespace.__name__ = "module"
WrappedClass.__name__ = "type"
SurfaceGenerator.__name__ = "generator"
HookHandle.__name__ = "RemovableHandle"
