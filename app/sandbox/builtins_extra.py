"""The builtins course programs use beyond the first set: `type`, sets, sorting, functional
helpers, iterators, characters and numbers, `hash`, and the exception classes.

Each is bound to the real CPython object (so `type(3) is int` and `print(sorted)` behave as in
CPython) and implemented here with the same rules as `builtins.py`: anything that walks an
iterable pays a step per item and stays within the list limit; a function the program hands
in (a `key=`, `map`'s function) runs in the interpreter under the run's budget, never called
by C code directly; sizes are checked before a result is built.
"""

from __future__ import annotations

import builtins as python_builtins
import hashlib
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from app.sandbox import exceptions
from app.sandbox.classes import ProgramModule, ProgramObject, is_program_value
from app.sandbox.errors import SandboxViolation
from app.sandbox.functions import InterpretedFunction
from app.sandbox.python_values import type_name
from app.sandbox.surface.type_views import named_view, python_type_name, surface_type
from app.sandbox.surface.values import SurfaceGenerator

if TYPE_CHECKING:
    from app.sandbox.runtime import Runtime


def collect(runtime: Runtime, iterable: Any) -> list[Any]:
    """builtins.collect (imported on use: builtins.py imports this module to build its table)."""
    from app.sandbox.builtins import collect as collect_items

    return collect_items(runtime, iterable)


BuiltinImpl = Callable[["Runtime", list[Any], dict[str, Any]], Any]

# Classes `type()` hands back as themselves: the program can already name each of them.
_REAL_CLASSES: frozenset[type] = frozenset(
    {
        int,
        float,
        bool,
        str,
        list,
        tuple,
        dict,
        set,
        frozenset,
        range,
        type,
        enumerate,
        zip,
        map,
        filter,
        reversed,
        type(None),
        *exceptions.EXCEPTION_CLASSES.values(),
    }
)


def _arity(name: str, args: list[Any], kwargs: dict[str, Any], low: int, high: int) -> None:
    if kwargs:
        raise TypeError(f"{name}() takes no keyword arguments")
    if not low <= len(args) <= high:
        if low == high:
            raise TypeError(f"{name}() takes exactly one argument ({len(args)} given)")
        raise TypeError(f"{name} expected at most {high} arguments, got {len(args)}")


def type_of(runtime: Runtime, value: Any) -> Any:
    """`type(value)`: a real builtin class, or a read-only view (surface/type_views.py)."""
    kind = type(value)
    if isinstance(value, ProgramObject | ProgramModule):
        return kind  # the program's own class: callable, usable in isinstance
    if is_program_value(value):
        return type if isinstance(value, type) else named_view(python_type_name(value))
    if kind in _REAL_CLASSES or (
        isinstance(value, BaseException) and kind.__module__ == "builtins"
    ):
        return kind
    if runtime.is_surface(value):
        return surface_type(value, runtime.surface.program_members())
    # Functions, iterators, views, torch's own exception classes: a name and nothing else.
    return named_view(python_type_name(value))


def _type(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) == 3:
        ctx = runtime.ctx
        raise SandboxViolation(
            f"Line {ctx.line}: type(name, bases, namespace) creates a class, which is not "
            "available in the playground; type(x) tells the class of x.",
            line=ctx.line,
            col=ctx.col,
        )
    if kwargs or len(args) != 1:
        raise TypeError("type() takes 1 or 3 arguments")
    return type_of(runtime, args[0])


