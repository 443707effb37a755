"""Plain Python values in the playground: size-checked operators and CPython-exact formatting.

Operators run the real `operator` functions so CPython's own results and error messages come
out; the checks before them keep ints, strings and lists within the run's limits. Formatting
reproduces CPython's `str`/`repr` for containers while handing every surface value (tensors,
grad_fn views) to the torch surface, so that nothing prints a memory address.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from itertools import islice
from typing import Any

from app.sandbox import container_costs
from app.sandbox.context import RunContext
from app.sandbox.errors import SandboxViolation
from app.sandbox.exceptions import exception_repr, exception_str
from app.sandbox.operators import BINARY_OPERATORS, COMPARISON_SYMBOLS

# Types whose operators, truth and formatting are pure CPython and never reach torch.
PLAIN_SCALARS: frozenset[type] = frozenset({int, float, bool, str, type(None)})
PLAIN_TYPES: frozenset[type] = PLAIN_SCALARS | {list, tuple, dict, range, set, frozenset}

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def strip_addresses(text: str) -> str:
    """Drop ` at 0x7f…` from a default repr: addresses must never reach the user."""
    return _ADDRESS.sub("", text)


def type_name(value: Any) -> str:
    """The type name CPython would print for `value` in an error message."""
    from app.sandbox.functions import InterpretedFunction  # avoid an import cycle

    if isinstance(value, InterpretedFunction):
        return "function"
    shown = getattr(type(value), "python_name", None)  # the program's bridges (classes.py)
    return shown if type(shown) is str else type(value).__name__


class ValueFormatter:
    """`str`/`repr` of any value the program holds, exactly as CPython would print it."""

    def __init__(
        self,
        is_surface_value: Callable[[Any], bool],
        surface_str: Callable[[Any], str],
        surface_repr: Callable[[Any], str],
        ctx: RunContext,
    ) -> None:
        self._is_surface_value = is_surface_value
        self._surface_str = surface_str
        self._surface_repr = surface_repr
        self._ctx = ctx

    def to_str(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return str(value)
        if kind in PLAIN_SCALARS:
            return str(value)
        if self._is_surface_value(value):
            return self._surface_str(value)
        if isinstance(value, BaseException):
            return exception_str(value, self.to_str, self.to_repr)
        if getattr(kind, "__sandbox__", None) is not None:
            return strip_addresses(str(value))  # a program object: its own __str__ (classes.py)
        return self.to_repr(value)

    def to_repr(self, value: Any) -> str:
        kind = type(value)
        if kind in PLAIN_SCALARS or kind is range:
            return repr(value)
        if kind in (list, tuple, dict) or kind.__name__ in _DICT_VIEWS:
            return self._container_repr(value)
        if self._is_surface_value(value):
            return self._surface_repr(value)
        if kind is set or kind is frozenset:
            return self._set_repr(value)
        if isinstance(value, BaseException):
            return exception_repr(value, self.to_repr)
        return strip_addresses(repr(value))

    def _set_repr(self, value: set[Any] | frozenset[Any]) -> str:
        """`{1, 2}`, `set()`, `frozenset({1})`: the items as a list's, capped the same way."""
        name = type(value).__name__
        if not value:
            return f"{name}()"
        items = "{" + self._container_repr(list(value))[1:-1] + "}"
        return items if type(value) is set else f"{name}({items})"

    def _container_repr(self, value: Any) -> str:
        # Iterative, with CPython's `[...]` for a container that contains itself.
        pieces: list[str] = []
        length = 0
        # A list can repeat one long string many times: cap the text, not just the items.
        max_length = self._ctx.limits.str_length
        active: set[int] = set()
        # A work item is either a value to render or a literal piece of text to emit.
        work: list[tuple[bool, Any]] = [(False, value)]
        while work:
            if length > max_length:
                raise self._ctx.limit_exceeded(
                    "str_length",
                    f"The text of this value would be longer than {max_length:,} characters.",
                )
            is_text, item = work.pop()
            if is_text:
                if isinstance(item, int):
                    active.discard(item)
                else:
                    pieces.append(item)
                    length += len(item)
                continue
            kind = type(item)
            view = kind.__name__ if kind.__name__ in _DICT_VIEWS else None
            if kind not in (list, tuple, dict) and view is None:
                text = self.to_repr(item)
                pieces.append(text)
                length += len(text)
                continue
            if id(item) in active:
                pieces.append("[...]" if kind is list else "{...}" if kind is dict else "(...)")
                continue
            active.add(id(item))
            if view is not None:
                opening, closing = f"{view}([", "])"
                entries: list[Any] = list(item)
                parts = [(False, entry) for entry in entries]
                if view.endswith("_items"):
                    parts = [(False, tuple(entry)) for entry in entries]
            elif kind is dict:
                opening, closing = "{", "}"
                parts = []
                for key, entry in item.items():
                    parts.extend([(False, key), (True, ": "), (False, entry)])
                parts = _join_pairs(parts)
            else:
                opening, closing = ("[", "]") if kind is list else ("(", ")")
                parts = [(False, entry) for entry in item]
                if kind is tuple and len(item) == 1:
                    closing = ",)"
            sequence: list[tuple[bool, Any]] = [(True, opening)]
            for index, part in enumerate(parts):
                if index and not (kind is dict and view is None):
                    sequence.append((True, ", "))
                sequence.append(part)
            sequence.append((True, closing))
            sequence.append((True, id(item)))
            work.extend(reversed(sequence))
        self._ctx.charge_python_items(length)  # the text is a new string like any other
        return "".join(pieces)


