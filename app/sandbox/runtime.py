"""Value semantics of one run: routing every operation to plain Python or the torch surface.

The compiled closures of `interpreter.py` call these methods; builtins (`builtins.py`) use
them too, so that `sum`, `max` or `print` of tensors go through the same paid and observed
paths as the program's own operators.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from app.sandbox import classes, container_costs
from app.sandbox.classes import is_program_value
from app.sandbox.context import RunContext
from app.sandbox.errors import ProgramException, SandboxViolation
from app.sandbox.formatting import percent_format
from app.sandbox.functions import InterpretedFunction
from app.sandbox.operators import NUMERIC_FAST_PATH, UNARY_OPERATORS
from app.sandbox.python_values import (
    DICT_VIEWS,
    PLAIN_SCALARS,
    PLAIN_TYPES,
    CheckedOperators,
    ValueFormatter,
    type_name,
)


@functools.cache  # an import statement costs microseconds even when the module is loaded
def load_surface() -> ModuleType:
    """The torch surface module (`torch_surface.py`), the only way values reach torch."""
    from app.sandbox import torch_surface

    return torch_surface


class Stdout:
    """The program's output, capped at `stdout_bytes`; the cap stops the run."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._parts: list[str] = []
        self._bytes = 0
        self.length = 0
        self.truncated = False

    def write(self, text: str) -> None:
        # Strict, like CPython's UTF-8 stdout: printing a lone surrogate is a UnicodeEncodeError.
        size = len(text.encode("utf-8"))
        limit = self._ctx.limits.stdout_bytes
        if self._bytes + size > limit:
            room = limit - self._bytes
            kept = text.encode("utf-8")[:room].decode("utf-8", "ignore")
            self._parts.append(kept)
            self.length += len(kept)
            self._bytes = limit
            self.truncated = True
            raise self._ctx.limit_exceeded(
                "stdout_bytes", f"The program printed more than {limit:,} bytes."
            )
        self._parts.append(text)
        self._bytes += size
        self.length += len(text)

    def getvalue(self) -> str:
        return "".join(self._parts)


