"""Run a program through the interpreter alone (no runner), as the interpreter tests need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.sandbox.context import RunContext
from app.sandbox.interpreter import Interpreter, Outcome
from app.sandbox.limits import Limits
from app.sandbox.observer import NOT_LISTENING, BackwardPass, PassiveObserver, PassListener
from app.sandbox.process_state import reset_global_state


def run(source: str, limits: Limits | None = None, observer: Any = None) -> Outcome:
    """Run `source` with fresh torch state; the observer defaults to capture off."""
    reset_global_state(0)
    ctx = RunContext(limits or Limits(), observer or PassiveObserver())
    return Interpreter(ctx).run(source)


def interpreter_after(source: str, limits: Limits | None = None) -> Interpreter:
    """An interpreter that has run `source` (for evaluate())."""
    reset_global_state(0)
    interpreter = Interpreter(RunContext(limits or Limits()))
    outcome = interpreter.run(source)
    assert outcome.ok, outcome.error
    return interpreter


class StatementRecorder:
    """Observer that records statement_executed calls and listens to no backward pass."""

    def __init__(self) -> None:
        self.statements: list[tuple[int, dict[str, Any], int]] = []
        self.ops: list[int] = []

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        self.ops.append(line)

    def statement_executed(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        self.statements.append((line, dict(bindings), stdout_len))

    def backward_pass(self, backward: BackwardPass) -> PassListener:
        return NOT_LISTENING
