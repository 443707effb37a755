"""What every part of the compiler shares: the run it compiles for, closure types, control codes,
the step counter and the truth of a test."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import torch

from app.sandbox.compiler.positions import call_position, position
from app.sandbox.compiler.scopes import Scope, module_imports
from app.sandbox.compiler.steps import step_guard
from app.sandbox.functions import Frame
from app.sandbox.program_errors import to_program_exception
from app.sandbox.runtime import Runtime

Expr = Callable[[Frame], Any]
Stmt = Callable[[Frame], int | None]
Store = Callable[[Frame, Any], None]

# Control codes a statement returns; None means "go on".
BREAK, CONTINUE, RETURN = 1, 2, 3


class CompilerBase:
    """One run's runtime and globals, and what statements and expressions both ask for."""

    def __init__(
        self, runtime: Runtime, globals_: dict[str, Any], builtins: Mapping[str, Any]
    ) -> None:
        self.runtime = runtime
        self.ctx = runtime.ctx
        # The module being compiled, and the names it imports (see _call_position; read
        # only for a method call spread over lines, so computed on first use).
        self.tree: ast.Module | None = None
        self.imported: frozenset[str] | None = None
        self.globals = globals_
        self.builtins = builtins
        self.observer = runtime.ctx.observer
        # Capture off: statements skip the observer call entirely (the fast path).
        self.notify = runtime.ctx.reports_ops
        self._tick = step_guard(self.ctx)

    if TYPE_CHECKING:  # compiled by the mixins (statements.py, expressions.py)

        def expr(self, node: ast.expr, scope: Scope) -> Expr: ...

        def exprs(self, nodes: list[ast.expr], scope: Scope) -> tuple[Expr, ...]: ...

        def load_name(self, node: ast.Name, scope: Scope) -> Expr: ...

        def store(self, target: ast.expr, scope: Scope) -> Store: ...

        def block(self, body: list[ast.stmt], scope: Scope) -> Stmt: ...

    def tick(self) -> Callable[[int, int], None]:
        """`tick(line, col)`: count a step there (steps.py owns the rule). One guard per
        compiler (its context's), shared by every construct that takes steps."""
        return self._tick

    def _imported(self) -> frozenset[str]:
        if self.imported is None:
            self.imported = frozenset() if self.tree is None else module_imports(self.tree)
        return self.imported

    def _call_position(self, node: ast.Call) -> tuple[int, int]:
        return call_position(node, self._imported)

    def truth_at(self, test: ast.expr, owner: ast.stmt | ast.expr) -> Callable[[Any], bool]:
        """Truth of `test`'s value, errors (a multi-element tensor) reported where CPython does.

        CPython's conditional jump carries the position of the construct that owns the test
        (`if`, `while`, `assert`, `x if c else y`, `and`, `not`, a comprehension), except after
        a comparison, whose jump is fused with it and reported at the comparison.
        """
        truth = self.runtime.truth
        tensor_truth = self.runtime.surface.truth
        tensor_type = torch.Tensor
        ctx = self.ctx
        line, col = position(test if isinstance(test, ast.Compare) else owner)

        def truth_here(value: Any) -> bool:
            if value is True:
                return True
            if value is False:
                return False
            try:
                if isinstance(value, tensor_type):  # `while y.norm() < 1000:`
                    return tensor_truth(value, ctx)
                return truth(value)
            except Exception as error:
                raise to_program_exception(error, line, col) from None

        return truth_here
