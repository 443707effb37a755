"""Running the program's own code aside, once the program has finished: the `__repr__` of its
objects that the capture shows in `variables`.

By then the program's result is taken (its stdout, its error, its values), and code run aside
must change none of it, nor be able to cost the program anything. So each call runs:

- with its output discarded (a Stdout of its own: `print` in `__repr__` shows nowhere);
- under a budget of its own, far smaller than the run's and counted apart from it: steps and
  seconds per call and for all calls together (`AsideBudget`), and a share of op cost and of
  Python items; the run's counters are put back afterwards, so the program's own accounting
  is what the program spent;
- with no observer (nothing is recorded), warnings dropped, and torch's grad mode, the call
  depth and the position put back.

Whatever a call raises (the program's error, a limit, a `__repr__` returning no `str`) makes it
fail, and the caller falls back to what it shows without running code; only
KeyboardInterrupt/SystemExit escape.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import torch

from app.sandbox.errors import PlaygroundSignal
from app.sandbox.observer import PassiveObserver
from app.sandbox.runtime import Runtime, Stdout

T = TypeVar("T")


# The run's own accounting and position, put back after each call aside.
_RUN_STATE = (
    "line",
    "col",
    "steps",
    "cost_spent",
    "call_depth",
    "python_items",
    "live_tensor_bytes",
    "started",
    "observer",
    "reports_ops",
)


@dataclass(frozen=True)
class AsideBudget:
    """What code run aside may spend: per call, and for all calls of one run together."""

    steps_per_call: int = 2_000
    seconds_per_call: float = 0.05
    steps: int = 20_000
    seconds: float = 0.2
    # Of the run's op cost and Python items (list items, characters), per call.
    cost_per_call: int = 10_000_000
    items_per_call: int = 100_000


class Aside:
    """Runs calls of the program's code aside after its run; see the module docstring."""

    def __init__(self, runtime: Runtime, budget: AsideBudget | None = None) -> None:
        self.runtime = runtime
        self.budget = budget or AsideBudget()
        self.steps_left = self.budget.steps
        self.seconds_left = self.budget.seconds
        self.calls = 0
        self.failures = 0

    @property
    def spent(self) -> bool:
        """True once the budget for all calls is used up: later calls fail at once."""
        return self.steps_left <= 0 or self.seconds_left <= 0

    def call(self, action: Callable[[], T]) -> tuple[bool, T | None]:
        """(True, what `action` returned), or (False, None) when it failed or had no budget."""
        if self.spent:
            self.failures += 1
            return False, None
        self.calls += 1
        runtime = self.runtime
        ctx = runtime.ctx
        limits = ctx.limits
        saved = [getattr(ctx, name) for name in _RUN_STATE]
        warned_once = set(ctx.warned_once)
        stdout = runtime.stdout
        handling = len(runtime.handling)
        grad_enabled = torch.is_grad_enabled()
        steps = min(self.budget.steps_per_call, self.steps_left, limits.steps)
        seconds = min(self.budget.seconds_per_call, self.seconds_left, limits.seconds)
        # The interpreter's step counter and clock are the run's: set so that what is left of
        # them is this call's budget (compiled code reads the limits once, the counters always).
        first_step = ctx.steps = limits.steps - steps
        began = time.monotonic()
        ctx.started = began - (limits.seconds - seconds)
        ctx.cost_spent = max(limits.run_cost - self.budget.cost_per_call, 0)
        ctx.python_items = max(limits.items - self.budget.items_per_call, 0)
        ctx.call_depth = 0
        ctx.observer = PassiveObserver()
        ctx.reports_ops = False
        runtime.stdout = Stdout(ctx)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = action()
        except (PlaygroundSignal, Exception):
            self.failures += 1
            return False, None
        finally:
            self.steps_left -= max(ctx.steps - first_step, 1)
            self.seconds_left -= time.monotonic() - began
            runtime.stdout = stdout
            del runtime.handling[handling:]
            torch.set_grad_enabled(grad_enabled)
            ctx.warned_once.clear()
            ctx.warned_once.update(warned_once)
            for field, before in zip(_RUN_STATE, saved, strict=True):
                setattr(ctx, field, before)
        return True, value

    def repr_of(self, value: object) -> str | None:
        """`repr(value)` as the program's own `repr()` gives it, or None when that failed."""
        ok, text = self.call(lambda: self.runtime.to_repr(value))
        return text if ok and type(text) is str else None
