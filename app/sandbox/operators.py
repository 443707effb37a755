"""The language's operators: one table, the syntax node, the symbol and the real function of each.

The allow-list *is* the dispatch table (asteval's `op2func`): the grammar admits exactly the
operator nodes listed here, the compiler maps nodes to symbols with it, the runtime and the torch
surface apply its functions, and constant folding folds the rows CPython's optimizer folds. A
row added here is allowed, compiled, applied and folded everywhere at once; nothing else lists
operators (tests/unit/sandbox/test_operators.py checks that the derived tables agree).

Both the interpreter (plain values) and the torch surface (tensors) apply the real functions,
so every result and every error message is CPython's and torch's own (`+=` even says "+=").
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Operator:
    """One operator: the node the parser makes for it, the symbol it is known by, and what it
    does."""

    node: type[ast.AST]
    symbol: str
    function: Callable[..., Any]
    # `symbol=`'s function (binary operators only): `x += y` runs operator.iadd.
    augmented: Callable[[Any, Any], Any] | None = None
    # Two int/float operands run the function directly, only an int result is checked
    # (Runtime.binary): none of these can build a value past a limit from operands within it.
    fast_path: bool = False
    # CPython 3.11's AST optimizer folds it on constants (Python/ast_opt.c); constant_folding.py
    # adds the optimizer's size guards.
    folded: bool = False


def _contains(item: Any, container: Any) -> bool:
    return operator.contains(container, item)


def _not_contains(item: Any, container: Any) -> bool:
    return not operator.contains(container, item)


# `left symbol right`, and `left symbol= right`.
BINARY: tuple[Operator, ...] = (
    Operator(ast.Add, "+", operator.add, operator.iadd, fast_path=True, folded=True),
    Operator(ast.Sub, "-", operator.sub, operator.isub, fast_path=True, folded=True),
    Operator(ast.Mult, "*", operator.mul, operator.imul, fast_path=True, folded=True),
    Operator(ast.Div, "/", operator.truediv, operator.itruediv, fast_path=True, folded=True),
    Operator(
        ast.FloorDiv,
        "//",
        operator.floordiv,
        operator.ifloordiv,
        fast_path=True,
        folded=True,
    ),
    Operator(ast.Mod, "%", operator.mod, operator.imod, fast_path=True, folded=True),
    # `**` and `<<` are checked before they run (their results outgrow their operands).
    Operator(ast.Pow, "**", operator.pow, operator.ipow, folded=True),
    Operator(ast.MatMult, "@", operator.matmul, operator.imatmul),  # never folded
    Operator(ast.LShift, "<<", operator.lshift, operator.ilshift, folded=True),
    Operator(ast.RShift, ">>", operator.rshift, operator.irshift, folded=True),
    Operator(ast.BitAnd, "&", operator.and_, operator.iand, folded=True),
    Operator(ast.BitOr, "|", operator.or_, operator.ior, folded=True),
    Operator(ast.BitXor, "^", operator.xor, operator.ixor, folded=True),
)

# Rich comparisons: the object decides (a tensor compares element-wise).
COMPARISONS: tuple[Operator, ...] = (
    Operator(ast.Eq, "==", operator.eq, fast_path=True),
    Operator(ast.NotEq, "!=", operator.ne, fast_path=True),
    Operator(ast.Lt, "<", operator.lt, fast_path=True),
    Operator(ast.LtE, "<=", operator.le, fast_path=True),
    Operator(ast.Gt, ">", operator.gt, fast_path=True),
    Operator(ast.GtE, ">=", operator.ge, fast_path=True),
)

# Identity and membership: comparisons the object does not answer element-wise (`in` asks the
# container, with the item on the left).
IDENTITY_AND_MEMBERSHIP: tuple[Operator, ...] = (
    Operator(ast.Is, "is", operator.is_),
    Operator(ast.IsNot, "is not", operator.is_not),
    Operator(ast.In, "in", _contains),
    Operator(ast.NotIn, "not in", _not_contains),
)

# `symbol operand`; `not` is separate: it asks for the operand's truth, as `if` does.
UNARY: tuple[Operator, ...] = (
    Operator(ast.USub, "-", operator.neg, folded=True),
    Operator(ast.UAdd, "+", operator.pos, folded=True),
    Operator(ast.Invert, "~", operator.invert, folded=True),
)
NOT = Operator(ast.Not, "not", operator.not_, folded=True)

# `and`, `or`: short-circuit, compiled as control flow; no function.
BOOLEAN_NODES: tuple[type[ast.AST], ...] = (ast.And, ast.Or)

# ---- derived tables: every other module reads these ------------------------------------------

# Every operator node the grammar admits.
OPERATOR_NODES: frozenset[type[ast.AST]] = frozenset(
    {
        *(op.node for op in (*BINARY, *COMPARISONS, *IDENTITY_AND_MEMBERSHIP, *UNARY, NOT)),
        *BOOLEAN_NODES,
    }
)

# Node type -> symbol, for the compiler.
BINARY_SYMBOLS: dict[type[ast.AST], str] = {op.node: op.symbol for op in BINARY}
COMPARE_SYMBOLS: dict[type[ast.AST], str] = {op.node: op.symbol for op in COMPARISONS}
UNARY_SYMBOLS: dict[type[ast.AST], str] = {op.node: op.symbol for op in UNARY}

# Symbol -> function: arithmetic, augmented and rich comparisons (identity and membership are
# routed by the runtime, which costs the container walk of `in`).
BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    **{op.symbol: op.function for op in BINARY},
    **{op.symbol: op.function for op in COMPARISONS},
    **{op.symbol + "=": op.augmented for op in BINARY if op.augmented is not None},
}
# Every binary symbol with its function, identity and membership included (the torch surface).
ALL_BINARY_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    **BINARY_OPERATORS,
    **{op.symbol: op.function for op in IDENTITY_AND_MEMBERSHIP},
}
# `is` and `is not` by node: the compiler applies them as they are (`in` is the runtime's).
IDENTITY_FUNCTIONS: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    op.node: op.function for op in IDENTITY_AND_MEMBERSHIP if op.node in (ast.Is, ast.IsNot)
}
UNARY_OPERATORS: dict[str, Callable[[Any], Any]] = {op.symbol: op.function for op in UNARY}

# The augmented forms' symbols (`+=`): on a tensor they change the left operand in place.
AUGMENTED_SYMBOLS: frozenset[str] = frozenset(
    op.symbol + "=" for op in BINARY if op.augmented is not None
)
# The rich comparisons' symbols (compared, never augmented).
COMPARISON_SYMBOLS: frozenset[str] = frozenset(op.symbol for op in COMPARISONS)

# Symbols (augmented included) two int/float operands run directly.
NUMERIC_FAST_PATH: dict[str, Callable[[Any, Any], Any]] = {
    **{op.symbol: op.function for op in (*BINARY, *COMPARISONS) if op.fast_path},
    **{op.symbol + "=": op.augmented for op in BINARY if op.fast_path and op.augmented is not None},
}
