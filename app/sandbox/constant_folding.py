"""What CPython's AST optimizer folds into a constant, for its compile-time SyntaxWarnings.

CPython warns about `(1 - 0)[0]` because the optimizer first turns `1 - 0` into `1`. The
validator needs the same answer without compiling the program, so this mirrors
`Python/ast_opt.c` (3.11): the same operators and the same size guards (results above 128 bits,
collections above 256 items, strings above 4096 characters are not folded), and an operation
that raises is simply not folded.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from app.sandbox.operators import BINARY, NOT, UNARY

MAX_INT_SIZE = 128
MAX_COLLECTION_SIZE = 256
MAX_STR_SIZE = 4096
# Deeper expressions are left unfolded: the answer only feeds a warning.
MAX_FOLD_DEPTH = 100

NOT_FOLDED: tuple[bool, Any] = (False, None)

_UNARY: dict[type[ast.AST], Callable[[Any], Any]] = {
    op.node: op.function for op in (*UNARY, NOT) if op.folded
}


def _safe_multiply(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and left and right:
        if left.bit_length() + right.bit_length() > MAX_INT_SIZE:
            raise OverflowError
    elif isinstance(left, int) and isinstance(right, tuple | str | bytes):
        limit = MAX_COLLECTION_SIZE if isinstance(right, tuple) else MAX_STR_SIZE
        if left > 0 and len(right) > limit // left:
            raise OverflowError
    elif isinstance(right, int) and isinstance(left, tuple | str | bytes):
        return _safe_multiply(right, left)
    return left * right


def _safe_power(left: Any, right: Any) -> Any:
    positive_int_power = isinstance(left, int) and isinstance(right, int) and left and right > 0
    if positive_int_power and left.bit_length() > MAX_INT_SIZE // right:
        raise OverflowError
    return left**right


def _safe_lshift(left: Any, right: Any) -> Any:
    int_shift = isinstance(left, int) and isinstance(right, int) and left and right >= 0
    if int_shift and (right > MAX_INT_SIZE or left.bit_length() > MAX_INT_SIZE - right):
        raise OverflowError
    return left << right


def _safe_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes):
        raise TypeError  # never folded: formatting
    return left % right


# The optimizer's size guards, by symbol; the other folded operators run as they are.
_GUARDED: dict[str, Callable[[Any, Any], Any]] = {
    "*": _safe_multiply,
    "%": _safe_mod,
    "**": _safe_power,
    "<<": _safe_lshift,
}
_BINARY: dict[type[ast.AST], Callable[[Any, Any], Any]] = {
    op.node: _GUARDED.get(op.symbol, op.function) for op in BINARY if op.folded
}


def folded_constant(node: ast.expr, depth: int = 0) -> tuple[bool, Any]:
    """(True, value) when CPython's optimizer turns `node` into a constant, else (False, None)."""
    if isinstance(node, ast.Constant):
        return True, node.value
    if depth > MAX_FOLD_DEPTH:
        return NOT_FOLDED
    try:
        if isinstance(node, ast.UnaryOp):
            folded, value = folded_constant(node.operand, depth + 1)
            return (True, _UNARY[type(node.op)](value)) if folded else NOT_FOLDED
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left_folded, left = folded_constant(node.left, depth + 1)
            right_folded, right = folded_constant(node.right, depth + 1)
            if left_folded and right_folded:
                return True, _BINARY[type(node.op)](left, right)
            return NOT_FOLDED
        if isinstance(node, ast.Tuple):
            items = [folded_constant(element, depth + 1) for element in node.elts]
            if all(folded for folded, _ in items):
                return True, tuple(value for _, value in items)
            return NOT_FOLDED
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            value_folded, value = folded_constant(node.value, depth + 1)
            key_folded, key = folded_constant(node.slice, depth + 1)
            if value_folded and key_folded:
                return True, value[key]
    except Exception:  # what raises is left for run time, exactly as CPython does
        return NOT_FOLDED
    return NOT_FOLDED
