"""Grade many submissions of one problem on one warm worker pool (the command line's engine).

The pool starts once (seconds: torch is imported and warmed up in the zygote), the reference is
checked once against every check (it must score 100 %: anything else, a timeout included, is the
grader's error, never a student's), and then each submission is one `check` job, a few at a
time. Used by `grade`, `problem validate` and the Gradescope and PrairieLearn entry points.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from app.config import Settings, get_settings
from app.grading.problems import Problem
from app.grading.scoring import failed_check_result
from app.workers import WorkerPool


class GraderError(Exception):
    """The problem cannot grade anyone: its reference fails, times out or misses a check."""


@dataclass(frozen=True)
class Graded:
    """One submission's CheckResult and how long its job took (seconds, queue included)."""

    name: str
    result: dict[str, Any]
    seconds: float


def pool_settings(workers: int | None = None) -> Settings:
    """The server's settings, with `workers` workers and room for two jobs in flight each."""
    settings = get_settings()
    count = settings.workers if workers is None else workers
    return settings.model_copy(update={"workers": count, "queue_size": 2 * count})


class ProblemGrader:
    """A warm pool and one problem: `async with ProblemGrader(problem) as grader: ...`."""

    def __init__(self, problem: Problem, settings: Settings | None = None) -> None:
        self.problem = problem
        self.settings = settings or pool_settings(1)
        self.pool = WorkerPool(self.settings)
        self.startup_seconds = 0.0

    async def __aenter__(self) -> ProblemGrader:
        started = time.monotonic()
        await self.pool.start()
        self.startup_seconds = time.monotonic() - started
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.pool.close()

    async def grade(self, source: str, name: str = "submission") -> Graded:
        """Grade one program; a worker that dies or overruns fails this submission only."""
        job = self.problem.check_job(source)
        started = time.monotonic()
        outcome = await self.pool.submit("check", job, programs=2)
        seconds = time.monotonic() - started
        if outcome.failure is None:
            return Graded(name, outcome.result(), seconds)
        torch_version = str(self.pool.info.get("torch_version", ""))
        return Graded(name, failed_check_result(job, outcome.failure, torch_version), seconds)

    async def check_reference(self) -> Graded:
        """Grade the reference against its own checks; GraderError unless it scores 100 %."""
        graded = await self.grade(self.problem.reference, "reference")
        result = graded.result
        if result["run"]["error"] is not None:
            error = result["run"]["error"]
            line = f" at line {error['line']}" if error.get("line") else ""
            raise GraderError(
                f"The reference program of {self.problem.id!r} fails{line} with "
                f"{error['type']}: {error['message']}"
            )
        failed = [entry for entry in result["results"] if not entry["passed"]]
        if failed or result.get("grader_error") is not None:
            first = failed[0] if failed else {"name": "?", "message": str(result["grader_error"])}
            raise GraderError(
                f"The reference program of {self.problem.id!r} scores {result['score']:.0%}, "
                f"not 100 %: check {first['name']!r}: {first['message']}"
            )
        return graded

    async def grade_many(self, submissions: list[tuple[str, str]]) -> list[Graded]:
        """Grade (name, source) pairs, two jobs per worker in flight; results in input order."""
        slots = asyncio.Semaphore(2 * self.settings.workers)

        async def in_turn(name: str, source: str) -> Graded:
            async with slots:
                return await self.grade(source, name)

        return list(await asyncio.gather(*(in_turn(n, s) for n, s in submissions)))

    async def graph(self, source: str) -> dict[str, Any] | None:
        """The autograd graph of `source` (a `run` job), or None when the run gives none."""
        outcome = await self.pool.submit(
            "run", {"source": source, "seed": self.problem.seed, "include": ["graph"]}
        )
        if outcome.failure is not None or outcome.body is None:
            return None
        graph: dict[str, Any] | None = json.loads(outcome.body).get("graph")
        return graph
