"""The builtins of the language and the methods of plain values, re-implemented with limits.

Each builtin name is bound to the real CPython object (so `print(int)` and `isinstance(x, int)`
behave as in CPython), but calling it runs the implementation below: consumers of iterables
count a step per item and check lengths; tensors go through the torch surface.
"""

from __future__ import annotations

import builtins as python_builtins
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from app.sandbox import container_costs, formatting, grammar
from app.sandbox.errors import SandboxViolation
from app.sandbox.functions import InterpretedFunction
from app.sandbox.python_values import PLAIN_TYPES, strip_addresses

if TYPE_CHECKING:
    from app.sandbox.runtime import Runtime

BuiltinImpl = Callable[["Runtime", list[Any], dict[str, Any]], Any]
BuiltinMethodCost = Callable[["Runtime", Any, list[Any], dict[str, Any]], None]


class PlainMethod:
    """A bound method of a plain value (`losses.append`), checked before it runs."""

    __slots__ = ("_runtime", "name", "owner")

    def __init__(self, runtime: Runtime, owner: Any, name: str) -> None:
        self._runtime = runtime
        self.owner = owner
        self.name = name

    def __repr__(self) -> str:
        return strip_addresses(repr(getattr(self.owner, self.name)))

    def call(self, args: list[Any], kwargs: dict[str, Any]) -> Any:
        runtime = self._runtime
        owner = self.owner
        kind = type(owner)
        name = self.name
        operators = runtime.operators
        if kind is list:
            if name in ("append", "insert"):
                operators.check_size(list, len(owner) + 1)
                operators.charge_created(1)
            elif name == "extend" and len(args) == 1 and not kwargs:
                items = collect(runtime, args[0])
                operators.check_size(list, len(owner) + len(items))
                operators.charge_created(len(items))
                owner.extend(items)
                return None
        elif kind is str:
            if name == "join" and len(args) == 1 and not kwargs:
                items = collect(runtime, args[0])
                total = sum(len(item) for item in items if type(item) is str)
                joined = total + len(owner) * max(len(items) - 1, 0)
                operators.check_size(str, joined)
                operators.charge_created(joined)
                return owner.join(items)
            if name == "replace" and len(args) >= 2 and type(args[0]) is str:
                old, new = args[0], args[1]
                if type(new) is str:
                    occurrences = owner.count(old) if old else len(owner) + 1
                    grown = len(owner) + occurrences * (len(new) - len(old))
                    operators.check_size(str, grown)
                    operators.charge_created(grown)
        paid = _METHOD_COSTS.get((kind, name))
        if paid is not None:
            paid(runtime, owner, args, kwargs)
        if kind is list and name == "sort":
            key, reverse = sort_keywords("sort", dict(kwargs))
            if args:
                raise TypeError("sort() takes no positional arguments")
            sort_items(runtime, owner, key, reverse)
            return None
        if kind is str and name in ("format", "format_map"):
            return formatting.str_format(runtime, owner, name, args, kwargs)
        if kind is set and name == "add":
            operators.check_size(set, len(owner) + 1)
        if (kind is set or kind is frozenset) and name in _SET_ITERABLE_METHODS:
            # These consume any iterable in C: materialize each within the limits first.
            args = [arg if type(arg) in (set, frozenset) else collect(runtime, arg) for arg in args]
            if name in ("union", "update"):
                operators.check_size(set, len(owner) + sum(len(arg) for arg in args))
        if kind is dict and name == "update" and args and type(args[0]) is not dict:
            # update() consumes any iterable in C: materialize it within the limits first.
            args = [collect(runtime, args[0]), *args[1:]]
        result = getattr(owner, name)(*args, **kwargs)
        if kind is dict and name == "update":
            operators.check_length(owner)
        elif kind is str and name in _CASE_CHANGES:
            operators.check_length(result)  # a case change can lengthen ('ß'.upper() is 'SS')
        return result


# ---- what the C-level methods of plain values cost, paid before they run --------------------
# Each takes (runtime, owner, args, kwargs) and raises the named limit; torch-free, plain data.

_CASE_CHANGES = frozenset({"upper", "lower", "capitalize", "title"})