def _join_pairs(parts: list[tuple[bool, Any]]) -> list[tuple[bool, Any]]:
    """Insert ", " between the key/value triples of a dict rendering."""
    joined: list[tuple[bool, Any]] = []
    for index in range(0, len(parts), 3):
        if index:
            joined.append((True, ", "))
        joined.extend(parts[index : index + 3])
    return joined


# dict's views, and OrderedDict's (a module's state_dict()), which print as `odict_keys([...])`.
DICT_VIEWS = frozenset(
    {"dict_keys", "dict_values", "dict_items", "odict_keys", "odict_values", "odict_items"}
)
_DICT_VIEWS = DICT_VIEWS
_SIZED = (list, tuple, str, dict, range)

_COMPARISONS = COMPARISON_SYMBOLS


# The method of CheckedOperators that checks an operator's result size before it runs, by
# symbol (by name: each run binds only the ones its program uses).
_SIZE_CHECKS = {
    "+": "_check_add",
    "-": "_check_sub",
    "*": "_check_mul",
    "%": "_check_mod",
    "**": "_check_pow",
    "<<": "_check_lshift",
    **{symbol: "_check_compare" for symbol in _COMPARISONS},
}
_NESTED = (list, tuple, dict)


def _checked(
    check: Callable[[Any, Any], None] | None, function: Callable[[Any, Any], Any]
) -> Callable[[Any, Any], Any]:
    """`function` preceded by its size check, if it has one."""
    if check is None:
        return function

    def checked(left: Any, right: Any) -> Any:
        check(left, right)
        return function(left, right)

    return checked


def _operand(number: Any) -> str:
    """A number as it would be written as an operand of `**`: `(-1.0)`, `0.5`."""
    text = repr(number)
    return f"({text})" if text.startswith("-") else text


