"""Parameters beyond plain positional ones, and `**mapping` in a call.

`def f(a, *args, key=1, **kwargs)`, `lambda *xs: ...`, `def forward(self, *inputs)` and
`def forward(ctx, *args)`: the compiler (`compiler.py`, `class_compiler.py`) asks this module
for the names a signature binds and for the `Extras` a function carries next to its positional
parameters; `InterpretedFunction` binds calls to such a function here, in CPython 3.11's order
and with its error texts. Functions with positional parameters only keep their own, faster
binding (`functions.py`). `f(**mapping)` at a call site is unpacked here too: its keys obey the
rule a written keyword obeys (no leading underscore), so a mapping cannot smuggle a name the
validator refuses.
"""

from __future__ import annotations

import ast
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.sandbox.errors import SandboxViolation

if TYPE_CHECKING:
    from app.sandbox.compiler import Compiler, Expr, Scope
    from app.sandbox.context import RunContext
    from app.sandbox.functions import Frame, InterpretedFunction
    from app.sandbox.runtime import Runtime

_NO_DEFAULT = object()


class Extras:
    """What a signature has besides positional parameters and their defaults."""

    __slots__ = ("keyword_names", "kw_defaults", "kwarg", "kwonly", "vararg")

    def __init__(
        self,
        vararg: str | None,
        kwonly: tuple[str, ...],
        kw_defaults: tuple[Any, ...],
        kwarg: str | None,
        positional: tuple[str, ...],
    ) -> None:
        self.vararg = vararg
        self.kwonly = kwonly
        self.kw_defaults = kw_defaults  # one per kwonly name, _NO_DEFAULT when required
        self.kwarg = kwarg
        self.keyword_names = frozenset(positional) | frozenset(kwonly)


def has_extras(arguments: ast.arguments) -> bool:
    return bool(arguments.vararg or arguments.kwarg or arguments.kwonlyargs)


def local_names(arguments: ast.arguments) -> set[str]:
    """Every name the signature binds in the function's frame."""
    names = {argument.arg for argument in arguments.args}
    names.update(argument.arg for argument in arguments.kwonlyargs)
    for special in (arguments.vararg, arguments.kwarg):
        if special is not None:
            names.add(special.arg)
    return names


