"""Run a program: validate, compile once to closures, execute under the run's limits.

`Interpreter(ctx).run(source)` never raises for anything the program does; it returns an
`Outcome`. `evaluate(expression)` lets graders ask questions of the final state in the same
language and under the same limits.
"""

from __future__ import annotations

import ast
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from app.sandbox.builtins import BUILTIN_NAMES
from app.sandbox.compiler import Compiler
from app.sandbox.context import RunContext
from app.sandbox.errors import PlaygroundSignal, ProgramError
from app.sandbox.functions import Frame, InterpretedFunction
from app.sandbox.limits import Limits
from app.sandbox.program_errors import program_error
from app.sandbox.runtime import Runtime, load_surface
from app.sandbox.sanitize import sanitize_message
from app.sandbox.validate import PROGRAM_FILENAME, parse_program

__all__ = ["EvaluationError", "InterpretedFunction", "Interpreter", "Outcome"]


@dataclass
class Outcome:
    """What a run produced, whether or not it succeeded."""

    ok: bool
    error: ProgramError | None
    stdout: str
    stdout_truncated: bool
    warnings: list[dict[str, Any]] = field(default_factory=list)
    globals: dict[str, Any] = field(default_factory=dict)


class EvaluationError(Exception):
    """`Interpreter.evaluate` failed; `error` says why, as for a program."""

    def __init__(self, error: ProgramError) -> None:
        super().__init__(f"{error.type}: {error.message}")
        self.error = error


# Parsed and validated trees of recent sources: the page and graders rerun the same source
# often, and parse + validate cost as much as running a small program. Only trees whose
# parse and validation succeeded without any warning are kept (a cached tree would not warn
# again); nothing mutates a tree after validation, so runs can share them. Bounded in count
# and in source size, so the cache holds a few MB at most.
_TREE_CACHE_SIZE = 32
_TREE_CACHE_SOURCE_CHARS = 8 * 1024
_tree_cache: OrderedDict[tuple[str, str, Limits], ast.Module | ast.Expression] = OrderedDict()


class Interpreter:
    """One program's interpreter; holds its globals after `run` for `evaluate`."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.globals: dict[str, Any] = {}
        self._runtime = Runtime(ctx, load_surface())
        self._warnings: list[dict[str, Any]] = []
        self._seen_warnings: set[tuple[str, str, int | None]] = set()
        self._warning_calls = 0

    def run(self, source: str) -> Outcome:
        """Run `source` to completion or to its first error."""
        error = self._guarded(lambda: self._execute(source))
        stdout = self._runtime.stdout
        return Outcome(
            ok=error is None,
            error=error,
            stdout=stdout.getvalue(),
            stdout_truncated=stdout.truncated,
            warnings=list(self._warnings),
            globals=self.globals,
        )

    @property
    def runtime(self) -> Runtime:
        """The program's runtime (its stdout), for trusted code working after the run: the
        runner's request backward and the capture's `__repr__` calls (sandbox/aside.py)."""
        return self._runtime

    def evaluate(self, expression: str) -> Any:
        """Evaluate one expression against the final globals; raise EvaluationError on failure."""
        # A grader's question gets a fresh step and time budget, with the same limits.
        self.ctx.started = time.monotonic()
        self.ctx.steps = 0
        result: list[Any] = []
        error = self._guarded(lambda: result.append(self._evaluate(expression)))
        if error is not None:
            raise EvaluationError(error)
        return result[0]

    def _parse(self, source: str, mode: str) -> ast.Module | ast.Expression:
        """`parse_program`, through the cache of recent warning-free trees."""
        limits = self.ctx.limits
        key = (source, mode, limits)
        tree = _tree_cache.get(key)
        if tree is not None:
            _tree_cache.move_to_end(key)
            return tree
        calls = self._warning_calls
        tree = parse_program(source, limits, mode="eval" if mode == "eval" else "exec")
        if self._warning_calls == calls and len(source) <= _TREE_CACHE_SOURCE_CHARS:
            _tree_cache[key] = tree
            if len(_tree_cache) > _TREE_CACHE_SIZE:
                _tree_cache.popitem(last=False)
        return tree

    def _execute(self, source: str) -> None:
        tree = self._parse(source, "exec")
        assert isinstance(tree, ast.Module)
        program = self._compiler().module(tree)
        program(Frame(self.globals, None))

    def _evaluate(self, expression: str) -> Any:
        tree = self._parse(expression, "eval")
        assert isinstance(tree, ast.Expression)
        return self._compiler().expression(tree)(Frame(self.globals, None))

    def _compiler(self) -> Compiler:
        return Compiler(self._runtime, self.globals, BUILTIN_NAMES)

    @contextmanager
    def recording_warnings(self) -> Iterator[list[dict[str, Any]]]:
        """Warnings of trusted code run after the program (the request's backward pass, which
        may run the program's Function or hooks), recorded as the run records its own: at the
        line the program was on (None outside its code), once per place. The list yielded is
        filled when the block ends."""
        start = len(self._warnings)
        recorded: list[dict[str, Any]] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = self._record_warning
                yield recorded
        finally:
            recorded.extend(self._warnings[start:])

    def _guarded(self, action: Any) -> ProgramError | None:
        """Run `action`, turning every way it can end into a ProgramError (or None)."""
        ctx = self.ctx
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = self._record_warning
                action()
            return None
        except (PlaygroundSignal, Exception) as caught:
            # The one conversion (program_errors.py): signals keep their position, the rest
            # (memory, stack, a bug of ours) is placed where the run was.
            return program_error(caught, ctx.line or None, ctx.col or None)

    def _record_warning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        self._warning_calls += 1
        # CPython's default filter shows a warning once per location.
        # Warnings of the parser/validator carry the program line; torch's the current line.
        # Line 0: no statement of the program was running (a request's backward in torch).
        where = lineno if filename == PROGRAM_FILENAME else (self.ctx.line or None)
        entry = (category.__name__, sanitize_message(str(message)), where)
        # torch's once-per-process warnings: once per run, at the first line (warn_once.py).
        once = self._runtime.surface.ONCE_PER_PROCESS_WARNINGS
        seen = (entry[0], entry[1], 0) if entry[1] in once else entry
        if seen in self._seen_warnings:
            return
        self._seen_warnings.add(seen)
        self._warnings.append({"category": entry[0], "message": entry[1], "line": entry[2]})