class CheckedOperators:
    """Python's binary operators on plain values, refused before they exceed a limit."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        limits = ctx.limits
        self._int_bits = limits.int_bits
        self._pow_exponent = limits.pow_exponent
        self._shift_bits = limits.shift_bits
        self._str_length = limits.str_length
        self._list_length = limits.list_length

    def operator_for(self, symbol: str) -> Callable[[Any, Any], Any]:
        """The checked implementation of binary operator `symbol` ("+", "+=", "<", ...)."""
        if symbol == "+=":
            return self._iadd
        base = symbol.removesuffix("=") if symbol not in _COMPARISONS else symbol
        check = _SIZE_CHECKS.get(base)
        size_check = None if check is None else getattr(self, check)
        checked = _checked(size_check, BINARY_OPERATORS[symbol])
        if base == "**":
            return self._real_power(checked)
        return checked

    def _real_power(self, power: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """`**` on numbers, refusing a complex result: the language has no complex numbers
        (literals are refused by the validator; `(-1.0) ** 0.5` is the only other way to one),
        so every complex value, tensor or Python, is refused by one rule."""
        ctx = self._ctx

        def real_power(left: Any, right: Any) -> Any:
            result = power(left, right)
            if type(result) is complex:
                raise SandboxViolation(
                    f"Line {ctx.line}: {_operand(left)} ** {_operand(right)} is a complex "
                    "number, and complex numbers are not supported in the playground.",
                    line=ctx.line,
                    col=ctx.col,
                )
            return result

        return real_power

    def int_too_big(self, bits: int) -> None:
        if bits > self._int_bits:
            raise self._ctx.limit_exceeded(
                "int_bits",
                f"An integer result would have about {bits:,} bits; at most "
                f"{self._int_bits:,} are allowed.",
            )

    def _length_too_big(self, kind: type, length: int) -> None:
        if kind is str:
            if length > self._str_length:
                raise self._ctx.limit_exceeded(
                    "str_length",
                    f"A string would have {length:,} characters; at most "
                    f"{self._str_length:,} are allowed.",
                )
        elif length > self._list_length:
            raise self._ctx.limit_exceeded(
                "list_length",
                f"A {kind.__name__} would have {length:,} items; at most "
                f"{self._list_length:,} are allowed.",
            )

    def charge_created(self, count: int) -> None:
        """Count `count` new items or characters against the run's total."""
        self._ctx.charge_python_items(count)

    def _check_add(self, left: Any, right: Any) -> None:
        kind = type(left)
        if kind is int and type(right) is int:
            self.int_too_big(max(left.bit_length(), right.bit_length()) + 1)
        elif kind in (str, list, tuple) and type(right) is kind:
            self._length_too_big(kind, len(left) + len(right))
            self.charge_created(len(left) + len(right))

    def _iadd(self, left: Any, right: Any) -> Any:
        if type(left) is list:
            if type(right) not in _SIZED:
                # `list += iterator` would consume it in C: take at most one item too many.
                right = list(islice(iter(right), self._list_length + 1))
            self._length_too_big(list, len(left) + len(right))
            self.charge_created(len(right))
            left += right
            return left
        self._check_add(left, right)
        return operator.iadd(left, right)

    def charge_walk(self, size: int, what: str) -> None:
        """Pay `size` object comparisons (a walk of containers in C) before it happens."""
        if size > self.walk_cap():  # the walk stopped counting there
            raise self._ctx.limit_exceeded(
                "op_cost",
                f"{what} would compare more than {self.walk_cap():,} items; one op may cost at "
                f"most {self._ctx.limits.op_cost:.2e} operations.",
            )
        if size > 1:
            self._ctx.charge(size * container_costs.COMPARISON_WEIGHT, what)

    def walk_cap(self) -> int:
        """The most comparisons one op may pay for (more is refused: no need to count them)."""
        return self._ctx.limits.op_cost // container_costs.COMPARISON_WEIGHT

    def _check_compare(self, left: Any, right: Any) -> None:
        # Only containers against containers can do more than one comparison (an upper
        # bound: `==` of sequences of different lengths stops at the lengths).
        if type(left) not in _NESTED or type(right) not in _NESTED:
            return
        size = container_costs.comparison_size(left, right, self.walk_cap())
        self.charge_walk(size, "Comparing these containers")

    def _check_sub(self, left: Any, right: Any) -> None:
        if type(left) is int and type(right) is int:
            self.int_too_big(max(left.bit_length(), right.bit_length()) + 1)

    def _check_repeat(self, sequence: Any, count: Any) -> None:
        if isinstance(count, int) and count > 0:
            self._length_too_big(type(sequence), len(sequence) * count)
            self.charge_created(len(sequence) * count)

    def _check_mul(self, left: Any, right: Any) -> None:
        left_kind, right_kind = type(left), type(right)
        if left_kind in (int, bool) and right_kind in (int, bool):
            self.int_too_big(left.bit_length() + right.bit_length())
        elif left_kind in (str, list, tuple):
            self._check_repeat(left, right)
        elif right_kind in (str, list, tuple):
            self._check_repeat(right, left)

    def _check_mod(self, left: Any, right: Any) -> None:
        if isinstance(left, str):
            raise SandboxViolation(
                f"Line {self._ctx.line}: %-formatting of strings is not allowed in the "
                "playground; use an f-string.",
                line=self._ctx.line,
                col=self._ctx.col,
            )

    def _check_pow(self, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if right > self._pow_exponent:
                raise self._ctx.limit_exceeded(
                    "pow_exponent",
                    f"The exponent {right:,} is larger than the allowed {self._pow_exponent:,}.",
                )
            self.int_too_big(int(math.log2(abs(left)) * right) + 1)

    def _check_lshift(self, left: Any, right: Any) -> None:
        if isinstance(left, int) and isinstance(right, int) and right > 0 and left:
            if right > self._shift_bits:
                raise self._ctx.limit_exceeded(
                    "shift_bits",
                    f"A shift by {right:,} bits is larger than the allowed {self._shift_bits:,}.",
                )
            self.int_too_big(left.bit_length() + right)

    def check_size(self, kind: type, length: int) -> None:
        """Refuse a value of `kind` that would have `length` characters or items."""
        self._length_too_big(kind, length)

    def check_length(self, value: Any) -> None:
        """Refuse a str/list/tuple/dict that grew past its limit (after in-place changes)."""
        self._length_too_big(type(value), len(value))
