"""`str.format`, `str.format_map` and `%`-formatting, implemented by the sandbox.

CPython's own `str.format` resolves a field name at run time (`'{0.__class__}'`,
`'{0[_x]}'`): a door no static check sees. Here the format string is parsed with
`string.Formatter().parse` (CPython's own parser, so malformed strings fail with CPython's
messages), and each field is looked up and formatted by the sandbox: a field may name an
argument by position or keyword only, never an attribute or an item. `%`-formatting is parsed
by the same rules as CPython's `PyUnicode_Format`, and each conversion formats one plain value.
Widths and precisions pay through the string limit before any text is built.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from app.sandbox.errors import SandboxViolation

if TYPE_CHECKING:
    from app.sandbox.runtime import Runtime

_PARSER = string.Formatter()
_NUMBERS = re.compile(r"\d+")


def _check_spec(runtime: Runtime, spec: str) -> None:
    """A width or precision larger than the string limit is refused before formatting."""
    limit = runtime.ctx.limits.str_length
    for number in _NUMBERS.findall(spec):
        if len(number) > 9 or int(number) > limit:
            raise runtime.ctx.limit_exceeded(
                "str_length",
                f"The format width or precision {number[:12]} is larger than the allowed "
                f"{limit:,}.",
            )


def format_field(runtime: Runtime, value: Any, conversion: str | None, spec: str) -> str:
    """One replacement field: `!s`/`!r`/`!a`, then the spec, as `format(value, spec)` would."""
    if conversion == "s":
        value = runtime.to_str(value)
    elif conversion == "r":
        value = runtime.to_repr(value)
    elif conversion == "a":
        value = runtime.to_repr(value).encode("ascii", "backslashreplace").decode("ascii")
    elif conversion is not None:
        raise ValueError(f"Unknown conversion specifier {conversion}")
    kind = type(value)
    if not spec:
        if kind is not str and runtime.is_surface(value):
            # torch decides: a 0-d tensor formats as its item.
            formatted: str = runtime.surface.format_value(value, "", runtime.ctx)
            return formatted
        return runtime.to_str(value)
    _check_spec(runtime, spec)
    if kind in (int, float, bool, str, type(None)) or kind in (list, tuple, dict, range):
        return format(value, spec)
    if runtime.is_surface(value):
        result: str = runtime.surface.format_value(value, spec, runtime.ctx)
        return result
    raise TypeError(f"unsupported format string passed to {kind.__name__}.__format__")


def _refuse_field(runtime: Runtime, field: str) -> SandboxViolation:
    ctx = runtime.ctx
    return SandboxViolation(
        f"Line {ctx.line}: the format field '{{{field}}}' reads an attribute or an item; a "
        "field may only name an argument by position or keyword ('{0}', '{name}').",
        line=ctx.line,
        col=ctx.col,
    )


class _Fields:
    """Argument lookup with CPython's automatic/manual numbering rules."""

    def __init__(self, runtime: Runtime, args: list[Any], mapping: Any) -> None:
        self.runtime = runtime
        self.args = args
        self.mapping = mapping
        self.next_index = 0
        self.manual: bool | None = None

    def lookup(self, field: str) -> Any:
        if "." in field or "[" in field:
            raise _refuse_field(self.runtime, field)
        if field == "":
            if self.manual:
                raise ValueError(
                    "cannot switch from manual field specification to automatic field numbering"
                )
            self.manual = False
            index = self.next_index
            self.next_index += 1
            return self._positional(index)
        if field.isdigit() and field.isascii():
            if self.manual is False:
                raise ValueError(
                    "cannot switch from automatic field numbering to manual field specification"
                )
            self.manual = True
            return self._positional(int(field))
        if type(self.mapping) is not dict:
            raise TypeError(
                "format_map() argument must be a mapping, not " + type(self.mapping).__name__
            )
        return self.mapping[field]  # KeyError: 'field', as CPython

    def _positional(self, index: int) -> Any:
        if index >= len(self.args):
            raise IndexError(f"Replacement index {index} out of range for positional args tuple")
        return self.args[index]


def _render(runtime: Runtime, text: str, fields: _Fields, depth: int) -> Iterator[str]:
    if depth < 0:
        raise ValueError("Max string recursion exceeded")
    for literal, field, spec, conversion in _PARSER.parse(text):
        yield literal
        if field is None:
            continue
        value = fields.lookup(field)
        if spec and "{" in spec:
            spec = "".join(_render(runtime, spec, fields, depth - 1))
        yield format_field(runtime, value, conversion, spec or "")


def str_format(
    runtime: Runtime, text: str, method: str, args: list[Any], kwargs: dict[str, Any]
) -> str:
    """`text.format(*args, **kwargs)` or `text.format_map(mapping)`."""
    if method == "format_map":
        if kwargs:
            raise TypeError("str.format_map() takes no keyword arguments")
        if len(args) != 1:
            raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
        fields = _Fields(runtime, [], args[0])
    else:
        fields = _Fields(runtime, args, kwargs)
    limit = runtime.ctx.limits.str_length
    pieces: list[str] = []
    length = 0
    for piece in _render(runtime, text, fields, 2):
        length += len(piece)
        if length > limit:
            raise runtime.ctx.limit_exceeded(
                "str_length", f"A formatted string would be longer than {limit:,} characters."
            )
        pieces.append(piece)
    runtime.operators.charge_created(length)
    return "".join(pieces)


