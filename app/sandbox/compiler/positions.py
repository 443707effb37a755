"""Where CPython 3.11 reports an error: the (line, column) each compiled operation carries.

A traceback names the innermost expression at fault, and where that expression "is" follows
CPython's compiler, not the AST alone: a method call spread over lines sits at its attribute's
name, unless it is a plain call in CPython's eyes (an imported module's function, unpacked or
too many arguments).
"""

from __future__ import annotations

import ast
from collections.abc import Callable


def position(node: ast.stmt | ast.expr | ast.excepthandler) -> tuple[int, int]:
    # The parser gives every statement and expression a position.
    return node.lineno, node.col_offset + 1


# CPython 3.11 compiles a call with this many arguments or more as a plain call.
METHOD_CALL_MAX_ARGUMENTS = 30


def attribute_position(node: ast.Attribute, line: int, col: int) -> tuple[int, int]:
    """Where CPython 3.11 places reading `node` (or calling it as a method) when the code at
    (line, col) starts the expression: at the attribute's name if that sits on a later line,
    as in `(x\n .sum())` (compile.c: update_start_location_to_match_attr)."""
    end_line, end_col = node.end_lineno, node.end_col_offset
    if end_line is None or end_col is None or end_line == line or len(node.attr) > end_col:
        return line, col
    return end_line, end_col - len(node.attr) + 1


def call_position(node: ast.Call, imported: Callable[[], frozenset[str]]) -> tuple[int, int]:
    """Where CPython 3.11 places a call: a method call (`obj.name(...)` with plain arguments,
    `obj` not one of the module's `imported()` names) sits where `name` does; see
    attribute_position. Everything else sits where the call starts."""
    line, col = position(node)
    method = node.func
    if (
        type(method) is not ast.Attribute
        or method.end_lineno == line  # the common case: nothing to move
        or (type(method.value) is ast.Name and method.value.id in imported())
        or unpacks(node)
        or len(node.args) + len(node.keywords) + bool(node.keywords) >= METHOD_CALL_MAX_ARGUMENTS
    ):
        return line, col
    return attribute_position(method, line, col)


def unpacks(node: ast.Call) -> bool:
    """True for `f(*args)` and `f(**kwargs)`."""
    for argument in node.args:
        if type(argument) is ast.Starred:
            return True
    # Most calls have no keywords: no generator made for them.
    return bool(node.keywords) and any(keyword.arg is None for keyword in node.keywords)
