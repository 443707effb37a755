"""What the workers' seccomp filter costs: seed-program latency with and without it, same run.

Starts two worker pools of the real jobs module in this process, one worker each, identical but
for `syscall_filter` (app/workers/syscall_filter.py), and sends each of the three seed programs
to both alternately (A, B, B, A, ... so background load on the shared machine hits both alike).
Prints per program the p50 and p90 of the job's round trip (web-process side: frame out,
run, frame back) with and without the filter and their ratio. The filter is a BPF program the
kernel runs on every system call; a run makes few (brk/mmap/munmap), so the expected ratio is
1.00 within noise.

    .venv/bin/python bench/seccomp.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.examples import get_example  # noqa: E402
from app.workers import WorkerPool  # noqa: E402

SEED_IDS = ("scalar-backward", "chain-rule", "vector-backward")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _timed(pool: WorkerPool, source: str) -> float:
    started = time.perf_counter()
    outcome = await pool.submit("run", {"source": source, "seed": 0})
    elapsed = time.perf_counter() - started
    if outcome.failure is not None:
        raise RuntimeError(f"a seed program failed: {outcome.failure}")
    if not outcome.result()["ok"]:
        raise RuntimeError("a seed program did not run to the end")
    return elapsed


async def main(rounds: int) -> None:
    pools = {
        flag: WorkerPool(Settings(workers=1, syscall_filter=flag, runs_per_worker=10**6))
        for flag in (False, True)
    }
    for pool in pools.values():
        await pool.start()
    try:
        header = ("program", "p50 off", "p50 on", "ratio", "p90 off", "p90 on")
        print("{:<18} {:>9} {:>9} {:>6} {:>9} {:>9}".format(*header))
        for example_id in SEED_IDS:
            example = get_example(example_id)
            assert example is not None
            source = example.source
            for pool in pools.values():  # warm: first run of this program in the worker
                await _timed(pool, source)
            times: dict[bool, list[float]] = {False: [], True: []}
            for round_number in range(rounds):
                order = (False, True) if round_number % 2 == 0 else (True, False)
                for flag in order:
                    times[flag].append(await _timed(pools[flag], source))
            off, on = (statistics.median(times[flag]) * 1000 for flag in (False, True))
            off90, on90 = (_percentile(times[flag], 0.9) * 1000 for flag in (False, True))
            print(
                f"{example_id:<18} {off:>7.2f}ms {on:>7.2f}ms {on / off:>6.2f} "
                f"{off90:>7.2f}ms {on90:>7.2f}ms"
            )
    finally:
        for pool in pools.values():
            await pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))