def _pay_copy(runtime: Runtime, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    # list.copy(), dict.copy(), str.upper() and strip(): a new value as long as the owner.
    runtime.operators.charge_created(len(owner))


def _pay_search(runtime: Runtime, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    # list/tuple .index/.count: every entry compared with the item, nested containers walked.
    if not args:
        return  # CPython's own TypeError
    operators = runtime.operators
    size = container_costs.search_size(owner, args[0], operators.walk_cap())
    operators.charge_walk(size, f"This {type(owner).__name__}.index or count")


def _pay_scan(runtime: Runtime, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    # str.count/find: one pass over the string, in C.
    size = 1 + len(owner) // container_costs.CHARS_PER_COMPARISON
    runtime.operators.charge_walk(size, "This string search")


def _pay_split(runtime: Runtime, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    # The pieces are new strings and a new list: at most one item per separator (or per two
    # characters when splitting on whitespace), bounded by maxsplit, and the owner's characters.
    separator = args[0] if args else kwargs.get("sep")
    limit = args[1] if len(args) > 1 else kwargs.get("maxsplit", -1)
    if separator is not None and (type(separator) is not str or not separator):
        return  # CPython's own TypeError / "empty separator"
    pieces = len(owner) // 2 + 1 if separator is None else owner.count(separator) + 1
    if type(limit) is int and limit >= 0:
        pieces = min(pieces, limit + 1)
    operators = runtime.operators
    operators.check_size(list, pieces)
    _pay_scan(runtime, owner, args, kwargs)
    operators.charge_created(pieces + len(owner))


def _pay_key(runtime: Runtime, owner: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    # dict.get/pop and set.add/discard/remove with a tuple: hashing it walks the whole tuple.
    if args and type(args[0]) is tuple:
        operators = runtime.operators
        size = container_costs.hash_size(args[0], operators.walk_cap())
        operators.charge_walk(size, "Hashing")


_METHOD_COSTS: dict[tuple[type, str], BuiltinMethodCost] = {
    (list, "copy"): _pay_copy,
    (dict, "copy"): _pay_copy,
    (list, "index"): _pay_search,
    (list, "count"): _pay_search,
    (tuple, "index"): _pay_search,
    (tuple, "count"): _pay_search,
    (dict, "get"): _pay_key,
    (dict, "pop"): _pay_key,
    (OrderedDict, "get"): _pay_key,
    # Sets hash their item as dicts hash a key.
    (set, "add"): _pay_key,
    (set, "discard"): _pay_key,
    (set, "remove"): _pay_key,
    (str, "split"): _pay_split,
    (str, "count"): _pay_scan,
    (str, "find"): _pay_scan,
    **{(str, name): _pay_copy for name in ("strip", "lstrip", "rstrip", *_CASE_CHANGES)},
}


# Set methods that take iterables (materialized by `collect` before C walks them).
_SET_ITERABLE_METHODS = frozenset(
    {
        "union",
        "update",
        "intersection",
        "intersection_update",
        "difference",
        "difference_update",
        "symmetric_difference",
        "symmetric_difference_update",
        "issubset",
        "issuperset",
        "isdisjoint",
    }
)


def plain_method(runtime: Runtime, value: Any, name: str) -> Any:
    """Attribute read on a plain value: an allowed method, else CPython's AttributeError."""
    kind = type(value).__name__
    if isinstance(value, InterpretedFunction):
        raise AttributeError(f"'function' object has no attribute '{name}'")
    if isinstance(value, BaseException) and name == "args":
        return value.args  # the only attribute of an exception a program reads
    allowed = grammar.PLAIN_METHODS.get(kind, frozenset())
    if name in allowed and (type(value) in PLAIN_TYPES or type(value) is OrderedDict):
        return PlainMethod(runtime, value, name)
    # The attribute exists but is outside the table (`list.sort`, `int.from_bytes`): refuse it
    # rather than pretend it does not exist.
    if hasattr(value, name):
        ctx = runtime.ctx
        raise SandboxViolation(
            f"Line {ctx.line}: '{_owner_name(value)}.{name}' is not available in the playground.",
            line=ctx.line,
            col=ctx.col,
        )
    raise AttributeError(f"'{kind}' object has no attribute '{name}'")


def _owner_name(value: Any) -> str:
    return value.__name__ if isinstance(value, type) else type(value).__name__


def collect(runtime: Runtime, iterable: Any) -> list[Any]:
    """Materialize an iterable, a step per item, within the list length limit."""
    ctx = runtime.ctx
    limit = ctx.limits.list_length
    if type(iterable) in (list, tuple, str, range, dict):
        if len(iterable) > limit:
            raise ctx.limit_exceeded(
                "list_length",
                f"A sequence of {len(iterable):,} items is longer than the allowed {limit:,}.",
            )
        runtime.operators.charge_created(len(iterable))
        return list(iterable)
    items: list[Any] = []
    step = ctx.step
    for item in runtime.iterate(iterable):
        step()
        items.append(item)
        if len(items) > limit:
            raise ctx.limit_exceeded(
                "list_length", f"A sequence would have more than {limit:,} items."
            )
    runtime.operators.charge_created(len(items))
    return items


def _no_keywords(name: str, kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise TypeError(f"{name}() takes no keyword arguments")


# Each implementation takes the run's Runtime first: the tables below are built once per process
# and shared by every run, so that starting a run binds no builtin at all.


def _call_method(runtime: Runtime, value: Any, name: str, args: list[Any]) -> Any:
    ctx = runtime.ctx
    method = runtime.surface.get_attribute(value, name, ctx)
    return runtime.surface.call(method, args, {}, ctx)


def _print(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> None:
    sep, end = " ", "\n"
    for key, value in kwargs.items():
        if key in ("sep", "end"):
            if value is not None and type(value) is not str:
                raise TypeError(f"{key} must be None or a string, not {type(value).__name__}")
            if value is not None:
                sep, end = (value, end) if key == "sep" else (sep, value)
        elif key == "file":
            ctx = runtime.ctx
            raise SandboxViolation(
                f"Line {ctx.line}: print(file=...) is not available in the playground.",
                line=ctx.line,
                col=ctx.col,
            )
        elif key != "flush":
            raise TypeError(f"'{key}' is an invalid keyword argument for print()")
    to_str = runtime.to_str
    runtime.stdout.write(sep.join([to_str(arg) for arg in args]) + end)


def _extreme(name: str, symbol: str) -> BuiltinImpl:
    """min (`symbol` "<") or max (">"): the first item no other item beats."""

    def pick(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
        key = kwargs.pop("key", None)
        has_default = "default" in kwargs
        default = kwargs.pop("default", None)
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if not args:
            raise TypeError(f"{name} expected at least 1 argument, got 0")
        if len(args) == 1:
            items = collect(runtime, args[0])
        else:
            if has_default:
                raise TypeError(
                    f"Cannot specify a default for {name}() with multiple positional arguments"
                )
            items = list(args)
        if not items:
            if has_default:
                return default
            raise ValueError(f"{name}() arg is an empty sequence")
        compare = runtime.binary(symbol)
        truth = runtime.truth
        best = items[0]
        best_key = best if key is None else runtime.call(key, [best], {})
        for item in items[1:]:
            item_key = item if key is None else runtime.call(key, [item], {})
            if truth(compare(item_key, best_key)):
                best, best_key = item, item_key
        return best

    return pick


def _sum(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) not in (1, 2):
        raise TypeError(f"sum() takes at most 2 arguments ({len(args)} given)")
    total = args[1] if len(args) == 2 else kwargs.pop("start", 0)
    if kwargs:
        raise TypeError(f"sum() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if type(total) is str:
        raise TypeError("sum() can't sum strings [use ''.join(seq) instead]")
    plus = runtime.binary("+")
    for item in collect(runtime, args[0]):
        total = plus(total, item)
    return total


def _abs(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_keywords("abs", kwargs)
    if len(args) == 1 and type(args[0]) not in PLAIN_TYPES and runtime.is_surface(args[0]):
        return _call_method(runtime, args[0], "abs", [])
    return abs(*args)


def _str(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) == 1 and not kwargs:
        return runtime.to_str(args[0])
    return str(*args, **kwargs)


def _repr(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_keywords("repr", kwargs)
    if len(args) != 1:
        raise TypeError(f"repr() takes exactly one argument ({len(args)} given)")
    return runtime.to_repr(args[0])


def _bool(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_keywords("bool", kwargs)
    if len(args) > 1:
        raise TypeError(f"bool expected at most 1 argument, got {len(args)}")
    return runtime.truth(args[0]) if args else False


def _sequence(kind: type) -> BuiltinImpl:
    def build(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
        _no_keywords(kind.__name__, kwargs)
        if len(args) > 1:
            raise TypeError(f"{kind.__name__} expected at most 1 argument, got {len(args)}")
        return kind(collect(runtime, args[0])) if args else kind()

    return build


def _dict(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if len(args) > 1:
        raise TypeError(f"dict expected at most 1 argument, got {len(args)}")
    source: Any = args[0] if args else {}
    if type(source) is not dict and type(source) is not OrderedDict:  # a state_dict()
        source = collect(runtime, source)
    result = dict(source, **kwargs)
    runtime.operators.check_length(result)
    return result


def _enumerate(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not args:
        return enumerate(*args, **kwargs)
    return enumerate(runtime.iterate(args[0]), *args[1:], **kwargs)


def _zip(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    return zip(*[runtime.iterate(arg) for arg in args], **kwargs)  # noqa: B905 - as CPython


def _reversed(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_keywords("reversed", kwargs)
    if len(args) == 1 and type(args[0]) not in PLAIN_TYPES and runtime.is_surface(args[0]):
        return reversed(collect(runtime, args[0]))
    return reversed(*args)


def _truth_all(expected: bool) -> BuiltinImpl:
    name = "all" if expected else "any"

    def check(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> bool:
        _no_keywords(name, kwargs)
        if len(args) != 1:
            raise TypeError(f"{name}() takes exactly one argument ({len(args)} given)")
        truth = runtime.truth
        iterable = args[0]
        if type(iterable) in (list, tuple, str, range, dict, set, frozenset):
            for item in collect(runtime, iterable):  # paid by its length, as before
                if truth(item) is not expected:
                    return not expected
            return expected
        # Anything else lazily, a step per item: CPython stops at the first answer, and a
        # generator's side effects after it never happen.
        step = runtime.ctx.step
        for item in runtime.iterate(iterable):
            step()
            if truth(item) is not expected:
                return not expected
        return expected

    return check


def _plain(function: Callable[..., Any]) -> BuiltinImpl:
    def call(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
        return function(*args, **kwargs)

    return call


def _int(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    result = int(*args, **kwargs)
    runtime.operators.int_too_big(result.bit_length())
    return result


def _round(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    # round(int, -n) computes 10**n first: pay its bits through int_bits before CPython does.
    ndigits = args[1] if len(args) > 1 else kwargs.get("ndigits")
    if type(ndigits) is int and ndigits < 0 and args and type(args[0]) in (int, bool):
        runtime.operators.int_too_big(int(-ndigits * _BITS_PER_DIGIT) + 1)
    return round(*args, **kwargs)


_BITS_PER_DIGIT = 3.33  # log2(10), rounded up a little


def _range(runtime: Runtime, args: list[Any], kwargs: dict[str, Any]) -> Any:
    _no_keywords("range", kwargs)
    return range(*args)


_IMPLEMENTATIONS: dict[str, tuple[Any, BuiltinImpl]] = {
    "print": (print, _print),
    "range": (range, _range),
    "len": (len, _plain(len)),
    "abs": (abs, _abs),
    "min": (min, _extreme("min", "<")),
    "max": (max, _extreme("max", ">")),
    "sum": (sum, _sum),
    "round": (round, _round),
    "float": (float, _plain(float)),
    "int": (int, _int),
    "bool": (bool, _bool),
    "str": (str, _str),
    "list": (list, _sequence(list)),
    "tuple": (tuple, _sequence(tuple)),
    "dict": (dict, _dict),
    "enumerate": (enumerate, _enumerate),
    "zip": (zip, _zip),
    "isinstance": (isinstance, _plain(isinstance)),
    "repr": (repr, _repr),
    "reversed": (reversed, _reversed),
    "any": (any, _truth_all(False)),
    "all": (all, _truth_all(True)),
}
assert all(getattr(python_builtins, name) is obj for name, (obj, _) in _IMPLEMENTATIONS.items())

from app.sandbox.builtins_extra import EXTRA_IMPLEMENTATIONS  # noqa: E402  (it uses collect)

_IMPLEMENTATIONS.update(EXTRA_IMPLEMENTATIONS)

# The names every program starts with, bound to the real CPython objects (read-only: shared).
# `__name__` is the one dunder a program reads: `if __name__ == "__main__":` runs.
BUILTIN_NAMES: Mapping[str, Any] = MappingProxyType(
    {"True": True, "False": False, "None": None, "__name__": "__main__"}
    | {name: obj for name, (obj, _) in _IMPLEMENTATIONS.items()}
)
# Implementations keyed by the id() of the object a name is bound to; those objects live as long
# as the process, so an id can never be reused by a program value.
BUILTIN_CALLS: dict[int, BuiltinImpl] = {
    id(obj): implementation for obj, implementation in _IMPLEMENTATIONS.values()
}


def builtin_names() -> Iterable[str]:
    """The builtin names the language binds (for capabilities)."""
    return grammar.ALLOWED_BUILTINS


from app.sandbox.builtins_extra import sort_items, sort_keywords  # noqa: E402
