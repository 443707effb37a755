"""The step guard: every statement, loop iteration and produced item costs one step, and each
step checks the step limit and the deadline. This is its one source; every compiled construct
that takes a step calls the guard it returns."""

from __future__ import annotations

import time
from collections.abc import Callable

from app.sandbox.context import RunContext


def step_guard(ctx: RunContext) -> Callable[[int, int], None]:
    """`tick(line, col)`: move the run's position to (line, col) and count a step there.

    The fast check runs inline; only past a limit does `ctx.step()` (the authoritative check,
    also called directly by builtins that loop) raise the limit's signal.
    """
    max_steps = ctx.limits.steps
    # Read `started` at each step: evaluate() restarts the clock for functions compiled during
    # the run.
    seconds = ctx.limits.seconds
    monotonic = time.monotonic

    def tick(line: int, col: int) -> None:
        ctx.line = line
        ctx.col = col
        ctx.steps += 1
        if ctx.steps > max_steps or monotonic() - ctx.started > seconds:
            ctx.step()

    return tick
