"""app/sandbox/compiler/steps.py, the step guard itself: a tick moves the position, counts one step,
and past the step limit or the deadline raises that limit's signal at the tick's position. What
one step is per construct is tests/unit/sandbox/test_step_boundaries.py's."""

from __future__ import annotations

import time

import pytest

from app.sandbox.compiler.steps import step_guard
from app.sandbox.context import RunContext
from app.sandbox.errors import DeadlineExceeded, LimitExceeded
from app.sandbox.limits import Limits


def test_a_tick_moves_the_position_and_counts_one_step() -> None:
    ctx = RunContext(Limits(steps=10))
    tick = step_guard(ctx)
    tick(3, 5)
    tick(4, 1)
    assert (ctx.line, ctx.col, ctx.steps) == (4, 1, 2)


def test_the_step_past_the_limit_is_refused_at_its_position() -> None:
    ctx = RunContext(Limits(steps=3))
    tick = step_guard(ctx)
    for line in (1, 2, 3):
        tick(line, 1)
    with pytest.raises(LimitExceeded) as raised:
        tick(7, 9)
    assert (raised.value.limit, raised.value.line, raised.value.col) == ("steps", 7, 9)


def test_a_tick_after_the_deadline_is_a_timeout_at_its_position() -> None:
    ctx = RunContext(Limits(seconds=0.5), started=time.monotonic() - 1.0)
    tick = step_guard(ctx)
    with pytest.raises(DeadlineExceeded) as raised:
        tick(2, 4)
    assert (raised.value.limit, raised.value.line, raised.value.col) == ("seconds", 2, 4)


def test_the_clock_is_read_at_each_tick() -> None:
    # evaluate() restarts the clock of a context whose guards were made earlier.
    ctx = RunContext(Limits(seconds=0.5), started=time.monotonic() - 1.0)
    tick = step_guard(ctx)
    ctx.started = time.monotonic()
    tick(1, 1)
    assert ctx.steps == 1