def compile_extras(
    compiler: Compiler, arguments: ast.arguments, scope: Scope
) -> Callable[[Frame], Extras | None]:
    """How to make the function's Extras when its `def` runs: keyword-only defaults are
    evaluated then, in the defining scope, after the positional ones (as CPython does)."""
    if not has_extras(arguments):
        return lambda frame: None
    positional = tuple(argument.arg for argument in arguments.args)
    vararg = arguments.vararg.arg if arguments.vararg is not None else None
    kwarg = arguments.kwarg.arg if arguments.kwarg is not None else None
    kwonly = tuple(argument.arg for argument in arguments.kwonlyargs)
    defaults: list[Expr | None] = [
        None if default is None else compiler.expr(default, scope)
        for default in arguments.kw_defaults
    ]

    def make(frame: Frame) -> Extras:
        values = tuple(_NO_DEFAULT if default is None else default(frame) for default in defaults)
        return Extras(vararg, kwonly, values, kwarg, positional)

    return make


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _name_list(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def bind(
    function: InterpretedFunction, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The frame variables of a call to a function with Extras, as CPython binds them:
    positional arguments, the rest packed into *args, keywords (into **kwargs when they name no
    parameter), then the checks for too many, missing positional and missing keyword-only."""
    extras = function.extras
    assert extras is not None
    parameters = function.parameters
    count = len(parameters)
    name = function.qualname
    variables: dict[str, Any] = dict(zip(parameters, args, strict=False))
    if extras.vararg is not None:
        variables[extras.vararg] = tuple(args[count:])
    packed: dict[str, Any] | None = {} if extras.kwarg is not None else None
    keyword_names = extras.keyword_names
    for key, value in kwargs.items():
        if key in keyword_names:
            if key in variables:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            variables[key] = value
        elif packed is None:
            raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
        else:
            packed[key] = value
    if len(args) > count and extras.vararg is None:
        raise TypeError(too_many_positional(function, len(args), variables))
    fill_positional_defaults(function, variables)
    missing_keywords = []
    for parameter, default in zip(extras.kwonly, extras.kw_defaults, strict=True):
        if parameter in variables:
            continue
        if default is _NO_DEFAULT:
            missing_keywords.append(parameter)
        else:
            variables[parameter] = default
    if missing_keywords:
        raise TypeError(
            f"{name}() missing {len(missing_keywords)} required keyword-only "
            f"{_plural(len(missing_keywords), 'argument')}: {_name_list(missing_keywords)}"
        )
    if packed is not None:
        assert extras.kwarg is not None
        variables[extras.kwarg] = packed
    return variables


def fill_positional_defaults(function: InterpretedFunction, variables: dict[str, Any]) -> None:
    """Give each positional parameter not bound yet its default, or raise CPython's "missing
    required positional" TypeError naming those without one."""
    parameters = function.parameters
    if len(variables) >= len(parameters) and all(p in variables for p in parameters):
        return
    first_default = len(parameters) - len(function.defaults)
    missing = []
    for index, parameter in enumerate(parameters):
        if parameter in variables:
            continue
        if index >= first_default:
            variables[parameter] = function.defaults[index - first_default]
        else:
            missing.append(parameter)
    if missing:
        raise TypeError(
            f"{function.qualname}() missing {len(missing)} required positional "
            f"{_plural(len(missing), 'argument')}: {_name_list(missing)}"
        )


def too_many_positional(
    function: InterpretedFunction, given: int, variables: dict[str, Any]
) -> str:
    """CPython's too_many_positional(), keyword-only arguments already given included."""
    extras = function.extras
    count = len(function.parameters)
    defaults = len(function.defaults)
    if defaults:
        expected, plural = f"from {count - defaults} to {count}", True
    else:
        expected, plural = str(count), count != 1
    kwonly = extras.kwonly if extras is not None else ()
    keyword_only = sum(1 for parameter in kwonly if parameter in variables)
    detail = ""
    if keyword_only:
        detail = (
            f" positional {_plural(given, 'argument')} (and {keyword_only} keyword-only "
            f"{_plural(keyword_only, 'argument')})"
        )
    verb = "was" if given == 1 and not keyword_only else "were"
    noun = "arguments" if plural else "argument"
    return (
        f"{function.qualname}() takes {expected} positional {noun} but {given}{detail} {verb} given"
    )


# ---- `f(**mapping)` at a call site ------------------------------------------------------------


def callee_label(callee: Any) -> str:
    """How CPython names a callable in a call-site error (`__main__.f()`)."""
    from app.sandbox.functions import InterpretedFunction

    if isinstance(callee, InterpretedFunction):
        return f"__main__.{callee.qualname}()"
    function = getattr(callee, "function", None)  # a bound method of the program
    if isinstance(function, InterpretedFunction) and type(callee).__name__ == "ProgramMethod":
        return f"__main__.{function.qualname}()"
    if isinstance(callee, type):
        return f"__main__.{callee.__name__}()"
    return f"{getattr(callee, 'name', type(callee).__name__)}()"


def star_arguments(callee: Any, value: Any, runtime: Runtime) -> list[Any]:
    """`f(*iterable)`: its items, within the list length limit; CPython's TypeError naming the
    callee when the value is not iterable at all."""
    from app.sandbox.builtins import collect

    try:
        items = runtime.iterate(value)
    except TypeError as error:
        if not str(error).endswith("is not iterable"):
            raise
        raise TypeError(
            f"{callee_label(callee)} argument after * must be an iterable, not {_type_name(value)}"
        ) from None
    return collect(runtime, value if type(value) in (list, tuple, str, range, dict) else items)


def call_keywords(
    callee: Any,
    keywords: list[tuple[str | None, Expr]],
    frame: Frame,
    ctx: RunContext,
    line: int,
    col: int,
) -> dict[str, Any]:
    """The keywords of a call with `**mapping` among them, evaluated and merged left to right
    (a duplicate is CPython's TypeError at the call's line)."""
    from app.sandbox.program_errors import to_program_exception

    named: dict[str, Any] = {}
    for name, value in keywords:
        evaluated = value(frame)
        ctx.line, ctx.col = line, col
        try:
            if name is None:
                unpack_keywords(callee, named, evaluated, ctx)
            elif name in named:
                raise TypeError(
                    f"{callee_label(callee)} got multiple values for keyword argument '{name}'"
                )
            else:
                named[name] = evaluated
        except SandboxViolation:
            raise
        except Exception as error:
            raise to_program_exception(error, line, col) from None
    return named


def unpack_keywords(callee: Any, named: dict[str, Any], mapping: Any, ctx: RunContext) -> None:
    """Add the items of `**mapping` to a call's keywords, as CPython does."""
    if type(mapping) is not dict and type(mapping) is not OrderedDict:
        raise TypeError(
            f"{callee_label(callee)} argument after ** must be a mapping, not {_type_name(mapping)}"
        )
    if len(named) + len(mapping) > ctx.limits.list_length:
        raise ctx.limit_exceeded(
            "list_length",
            f"A call with more than {ctx.limits.list_length:,} keyword arguments.",
        )
    for key, value in mapping.items():
        if type(key) is not str:
            raise TypeError("keywords must be strings")
        if key.startswith("_"):
            raise SandboxViolation(
                f"Line {ctx.line}: the keyword argument '{key}' starts with '_'.",
                line=ctx.line,
                col=ctx.col,
            )
        if key in named:
            raise TypeError(
                f"{callee_label(callee)} got multiple values for keyword argument '{key}'"
            )
        named[key] = value


def _type_name(value: Any) -> str:
    from app.sandbox.python_values import type_name

    return type_name(value)
