"""Per-run state shared by the interpreter and the torch surface: limits, budget, position.

One RunContext lives for one run. The interpreter (`interpreter.py`) moves `line`/`col` as it
goes and counts steps; the torch surface (`torch_surface.py`) charges op costs before running
an op. Both raise the signals of `errors.py`, which carry the current position.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.sandbox.errors import DeadlineExceeded, LimitExceeded
from app.sandbox.limits import Limits
from app.sandbox.observer import Observer, PassiveObserver


@dataclass
class RunContext:
    """Budget and position of one run."""

    limits: Limits
    observer: Observer = field(default_factory=PassiveObserver)
    started: float = field(default_factory=time.monotonic)
    line: int = 0
    col: int = 0
    steps: int = 0
    cost_spent: int = 0
    call_depth: int = 0
    # Bytes held by tensors the program's ops created and that are still alive (kept by the
    # torch surface: surface/memory.py).
    live_tensor_bytes: int = 0
    # torch's once-per-process warnings already shown in this run (surface/warn_once.py).
    warned_once: set[str] = field(default_factory=set)
    # Items and characters of every list, tuple and string the run built, by the interpreter or
    # by torch (`tolist`): one `[0] * 10**5` is fine, 10**5 of them would hold gigabytes.
    python_items: int = 0
    # Classes the program's class statements made: with none, no value can run program code
    # in its repr, and the runner skips asking (runner._show_program_reprs).
    classes_made: int = 0
    # Counts the surface primitives that can change any tensor's `.grad`, `requires_grad` or
    # `retains_grad`: every call, attribute or item assignment on a tensor and augmented
    # operator on one (torch_surface.py bumps it as each starts; nothing else reaches torch).
    # While it stays put between two top-level statements no `.grad` changed, and the timeline
    # skips re-reading them (trace/grad_watch.py). The request's own backward (runner.py) runs
    # after the last statement, where no timeline entry follows: it needs no bump.
    grad_epoch: int = 0
    # False with capture off (the PassiveObserver itself, not a subclass that records): ops
    # and statements then skip its do-nothing calls.
    reports_ops: bool = field(init=False)

    def __post_init__(self) -> None:
        self.reports_ops = type(self.observer) is not PassiveObserver

    @property
    def deadline(self) -> float:
        return self.started + self.limits.seconds

    def limit_exceeded(self, limit: str, message: str) -> LimitExceeded:
        """Build the LimitExceeded signal for `limit` at the current position."""
        return LimitExceeded(message, line=self.line, col=self.col, limit=limit)

    def step(self) -> None:
        """Count one interpreter step and check the step limit and the deadline."""
        self.steps += 1
        if self.steps > self.limits.steps:
            raise self.limit_exceeded(
                "steps", f"The program ran more than {self.limits.steps} interpreter steps."
            )
        if time.monotonic() > self.deadline:
            raise DeadlineExceeded(
                f"The program ran longer than {self.limits.seconds:g} seconds.",
                line=self.line,
                col=self.col,
                limit="seconds",
            )

    def charge(self, cost: int, what: str) -> None:
        """Pay for an op before it runs: per-op and per-run cost limits."""
        if cost > self.limits.op_cost:
            raise self.limit_exceeded(
                "op_cost",
                f"{what} would cost about {cost:.2e} operations; one op may cost at most "
                f"{self.limits.op_cost:.2e}.",
            )
        self.cost_spent += cost
        if self.cost_spent > self.limits.run_cost:
            raise self.limit_exceeded(
                "run_cost",
                f"The program's operations would cost more than {self.limits.run_cost:.2e} "
                "in total.",
            )

    def room_left(self) -> int:
        """The cost the run may still spend (the most any walk needs to count)."""
        return max(self.limits.run_cost - self.cost_spent, 0)

    def charge_pass(self, cost: int, what: str) -> None:
        """Pay for a backward pass: many ops in one call, so only the run's total bounds it
        (each of its nodes is no bigger than an op the forward pass already paid for)."""
        self.cost_spent += cost
        if self.cost_spent > self.limits.run_cost:
            raise self.limit_exceeded(
                "run_cost",
                f"{what} would traverse a graph costing at least {cost:.2e} operations; the "
                f"program's operations may cost at most {self.limits.run_cost:.2e} in total.",
            )

    def charge_python_items(self, count: int) -> None:
        """Count `count` new list items or string characters against the run's total."""
        self.python_items += count
        limit = self.limits.items
        if self.python_items > limit:
            raise self.limit_exceeded(
                "items",
                f"The program built more than {limit:,} list items and string characters in total.",
            )

    def check_elements(self, elements: int, what: str) -> None:
        """Refuse a tensor whose logical size (views included) exceeds the element limit."""
        if elements > self.limits.tensor_elements:
            raise self.limit_exceeded(
                "tensor_elements",
                f"{what} would have {elements:,} elements; a tensor may have at most "
                f"{self.limits.tensor_elements:,}.",
            )