class Runtime:
    """Operations on values, shared by compiled code and builtins."""

    def __init__(self, ctx: RunContext, surface: ModuleType) -> None:
        self.ctx = ctx
        self.surface = surface
        self.is_surface: Callable[[Any], bool] = surface.is_surface_value
        self.stdout = Stdout(ctx)
        self.formatter = ValueFormatter(self.is_surface, surface.to_str, surface.to_repr, ctx)
        self.to_str = self.formatter.to_str
        self.to_repr = self.formatter.to_repr
        self.operators = CheckedOperators(ctx)
        # One implementation per operator symbol: it depends only on this runtime, and the
        # compiler asks for it at every operator in the program.
        self._binaries: dict[str, Callable[[Any, Any], Any]] = {}
        # The exceptions being handled, innermost last (a bare `raise` re-raises the last one,
        # also from a function the handler calls, as CPython's thread state does).
        self.handling: list[ProgramException] = []

    def binary(self, symbol: str) -> Callable[[Any, Any], Any]:
        """The implementation of binary operator `symbol` (e.g. "+", "+=", "<")."""
        implementation = self._binaries.get(symbol)
        if implementation is None:
            implementation = self._binaries[symbol] = self._make_binary(symbol)
        return implementation

    def _make_binary(self, symbol: str) -> Callable[[Any, Any], Any]:
        plain = self.operators.operator_for(symbol)
        is_surface = self.is_surface
        surface_op: Callable[..., Any] = self.surface.binary_op
        ctx = self.ctx
        plain_types = PLAIN_TYPES
        # Numbers take a fast path: the operator runs first and only an int result is checked
        # (operands are already within int_bits, so computing it is cheap). `**` and `<<` are
        # checked before they run, in CheckedOperators.
        fast = NUMERIC_FAST_PATH.get(symbol)
        int_bits = ctx.limits.int_bits
        too_big = self.operators.int_too_big

        def apply(left: Any, right: Any) -> Any:
            left_type = type(left)
            right_type = type(right)
            if (
                fast is not None
                and (left_type is int or left_type is float)
                and (right_type is int or right_type is float)
            ):
                result = fast(left, right)
                if type(result) is int and result.bit_length() > int_bits:
                    too_big(result.bit_length())
                return result
            if left_type in plain_types and right_type in plain_types:
                return plain(left, right)
            if is_surface(left) or is_surface(right):
                return surface_op(symbol, left, right, ctx)
            return plain(left, right)

        if symbol in ("%", "%="):
            # `'%.3f' % value`: str's own % wins over the right operand's, as in CPython, and
            # the sandbox formats (formatting.py).
            numeric = apply

            def apply_mod(left: Any, right: Any) -> Any:
                if type(left) is str:
                    return percent_format(self, left, right)
                return numeric(left, right)

            return apply_mod
        return apply

    def unary(self, symbol: str) -> Callable[[Any], Any]:
        plain = UNARY_OPERATORS[symbol]
        is_surface = self.is_surface
        surface_op: Callable[..., Any] = self.surface.unary_op
        ctx = self.ctx

        def apply(operand: Any) -> Any:
            if type(operand) not in PLAIN_SCALARS and is_surface(operand):
                return surface_op(symbol, operand, ctx)
            return plain(operand)

        return apply

    def truth(self, value: Any) -> bool:
        if value is True:
            return True
        if value is False or value is None:
            return False
        if type(value) in PLAIN_TYPES or not self.is_surface(value):
            return bool(value)
        return bool(self.surface.truth(value, self.ctx))

    def iterate(self, value: Any) -> Iterator[Any]:
        if type(value) in PLAIN_TYPES or not self.is_surface(value):
            if isinstance(value, InterpretedFunction):
                raise TypeError("'function' object is not iterable")
            return iter(value)
        return iter(self.surface.iterate(value, self.ctx))

    def contains(self, item: Any, container: Any) -> bool:
        """`item in container`, with lazy iterators walked a step per item."""
        kind = type(container)
        if kind in PLAIN_TYPES:
            if kind in PLAIN_SCALARS and kind is not str:
                # `1 in 2`: nothing to walk; CPython's own TypeError ("argument of type 'int'
                # is not iterable"), not the cost rule's len() failing first.
                return item in container
            if kind is not range:
                operators = self.operators
                size = container_costs.search_size(container, item, operators.walk_cap())
                operators.charge_walk(size, "This 'in' test")
            return item in container
        if kind.__name__ in DICT_VIEWS:
            operators = self.operators
            cap = operators.walk_cap()
            if kind.__name__.endswith("_values"):  # compared one by one; keys and items hash
                size = container_costs.search_size(list(container), item, cap)
            else:
                size = container_costs.hash_size(item, cap)
            operators.charge_walk(size, "This 'in' test")
            return item in container
        if self.is_surface(container):
            return bool(self.surface.binary_op("in", item, container, self.ctx))
        if isinstance(container, InterpretedFunction):
            raise TypeError("argument of type 'function' is not iterable")
        if not hasattr(container, "__next__"):
            return item in container  # CPython's own TypeError for non-containers
        # zip/enumerate/reversed: CPython would walk them in C, out of reach of the step limit.
        equal = self.binary("==")
        step = self.ctx.step
        for value in container:
            step()
            if value is item or self.truth(equal(value, item)):
                return True
        return False

    def call(self, function: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        kind = type(function)
        if kind is InterpretedFunction:
            return function.invoke(args, kwargs)
        if kind is PlainMethod:
            return function.call(args, kwargs)
        builtin = BUILTIN_CALLS.get(id(function))
        if builtin is not None:
            return builtin(self, args, kwargs)
        if is_program_value(function):  # the program's classes, objects and methods
            return classes.call(function, args, kwargs, self.ctx)
        if self.is_surface(function):
            return self.surface.call(function, args, kwargs, self.ctx)
        raise TypeError(f"'{type_name(function)}' object is not callable")

    def get_attribute(self, value: Any, name: str) -> Any:
        kind = type(value)
        if kind in PLAIN_TYPES or kind is InterpretedFunction:
            return plain_method(self, value, name)
        if is_program_value(value):
            return classes.get_attribute(value, name, self.ctx, self.surface)
        if self.is_surface(value):
            return self.surface.get_attribute(value, name, self.ctx)
        return plain_method(self, value, name)

    def set_attribute(self, target: Any, name: str, value: Any) -> None:
        if is_program_value(target):
            classes.set_attribute(target, name, value, self.ctx)
            return
        if type(target) not in PLAIN_TYPES and self.is_surface(target):
            self.surface.set_attribute(target, name, value, self.ctx)
            return
        raise SandboxViolation(
            f"Line {self.ctx.line}: attributes can only be assigned on tensors "
            "(.requires_grad, .grad, .data) and on objects of the program's own classes.",
            line=self.ctx.line,
            col=self.ctx.col,
        )

    def get_item(self, value: Any, key: Any) -> Any:
        if type(value) in PLAIN_TYPES or not self.is_surface(value):
            key_kind = type(key)
            if key_kind is slice:
                self._pay_slice(value, key)
            elif key_kind is tuple:
                self._pay_hash(key)
            return value[key]
        return self.surface.get_item(value, key, self.ctx)

    def _pay_slice(self, value: Any, key: slice) -> None:
        """A slice of a list, tuple or string is a copy: pay its items before it is made."""
        if type(value) not in (list, tuple, str):
            return  # a range slices to a range; dicts refuse slices themselves
        try:
            count = len(range(*key.indices(len(value))))
        except (TypeError, ValueError):
            return  # CPython raises its own error for the slice
        self.operators.charge_created(count)

    def _pay_hash(self, key: tuple[Any, ...]) -> None:
        """Hashing a tuple walks all of it (tuples do not cache their hash)."""
        operators = self.operators
        operators.charge_walk(container_costs.hash_size(key, operators.walk_cap()), "Hashing")

    def add_to_set(self, target: set[Any], item: Any) -> None:
        """`{x for ...}`: put `item` into the set being built, paying a tuple's hash first."""
        if type(item) is tuple:
            self._pay_hash(item)
        target.add(item)
        self.operators.check_length(target)

    def set_item(self, target: Any, key: Any, value: Any) -> None:
        kind = type(target)
        if kind in PLAIN_TYPES or not self.is_surface(target):
            if type(key) is tuple:
                self._pay_hash(key)
            elif type(key) is slice and kind is list:
                self.operators.charge_created(len(value) if type(value) in (list, tuple) else 0)
            target[key] = value
            if kind is list or kind is dict:
                self.operators.check_length(target)
            return
        self.surface.set_item(target, key, value, self.ctx)


from app.sandbox.builtins import BUILTIN_CALLS, PlainMethod, plain_method  # noqa: E402  (cycle: builtins uses Runtime)
