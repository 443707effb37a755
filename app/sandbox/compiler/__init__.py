"""Compile a validated AST once into Python closures; running them runs the program.

No node is dispatched on at run time: each statement becomes a closure `(frame) -> control`
and each expression a closure `(frame) -> value`. Every operation that can raise converts the
real exception into a `ProgramException` at its own position (the innermost expression, as in
CPython's traceback), so enclosing closures let it pass untouched.

The package is split by what each part owns: `positions.py` (CPython 3.11's column rules),
`scopes.py` (which scope a name lives in), `base.py` (what both halves share: the run, the
step counter, truth), `statements.py` and `expressions.py` (the two halves, combined here).

The closures made for every run (names, operators, calls, attributes, top-level assignments)
take what they were compiled with as default arguments, not closure cells: a program is
compiled on every run, and each cell is an object made and freed per run (a default is one
slot of a tuple), and read slower at run time too. Callers pass only `frame`.
"""

from __future__ import annotations

import ast

from app.sandbox.compiler.base import BREAK, CONTINUE, RETURN, Expr, Stmt, Store
from app.sandbox.compiler.expressions import ExpressionCompiler
from app.sandbox.compiler.scopes import Scope, assigned_names
from app.sandbox.compiler.statements import GRAD_MODE_MANAGERS, StatementCompiler

__all__ = [
    "BREAK",
    "CONTINUE",
    "GRAD_MODE_MANAGERS",
    "RETURN",
    "Compiler",
    "Expr",
    "Scope",
    "Stmt",
    "Store",
    "assigned_names",
]


class Compiler(StatementCompiler, ExpressionCompiler):
    """Turns statements and expressions into closures bound to one run's runtime and globals."""

    def module(self, tree: ast.Module) -> Stmt:
        scope = Scope("module", set(), None, "")
        self.tree = tree
        self.imported = None
        return self.block(tree.body, scope)

    def expression(self, tree: ast.Expression) -> Expr:
        return self.expr(tree.body, Scope("module", set(), None, ""))
