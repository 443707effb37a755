"""The core's cost in CPU instructions, counted by callgrind: ratios that machine load cannot move.

`bench/engine.py` times runs; on a shared machine its ratios move by ±30 % from one run to the
next. This counts the instructions each variant executes (valgrind's callgrind, instrumenting
only the measured runs), so the same code gives the same figures whatever else is running, and
a change of 2 % shows. Instructions are not time (torch's kernels and Python's bytecode loop run
at different speeds), but on these programs the two ratios agree within about 10 %.

    python bench/instructions.py [--programs NAME ...] [--jobs N]

For the three seed programs and the 2,000-op loop of bench/engine.py: instructions per run of
plain `exec` (the baseline), the core with capture off, and with full capture, each run as
bench/engine.py runs it (as in a worker). Needs valgrind (`apt-get install -y valgrind`); each
measurement takes about a minute, the subprocess calls that switch counting on and off included
(a few hundred thousand instructions, the same for every variant).
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
    source = loop_program(2000) if program == "2000-op loop" else SEEDS[program]
    if variant == "nothing":  # what switching the counting on and off costs: subtracted

        def action() -> None:
            pass

    elif variant == "plain":
        action = plain_exec(source)
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
    return 1 if program == "2000-op loop" or variant == "nothing" else 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", nargs="+", choices=PROGRAMS, default=list(PROGRAMS))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--child", nargs=3, metavar=("PROGRAM", "VARIANT", "RUNS"))
    arguments = parser.parse_args()
    if arguments.child:
        program, variant, runs = arguments.child
        child(program, variant, int(runs))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    cases = [(program, variant) for program in arguments.programs for variant in VARIANTS]
    cases.append((arguments.programs[0], "nothing"))
    with ThreadPoolExecutor(max_workers=arguments.jobs) as pool:
        totals = pool.map(lambda case: count(*case, runs=_runs(case[0], case[1])), cases)
        measured = dict(zip(cases, totals, strict=True))
    switching = measured.pop((arguments.programs[0], "nothing"))
    counts = {case: (total - switching) / _runs(*case) for case, total in measured.items()}
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
