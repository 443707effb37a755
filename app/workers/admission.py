"""Admission by expected wait: a run is queued while its expected wait stays under a budget.

A small fixed queue turned a class that presses Run together into a storm of 503s, and each
refused request cost the web process as much as a served one. Instead every request is let in
while the wait it can expect is under `budget` seconds, and only beyond that refused, with a
`Retry-After` computed from the same estimate. The decision is plain arithmetic on two numbers
kept here (requests in flight, recent run time), so refusing costs next to nothing; the ASGI
gate (`app/api/admission_gate.py`) asks before the request body is read.

Expected wait of a newcomer with `n` requests in flight on `w` workers: it starts when
`n - w + 1` of them have finished, and the workers finish one every `run / w` seconds, where
`run` is a moving average of the recent jobs' run time (an EWMA: it follows a change of program
mix within a few dozen jobs, and one slow job moves it only a little).

While jobs wait in the pool's queue, a job's run time is taken from the pace of completions
(interval x workers), not from the job's own time as the web process saw it: under a burst the
event loop reads answers late, so each job's own time includes the lag of the jobs before it,
and averaging those made the estimate ten times too long, turned a crowd away and kept the loop
busy with refusals (measured with `bench/overload.py`). The pace is what a waiting request
actually experiences. Only while jobs wait: otherwise the gaps between completions are idle
time, and reading them as run time would refuse more, idle more, and spiral down (measured too:
the first version keyed on "more requests in flight than workers", and requests still being
parsed counted as waiting).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

# Before any job has finished: a guess between a small program (~5 ms) and a big one.
INITIAL_RUN_SECONDS = 0.1
# Weight of the newest job in the moving average.
SMOOTHING = 0.1


@dataclass(frozen=True)
class Decision:
    """Whether a request may wait, and what a refused one is told."""

    admitted: bool
    expected_wait: float
    retry_after: int = 0


class Admission:
    """Counts requests in flight and decides by expected wait (see the module doc)."""

    def __init__(
        self,
        workers: int,
        budget_seconds: float,
        *,
        initial_run_seconds: float = INITIAL_RUN_SECONDS,
        smoothing: float = SMOOTHING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workers = max(1, workers)
        self.budget = budget_seconds
        self.run_seconds = initial_run_seconds
        self.smoothing = smoothing
        self.in_flight = 0
        self.refused = 0
        self._clock = clock
        self._last_completion: float | None = None

    def record_run(self, seconds: float, *, backlogged: bool = False) -> None:
        """A job finished after `seconds` on its worker (as the web process measured it);
        `backlogged`: other jobs are waiting in the pool's queue for a worker."""
        now = self._clock()
        if backlogged and self._last_completion is not None:
            seconds = (now - self._last_completion) * self.workers
        self._last_completion = now if backlogged else None
        self.run_seconds += self.smoothing * (max(0.0, seconds) - self.run_seconds)

    def expected_wait(self, weight: int = 1) -> float:
        """Seconds a newcomer of `weight` jobs waits for a worker, given what is in flight."""
        ahead = self.in_flight + weight - self.workers
        if ahead <= 0:
            return 0.0
        return ahead * self.run_seconds / self.workers

    def retry_after(self, weight: int = 1) -> int:
        """Whole seconds until the queue in front of a newcomer is back under the budget."""
        excess = self.expected_wait(weight) - self.budget
        return max(1, math.ceil(excess))

    def admit(self, weight: int = 1) -> Decision:
        """Let a request in (then call `leave` when it is answered) or refuse it."""
        wait = self.expected_wait(weight)
        if wait > self.budget:
            self.refused += 1
            return Decision(False, wait, self.retry_after(weight))
        self.in_flight += weight
        return Decision(True, wait)

    def leave(self, weight: int = 1) -> None:
        """An admitted request has been answered (or went away)."""
        self.in_flight = max(0, self.in_flight - weight)
