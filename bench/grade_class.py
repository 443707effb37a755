"""Grading a class: time per submission of `grade DIR`, against plain runs on the same pool.

Starts one warm pool (as `autograd-playground grade PROBLEM DIR --csv` does), checks the
reference once, then grades N submissions of the chain-rule problem (a mix of right, wrong,
crashing and syntax-error programs) and, on the same pool in the same run, runs the same N
programs as plain `run` jobs without capture (the baseline: what executing them costs at all).
Prints start-up seconds, seconds per graded submission (target: under 0.2 s on 2 cores), the
baseline's, and their ratio (a check job runs two programs plus the checks: about 2x expected).

    .venv/bin/python bench/grade_class.py [--submissions 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from app.grading.problems import load_problem
from app.grading.session import ProblemGrader, pool_settings

ROOT = Path(__file__).resolve().parents[1]


async def measure(count: int, workers: int) -> None:
    problem = load_problem(ROOT / "problems" / "chain-rule.toml")
    wrong = problem.reference.replace("u ** 2", "u ** 3")
    crashing = problem.reference + "out.backward()\n"
    sources = [(problem.reference, wrong, crashing, "x = (")[n % 4] for n in range(count)]
    submissions = [(f"s{n}.py", source) for n, source in enumerate(sources)]
    async with ProblemGrader(problem, pool_settings(workers)) as grader:
        await grader.check_reference()
        slots = asyncio.Semaphore(2 * workers)

        async def run(source: str) -> None:
            async with slots:
                await grader.pool.submit("run", {"source": source, "include": []})

        for round_number in range(2):  # interleaved rounds: the load of the machine moves
            started = time.monotonic()
            await asyncio.gather(*(run(source) for source in sources))
            baseline = (time.monotonic() - started) / count
            started = time.monotonic()
            graded = await grader.grade_many(submissions)
            per_submission = (time.monotonic() - started) / count
            assert len(graded) == count
            print(
                f"round {round_number + 1}: start-up {grader.startup_seconds:.1f} s; "
                f"graded {per_submission * 1000:.1f} ms per submission; plain run "
                f"{baseline * 1000:.1f} ms; ratio {per_submission / baseline:.2f}x "
                f"({workers} workers, {count} submissions)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(measure(args.submissions, args.workers))


if __name__ == "__main__":
    main()
