"""The core's cost in CPU instructions, counted by callgrind: ratios that machine load cannot move.

`bench/engine.py` times runs; on a shared machine its ratios move by ±30 % from one run to the
next. This counts the instructions each variant executes (valgrind's callgrind, instrumenting
only the measured runs), so the same code gives the same figures whatever else is running, and
a change of 2 % shows. Instructions are not time (torch's kernels and Python's bytecode loop run
at different speeds), but on these programs the two ratios agree within about 10 %.

    python bench/instructions.py [--programs NAME ...] [--jobs N]
    python bench/instructions.py --per-node [--jobs N]
    python bench/instructions.py --floor [--jobs N]

For the three seed programs and the 2,000-op loop of bench/engine.py: instructions per run of
plain `exec` (the baseline), the core with capture off, and with full capture, each run as
bench/engine.py runs it (as in a worker). With --per-node: full-capture instructions per graph
node from 10 to 5,000 nodes, marginal over the same loop run 0 times. With --floor: the 2,000-op
loop's full capture against bench/capture_floor.py, the least work that capture needs.

Needs valgrind (`apt-get install -y valgrind`). Each measurement takes about a minute, the
subprocess calls that switch counting on and off included (a few hundred thousand
instructions, the same for every variant).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ("plain", "off", "full")
PROGRAMS = ("scalar-backward", "chain-rule", "vector-backward", "2000-op loop")


def child(program: str, variant: str, runs: int) -> None:
    """Inside valgrind: warm up, then switch instrumentation on for `runs` runs only."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import torch
    from engine import SEEDS, loop_program, plain_exec, through_core

    from app.sandbox.limits import Limits

    torch.set_num_threads(1)
    source = _source(program, loop_program, SEEDS)
    if variant == "nothing":  # what switching the counting on and off costs: subtracted

        def action() -> None:
            pass

    elif variant == "plain":
        action = plain_exec(source)
    elif variant == "floor":
        from capture_floor import floor_action

        action = floor_action(int(program.removeprefix("loop:")))
    else:
        # Under valgrind a run is ~50 times slower: a longer deadline, the same instructions.
        action = through_core(source, variant == "full", Limits(seconds=600.0))
    action()
    action()
    gc.collect()
    gc.freeze()
    gc.disable()
    toggle = ["callgrind_control", "-i"]
    subprocess.run([*toggle, "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(runs):
        action()
    subprocess.run([*toggle, "off", str(os.getpid())], check=True, capture_output=True)


def _source(program: str, loop_program: Any, seeds: dict[str, str]) -> str:
    """The program's source: a seed, the 2,000-op loop, or "loop:N" (the loop with N ops)."""
    if program == "2000-op loop":
        return str(loop_program(2000))
    if program.startswith("loop:"):
        return str(loop_program(int(program.removeprefix("loop:"))))
    return seeds[program]


def count(program: str, variant: str, runs: int) -> int:
    """Instructions of `runs` runs of `variant` on `program`, counted in a child under callgrind."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--child",
                program,
                variant,
                str(runs),
            ],
            check=True,
            capture_output=True,
        )
        totals = re.search(r"^totals:\s+(\d+)", out.read_text(), re.MULTILINE)
        if totals is None:
            raise SystemExit(f"callgrind wrote no totals for {program} / {variant}")
    return int(totals.group(1))


def _runs(program: str, variant: str) -> int:
    return 1 if "loop" in program or variant == "nothing" else 3


def _measure(cases: list[tuple[str, str]], jobs: int) -> dict[tuple[str, str], float]:
    """Instructions per run of each (program, variant), net of switching the counting."""
    nothing = (cases[0][0], "nothing")
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        totals = pool.map(lambda case: count(*case, runs=_runs(*case)), [*cases, nothing])
        measured = dict(zip([*cases, nothing], totals, strict=True))
    switching = measured.pop(nothing)
    return {case: (total - switching) / _runs(*case) for case, total in measured.items()}


def per_node(jobs: int) -> None:
    """Full-capture instructions per graph node, marginal over the same loop run 0 times."""
    sys.path.insert(0, str(ROOT / "bench"))
    from engine import loop_program

    from app.runner import run_program

    sizes = (10, 100, 1000, 5000)
    programs = ["loop:0", *(f"loop:{(nodes - 4) // 2}" for nodes in sizes)]
    counts = _measure([(program, "full") for program in programs], jobs)
    nodes = {
        program: len(run_program(loop_program(int(program[5:])))["graph"]["nodes"])
        for program in programs
    }
    base = counts["loop:0", "full"]
    print(f"\nfull capture, the loop run 0 times ({nodes['loop:0']} nodes): {base / 1e6:.2f} M")
    print(f"{'nodes':>6}{'total':>12}{'per node':>12}{'marginal per node':>20}")
    for program in programs[1:]:
        total = counts[program, "full"]
        extra = nodes[program] - nodes["loop:0"]
        print(
            f"{nodes[program]:>6}{total / 1e6:>10.2f} M{total / nodes[program] / 1e3:>10.1f} k"
            f"{(total - base) / extra / 1e3:>18.1f} k"
        )


def floor(jobs: int) -> None:
    """The loop's full capture next to the least work capture needs (bench/capture_floor.py).

    The floor runs torch directly, so what the sandbox adds (capture off) is added to it: the
    sum is what the core would cost with no overhead of its own beyond interpreting.
    """
    program = "loop:2000"
    counts = _measure([(program, variant) for variant in (*VARIANTS, "floor")], jobs)
    plain, off, full, least = (counts[program, variant] for variant in (*VARIANTS, "floor"))
    print(f"2,000-op loop, instructions per run (ratio to plain exec, {plain / 1e6:.1f} M)")
    print(f"{'full capture':<40}{full / 1e6:>9.1f} M {full / plain:>6.2f}x")
    print(f"{'capture floor (torch directly)':<40}{least / 1e6:>9.1f} M {least / plain:>6.2f}x")
    with_sandbox = least + off - plain
    print(
        f"{'floor + capture off interpreting':<40}{with_sandbox / 1e6:>9.1f} M"
        f" {with_sandbox / plain:>6.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", nargs="+", choices=PROGRAMS, default=list(PROGRAMS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--per-node", action="store_true", help="instructions per graph node, 10 to 5,000 nodes"
    )
    parser.add_argument(
        "--floor", action="store_true", help="the loop's full capture against its least work"
    )
    parser.add_argument("--child", nargs=3, metavar=("PROGRAM", "VARIANT", "RUNS"))
    arguments = parser.parse_args()
    if arguments.child:
        program, variant, runs = arguments.child
        child(program, variant, int(runs))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    if arguments.per_node:
        per_node(arguments.jobs)
        return
    if arguments.floor:
        floor(arguments.jobs)
        return
    cases = [(program, variant) for program in arguments.programs for variant in VARIANTS]
    counts = _measure(cases, arguments.jobs)
    print(f"{'program':<18}{'plain exec':>14}{'capture off':>21}{'full capture':>21}")
    for program in arguments.programs:
        plain, off, full = (counts[program, variant] for variant in VARIANTS)
        print(
            f"{program:<18}{plain / 1e6:>11.2f} M"
            f"{off / 1e6:>12.2f} M {off / plain:>5.2f}x"
            f"{full / 1e6:>12.2f} M {full / plain:>5.2f}x"
        )


if __name__ == "__main__":
    main()
