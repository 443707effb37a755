"""The calls of `math` and `random` that need more than their O(1) float cost.

Each handler checks sizes before CPython does the work: an int result larger than
`int_bits` (factorial, comb, perm, lcm, prod), an iterable walked in C (fsum, prod, dist,
hypot: materialized a step per item within the list limit), a sample or a bit count larger
than the limits. `random` is the process's module, reseeded with the request's seed at the
start of every run (process_state.py); `random.seed()` without a value would read the system
clock and is refused.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import torch

from app.sandbox.context import RunContext
from app.sandbox.errors import SandboxViolation

Handler = Callable[[Any, Sequence[Any], dict[str, Any], RunContext], Any]

_LOG2_E = math.log2(math.e)


def _too_big(bits: float, what: str, ctx: RunContext) -> None:
    if bits > ctx.limits.int_bits:
        raise ctx.limit_exceeded(
            "int_bits",
            f"{what} would have about {int(bits):,} bits; at most {ctx.limits.int_bits:,} "
            "are allowed.",
        )


def _log2_factorial(n: int) -> float:
    return math.lgamma(n + 1) * _LOG2_E if n > 1 else 0.0


def _integer(value: Any) -> Any:
    # CPython accepts anything with __index__; a bool or a 1-element int tensor too.
    try:
        return value.__index__() if not isinstance(value, int) else value
    except Exception:
        return value  # CPython's own TypeError comes from the real call


def _items(value: Any, ctx: RunContext, iterate: Callable[..., Any]) -> list[Any]:
    """Materialize an iterable a step per item, within the list limit (tensors: by rows, paid
    as the surface iterates them)."""
    limit = ctx.limits.list_length
    if type(value) in (list, tuple, range, str, dict, set, frozenset):
        if len(value) > limit:
            raise ctx.limit_exceeded(
                "list_length",
                f"A sequence of {len(value):,} items is longer than the allowed {limit:,}.",
            )
        ctx.charge(max(len(value), 1), "Reading a sequence")
        return list(value)
    source = iterate(value, ctx) if isinstance(value, torch.Tensor) else iter(value)
    items: list[Any] = []
    for item in source:
        ctx.step()
        items.append(item)
        if len(items) > limit:
            raise ctx.limit_exceeded(
                "list_length", f"A sequence would have more than {limit:,} items."
            )
    return items


def _factorial(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    if len(args) == 1 and not kwargs:
        n = _integer(args[0])
        if isinstance(n, int) and n > 0:
            _too_big(_log2_factorial(n), "math.factorial", ctx)
    return fn.target(*args, **kwargs)


def _comb_perm(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    if not kwargs and 1 <= len(args) <= 2:
        n = _integer(args[0])
        k = _integer(args[1]) if len(args) == 2 and args[1] is not None else None
        if isinstance(n, int) and n > 0 and (k is None or isinstance(k, int)):
            if k is None:
                k = n
            if 0 <= k <= n:
                bits = _log2_factorial(n) - _log2_factorial(n - k)
                if fn.name == "comb":
                    bits -= _log2_factorial(k)
                _too_big(bits, f"math.{fn.name}", ctx)
    return fn.target(*args, **kwargs)


def _lcm(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    if kwargs or not all(isinstance(arg, int) for arg in args):
        return fn.target(*args, **kwargs)  # CPython's own TypeError
    result = 1
    for arg in args:
        ctx.step()
        result = math.lcm(result, arg)
        _too_big(result.bit_length(), "math.lcm", ctx)
    return result if args else fn.target()


def _prod(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    from app.sandbox import torch_surface  # the surface pays for tensor products

    if len(args) != 1 or set(kwargs) - {"start"}:
        return fn.target(*args, **kwargs)
    result = kwargs.get("start", 1)
    for item in _items(args[0], ctx, torch_surface.iterate):
        if isinstance(result, int) and isinstance(item, int):
            _too_big(result.bit_length() + item.bit_length(), "math.prod", ctx)
            result = result * item
        elif isinstance(result, torch.Tensor) or isinstance(item, torch.Tensor):
            result = torch_surface.binary_op("*", result, item, ctx)
        else:
            result = fn.target([item], start=result)
    return result


def _over_items(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    """fsum(iterable), dist(p, q): their iterables materialized within the limits first."""
    from app.sandbox import torch_surface

    prepared = [
        arg if isinstance(arg, int | float) else _items(arg, ctx, torch_surface.iterate)
        for arg in args
    ]
    return fn.target(*prepared, **kwargs)


def _hypot(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    ctx.charge(max(len(args), 1), "math.hypot")
    return fn.target(*args, **kwargs)


def _seed(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    value = args[0] if args else kwargs.get("a")
    if value is None:
        raise SandboxViolation(
            f"Line {ctx.line}: random.seed() without a value would seed from the system "
            "clock; pass a number, e.g. random.seed(0).",
            line=ctx.line,
            col=ctx.col,
        )
    if isinstance(value, str):
        ctx.charge(max(len(value), 1), "random.seed")
    return fn.target(*args, **kwargs)


def _counted(keyword: str, position: int) -> Handler:
    """sample(population, k) and choices(population, ..., k=): k items are built."""

    def handler(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
        count = kwargs.get(keyword, args[position] if len(args) > position else None)
        if isinstance(count, int) and count > ctx.limits.list_length:
            raise ctx.limit_exceeded(
                "list_length",
                f"random.{fn.name} would build a list of {count:,} items; a list may have at "
                f"most {ctx.limits.list_length:,}.",
            )
        if isinstance(count, int) and count > 0:
            ctx.charge(count, f"random.{fn.name}")
        for name in ("counts", "weights", "cum_weights"):
            given = kwargs.get(name)
            if given is not None and not isinstance(given, list | tuple | range):
                from app.sandbox import torch_surface

                kwargs = {**kwargs, name: _items(given, ctx, torch_surface.iterate)}
        return fn.target(*args, **kwargs)

    return handler


def _getrandbits(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    if args and isinstance(args[0], int):
        _too_big(args[0], "random.getrandbits", ctx)
    return fn.target(*args, **kwargs)


def _shuffle(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], ctx: RunContext) -> Any:
    if args and isinstance(args[0], list):
        ctx.charge(max(len(args[0]), 1), "random.shuffle")
    elif args:
        raise SandboxViolation(
            f"Line {ctx.line}: random.shuffle works on lists in the playground; for a tensor "
            "use x[torch.randperm(len(x))].",
            line=ctx.line,
            col=ctx.col,
        )
    return fn.target(*args, **kwargs)


SPECIAL_FUNCTIONS: dict[str, Handler] = {
    "math.factorial": _factorial,
    "math.comb": _comb_perm,
    "math.perm": _comb_perm,
    "math.lcm": _lcm,
    "math.prod": _prod,
    "math.fsum": _over_items,
    "math.dist": _over_items,
    "math.hypot": _hypot,
    "random.seed": _seed,
    "random.sample": _counted("k", 1),
    "random.choices": _counted("k", 99),
    "random.getrandbits": _getrandbits,
    "random.shuffle": _shuffle,
}

REAL_MODULES: dict[str, Any] = {"math": math, "random": random}
