"""How much the sandbox and capture cost, as ratios to plain `exec` measured in the same run.

For the three seed programs and a 2,000-op loop: time through `run_program` with full capture
and with capture off, divided by the time of plain `exec` of the same source in this process
(real CPython + torch: the baseline). Then time per graph node for programs of 10 to 5,000
nodes, raw and marginal (net of the fixed cost of the same program with an empty loop), which
should stay flat.

    python bench/engine.py [--repeat N]

Programs run as a worker runs them (app/workers): after a warm-up the existing objects are
frozen, the collector is off during a run and one full collection follows each run, counted in
the core's time; plain exec runs with CPython's automatic collector, as a program normally does.

Targets: full capture ≤ 3×, capture off ≤ 1.5×, per-node time flat within 2×.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.examples import get_example
from app.runner import run_program
from app.sandbox.limits import Limits

# The seed blog post's three programs, verbatim, as the built-in examples ship them.
SEEDS = {
    example_id: get_example(example_id).source
    for example_id in ("scalar-backward", "chain-rule", "vector-backward")
}


def loop_program(ops: int) -> str:
    """`ops` multiplications in a loop, then one backward: 4 + 2*ops graph nodes."""
    return (
        "import torch\n"
        "x = torch.ones(3, requires_grad=True)\n"
        "y = x\n"
        f"for i in range({ops}):\n"
        "    y = y * 1.0001\n"
        "y.sum().backward()\n"
    )


def best_times(actions: list[Callable[[], object]], repeat: int) -> list[float]:
    """Fastest CPU seconds of each action over `repeat` interleaved rounds, after a warm-up.

    The machine is shared: interleaving exposes every variant to the same background load,
    and the minimum is the run least disturbed by it.
    """
    for action in actions:
        action()
    best = [float("inf")] * len(actions)
    for _ in range(repeat):
        for position, action in enumerate(actions):
            started = time.process_time()
            action()
            best[position] = min(best[position], time.process_time() - started)
    return best


def plain_exec(source: str) -> Callable[[], object]:
    code = compile(source, "<program>", "exec")

    def run() -> None:
        # Same RNG state as torch.manual_seed(0), without its ~0.5 ms of accelerator bookkeeping
        # (which would flatter the ratios). CPython's own automatic collector, as a plain
        # program has it.
        torch.default_generator.manual_seed(0)
        gc.enable()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, {})
        finally:
            gc.disable()

    return run


def through_core(source: str, capture: bool, limits: Limits | None = None) -> Callable[[], object]:
    def run() -> None:
        result = run_program(source, capture=capture, limits=limits)
        if not result["ok"]:
            raise SystemExit(f"benchmark program failed: {result['error']}")
        del result
        gc.collect()  # as a worker does after each answer: part of the core's cost

    return run


def ratios(repeat: int) -> None:
    programs = dict(SEEDS)
    programs["2000-op loop"] = loop_program(2000)
    print(f"{'program':<18}{'plain exec':>12}{'capture off':>19}{'full capture':>20}")
    for name, source in programs.items():
        count = repeat if "loop" not in name else max(5, repeat // 3)
        baseline, off, full = best_times(
            [plain_exec(source), through_core(source, False), through_core(source, True)], count
        )
        print(
            f"{name:<18}{baseline * 1e3:>9.3f} ms"
            f"{off * 1e3:>11.3f} ms {off / baseline:>5.2f}x"
            f"{full * 1e3:>12.3f} ms {full / baseline:>5.2f}x"
        )


def per_node(repeat: int) -> None:
    """Time per graph node, raw and marginal (net of the same program with an empty loop).

    The marginal figure subtracts everything a run pays once whatever its size: starting a
    run, and the backward call's own fixed cost (the engine, walking the graph, the trace's
    bookkeeping). Raw time per node at 10 nodes is mostly that fixed cost, so only the
    marginal figure can show whether the cost per node stays flat as graphs grow.
    """
    sizes = (10, 100, 1000, 5000)
    base_source = loop_program(0)
    sources = [loop_program((nodes - 4) // 2) for nodes in sizes]
    # Small runs take a millisecond, where load shows most: they get more rounds.
    base, *totals = best_times(
        [through_core(source, capture=True) for source in [base_source, *sources[:2]]],
        repeat * 2,
    )
    totals += best_times(
        [through_core(source, capture=True) for source in sources[2:]], max(5, repeat // 3)
    )
    base_nodes = _node_count(base_source)
    print(
        f"\nfixed cost of a run (the same program, loop run 0 times: {base_nodes} nodes, "
        f"full capture): {base * 1e3:.3f} ms"
    )
    print(f"{'nodes':>6}{'total':>12}{'per node':>14}{'marginal per node':>21}")
    for source, total in zip(sources, totals, strict=True):
        nodes = _node_count(source)
        print(
            f"{nodes:>6}{total * 1e3:>9.3f} ms{total / nodes * 1e6:>11.2f} µs"
            f"{(total - base) / (nodes - base_nodes) * 1e6:>18.2f} µs"
        )


def _node_count(source: str) -> int:
    result = run_program(source)
    assert not result["graph_truncated"], "the program is larger than limits.graph_nodes"
    return len(result["graph"]["nodes"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the imported modules to the collector (workers freeze them, see below)",
    )
    arguments = parser.parse_args()
    torch.set_num_threads(1)
    if not arguments.no_freeze:
        # As app/workers/zygote.py does before forking workers: what exists after the imports
        # and a first run of every program is never collected, so a full collection walks
        # only what runs create (without this it walks torch's ~170k objects, ~100 ms).
        for source in [*SEEDS.values(), loop_program(2000)]:
            plain_exec(source)()
            run_program(source)
        gc.collect()
        gc.freeze()
    # As app/workers/worker.py runs jobs: no automatic collection during a run, one full
    # collection after it (counted in the core's times; plain exec keeps CPython's collector).
    gc.disable()
    ratios(arguments.repeat)
    per_node(arguments.repeat)


if __name__ == "__main__":
    main()