def _set_of(kind: type) -> BuiltinImpl:
    def build(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if kwargs:
            raise TypeError(f"{kind.__name__}() takes no keyword arguments")
        if len(args) > 1:
            raise TypeError(f"{kind.__name__} expected at most 1 argument, got {len(args)}")
        return kind(collect(runtime, args[0])) if args else kind()

    return build


def _call_in_interpreter(runtime: Runtime, function: Any) -> Callable[..., Any]:
    """`function` as C code may call it: through the interpreter's call, every time."""
    call = runtime.call

    def called(*arguments: Any) -> Any:
        return call(function, list(arguments), {})

    return called


def sort_items(runtime: Runtime, items: list[Any], key: Any, reverse: Any) -> list[Any]:
    """Sort `items` in place as `list.sort` does, the keys computed by the interpreter (a
    step each) before the C sort compares them; the comparisons are charged n·log n."""
    if key is not None:
        call = runtime.call
        step = runtime.ctx.step
        keys = []
        for item in items:
            step()
            keys.append(call(key, [item], {}))
    else:
        keys = items
    count = len(items)
    if count > 1:
        runtime.ctx.charge(count * max(1, math.ceil(math.log2(count))), "Sorting")
    order = sorted(range(count), key=keys.__getitem__, reverse=bool(reverse))
    items[:] = [items[index] for index in order]
    return items


def sort_keywords(name: str, kwargs: dict[str, Any]) -> tuple[Any, Any]:
    key = kwargs.pop("key", None)
    reverse = kwargs.pop("reverse", False)
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for {name}()")
    return key, reverse


def _sorted(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) != 1:
        raise TypeError(f"sorted expected 1 argument, got {len(args)}")
    key, reverse = sort_keywords("sort", dict(kwargs))
    return sort_items(runtime, collect(runtime, args[0]), key, reverse)


def _map(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        raise TypeError("map() takes no keyword arguments")
    if len(args) < 2:
        raise TypeError("map() must have at least two arguments.")
    iterators = [runtime.iterate(arg) for arg in args[1:]]
    return map(_call_in_interpreter(runtime, args[0]), *iterators)


def _filter(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        raise TypeError("filter() takes no keyword arguments")
    if len(args) != 2:
        raise TypeError(f"filter expected 2 arguments, got {len(args)}")
    function, iterable = args
    truth = runtime.truth
    if function is None:
        return filter(truth, runtime.iterate(iterable))
    call = _call_in_interpreter(runtime, function)
    return filter(lambda item: truth(call(item)), runtime.iterate(iterable))


def is_callable(runtime: Runtime, value: Any) -> bool:
    from app.sandbox.builtins import PlainMethod

    if isinstance(value, InterpretedFunction | PlainMethod):
        return True
    if runtime.is_surface(value):
        return bool(runtime.surface.is_callable(value))
    return callable(value)


def _callable(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> bool:
    _arity("callable", args, kwargs, 1, 1)
    return is_callable(runtime, args[0])


def _pow(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        base = kwargs.pop("base", None)
        exp = kwargs.pop("exp", None)
        mod = kwargs.pop("mod", None)
        if kwargs:
            raise TypeError(f"pow() got an unexpected keyword argument '{next(iter(kwargs))}'")
        args = [base, exp] + ([mod] if mod is not None else [])
    if len(args) == 2:
        return runtime.binary("**")(args[0], args[1])
    if len(args) != 3:
        raise TypeError(f"pow expected 2 or 3 arguments, got {len(args)}")
    base, exp, mod = args
    if mod is None:
        return runtime.binary("**")(base, exp)
    # Three arguments: Python reduces by `mod` at every step; the result is below mod.
    return pow(base, exp, mod)


def _iter(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _arity("iter", args, kwargs, 1, 1)
    return runtime.iterate(args[0])


def _next(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        raise TypeError("next() takes no keyword arguments")
    if not 1 <= len(args) <= 2:
        raise TypeError(f"next expected at most 2 arguments, got {len(args)}")
    iterator = args[0]
    if isinstance(iterator, SurfaceGenerator):  # next(model.parameters())
        iterator = iterator.items
    if not isinstance(iterator, Iterator) or runtime.is_surface(iterator):
        raise TypeError(f"'{type_name(iterator)}' object is not an iterator")
    runtime.ctx.step()
    if len(args) == 2:
        return next(iterator, args[1])
    return next(iterator)


def _ascii(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> str:
    _arity("ascii", args, kwargs, 1, 1)
    text = runtime.to_repr(args[0])
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _digits(function: Callable[[Any], str]) -> BuiltinImpl:
    def convert(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> str:
        _arity(function.__name__, args, kwargs, 1, 1)
        return function(args[0])  # ints are within int_bits: the text is short

    return convert


def _one(function: Callable[[Any], Any]) -> BuiltinImpl:
    def call(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _arity(function.__name__, args, kwargs, 1, 1)
        return function(args[0])

    return call


def _divmod(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if kwargs:
        raise TypeError("divmod() takes no keyword arguments")
    if len(args) != 2:
        raise TypeError(f"divmod expected 2 arguments, got {len(args)}")
    return divmod(args[0], args[1])  # tensors have no __divmod__: CPython's own TypeError


# str hashes are salted per process in CPython; a program's hash of a string is keyed by
# nothing of the worker's, so two requests cannot tell whether they met the same process.
_MODULUS = (1 << 61) - 1


def _hash_text(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    value = int.from_bytes(digest, "little", signed=True)
    return -2 if value == -1 else value


def _hash_tuple(items: tuple[Any, ...]) -> int:
    """CPython 3.11's tuple hash (xxHash-based), over the program's own element hashes."""
    prime1, prime2, prime5 = 11400714785074694791, 14029467366897019727, 2870177450012600261
    mask = (1 << 64) - 1
    acc = prime5
    for item in items:
        lane = program_hash(item) & mask
        acc = (acc + lane * prime2) & mask
        acc = ((acc << 31) | (acc >> 33)) & mask
        acc = (acc * prime1) & mask
    acc = (acc + (len(items) ^ (prime5 ^ 3527539))) & mask
    if acc == mask:
        return 1546275796
    return acc - (1 << 64) if acc >= 1 << 63 else acc


_HASHED_AS_CPYTHON = (int, float, bool, type(None))
# CPython's own TypeError ("unhashable type: 'list'") for these.
_UNHASHABLE = (list, dict, set)


def program_hash(value: Any) -> int:
    """hash() of numbers, strings and tuples of them; objects hashed by identity (a tensor, a
    function) would show a memory address, and are refused."""
    kind = type(value)
    if kind is str:
        return _hash_text(value)
    if kind is tuple:
        return _hash_tuple(value)
    if kind in _HASHED_AS_CPYTHON or kind in _UNHASHABLE:
        return hash(value)
    if isinstance(value, ProgramObject) and kind.__hash__ is not object.__hash__:
        return hash(value)  # the program's own __hash__ (or None after __eq__: unhashable)
    raise SandboxViolation(
        f"hash() of a {type_name(value)} is not available in the playground: only numbers, "
        "strings and tuples of them can be hashed."
    )


def _hash(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> int:
    _arity("hash", args, kwargs, 1, 1)
    try:
        return program_hash(args[0])
    except SandboxViolation as refused:
        ctx = runtime.ctx
        raise SandboxViolation(
            f"Line {ctx.line}: {refused.message}", line=ctx.line, col=ctx.col
        ) from None


def _exception_class(kind: type[BaseException]) -> BuiltinImpl:
    def construct(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return exceptions.construct(kind, args, kwargs)

    return construct


EXTRA_IMPLEMENTATIONS: dict[str, tuple[Any, BuiltinImpl]] = {
    "type": (type, _type),
    "set": (set, _set_of(set)),
    "frozenset": (frozenset, _set_of(frozenset)),
    "sorted": (sorted, _sorted),
    "map": (map, _map),
    "filter": (filter, _filter),
    "callable": (callable, _callable),
    "divmod": (divmod, _divmod),
    "pow": (pow, _pow),
    "iter": (iter, _iter),
    "next": (next, _next),
    "chr": (chr, _one(chr)),
    "ord": (ord, _one(ord)),
    "ascii": (ascii, _ascii),
    "hex": (hex, _digits(hex)),
    "bin": (bin, _digits(bin)),
    "oct": (oct, _digits(oct)),
    "hash": (hash, _hash),
    **{name: (kind, _exception_class(kind)) for name, kind in exceptions.EXCEPTION_CLASSES.items()},
}
assert all(
    getattr(python_builtins, name) is obj for name, (obj, _) in EXTRA_IMPLEMENTATIONS.items()
)