# ---- %-formatting ---------------------------------------------------------------------------

_FLAGS = "-+ #0"
_NUMERIC = "diouxXeEfFgGc"


def _number_for(runtime: Runtime, value: Any, conversion: str) -> Any:
    """The value a numeric conversion formats: plain numbers as they are; a tensor as CPython
    would get it (`__index__`, `__int__` or `__float__` of a one-element tensor)."""
    if type(value) in (int, float, bool) or not runtime.is_surface(value):
        return value
    if conversion in "eEfFgG":
        return float(value)
    if conversion == "c":
        return value
    try:
        return value.__index__()
    except TypeError:
        if conversion in "diu":
            return int(value)
        raise TypeError(
            f"%{conversion} format: an integer is required, not {type(value).__name__}"
        ) from None


def percent_format(runtime: Runtime, text: str, values: Any) -> str:
    """`text % values`, conversion by conversion (CPython's PyUnicode_Format rules)."""
    if type(values) is tuple:
        arguments: tuple[Any, ...] = values
        mapping: Any = None
    else:
        arguments = (values,)
        # CPython treats any non-tuple, non-str object with __getitem__ as a mapping.
        mapping = values if type(values) in (dict, list) else None
    limit = runtime.ctx.limits.str_length
    pieces: list[str] = []
    length = 0
    index = 0
    position = 0
    size = len(text)
    used_mapping = False
    while position < size:
        percent = text.find("%", position)
        if percent < 0:
            pieces.append(text[position:])
            length += size - position
            break
        pieces.append(text[position:percent])
        length += percent - position
        position = percent + 1
        if position >= size:
            raise ValueError("incomplete format")
        key = None
        if text[position] == "(":
            if mapping is None:
                raise TypeError("format requires a mapping")
            depth = 1
            start = position + 1
            position += 1
            while position < size and depth:
                if text[position] == "(":
                    depth += 1
                elif text[position] == ")":
                    depth -= 1
                position += 1
            if depth:
                raise ValueError("incomplete format key")
            key = text[start : position - 1]
            used_mapping = True
        flags = ""
        while position < size and text[position] in _FLAGS:
            flags += text[position]
            position += 1
        width = ""
        if position < size and text[position] == "*":
            if index >= len(arguments) or (mapping is not None and key is not None):
                raise TypeError("not enough arguments for format string")
            star = arguments[index]
            index += 1
            if not isinstance(star, int):
                raise TypeError("* wants int")
            width = str(star)
            position += 1
        else:
            while position < size and text[position].isdigit():
                width += text[position]
                position += 1
        precision = ""
        if position < size and text[position] == ".":
            position += 1
            if position < size and text[position] == "*":
                if index >= len(arguments):
                    raise TypeError("not enough arguments for format string")
                star = arguments[index]
                index += 1
                if not isinstance(star, int):
                    raise TypeError("* wants int")
                precision = "." + str(star)
                position += 1
            else:
                digits = ""
                while position < size and text[position].isdigit():
                    digits += text[position]
                    position += 1
                precision = "." + digits
        if position < size and text[position] in "hlL":
            position += 1
        if position >= size:
            raise ValueError("incomplete format")
        conversion = text[position]
        position += 1
        if conversion == "%":
            pieces.append("%")
            length += 1
            continue
        # CPython takes the argument before it looks at the conversion character.
        if key is not None:
            value = mapping[key]
        else:
            if index >= len(arguments):
                raise TypeError("not enough arguments for format string")
            value = arguments[index]
            index += 1
        _check_spec(runtime, width + precision)
        spec = "%" + flags + width + precision
        if conversion in "sra":
            if conversion == "s":
                shown = runtime.to_str(value)
            else:
                shown = runtime.to_repr(value)
                if conversion == "a":
                    shown = shown.encode("ascii", "backslashreplace").decode("ascii")
            piece = (spec + "s") % (shown,)
        elif conversion in _NUMERIC:
            piece = (spec + conversion) % (_number_for(runtime, value, conversion),)
        else:
            raise ValueError(
                f"unsupported format character '{conversion}' (0x{ord(conversion):x}) at "
                f"index {position - 1}"
            )
        pieces.append(piece)
        length += len(piece)
        if length > limit:
            raise runtime.ctx.limit_exceeded(
                "str_length", f"A formatted string would be longer than {limit:,} characters."
            )
    if index < len(arguments) and mapping is None and not used_mapping:
        raise TypeError("not all arguments converted during string formatting")
    if length > limit:
        raise runtime.ctx.limit_exceeded(
            "str_length", f"A formatted string would be longer than {limit:,} characters."
        )
    runtime.operators.charge_created(length)
    return "".join(pieces)
