"""Goodput under overload: useful answers per second from 16 to 1,000 closed-loop clients.

Starts the real server (uvicorn, web process + zygote + 2 warm workers) on a free loopback port
and drives `chain-rule` (seed program 2) with wrk at 16, 64, 100, 300 and 1,000 concurrent
clients. For each: answered/s, non-2xx, useful (2xx) answers/s, p50/p99/max latency, the CPU
share of wrk, of the web process and of the workers. The capacity is the useful/s at 16 clients
in the same run; the target is useful/s >= 90 % of it at 5x and 20x that load, and no accepted
request waiting longer than the wait budget (`PLAYGROUND_QUEUE_WAIT_BUDGET_SECONDS`).

A second server with a tiny budget (`--refusing-budget`, default 0.05 s) is driven the same way
at 300 and 1,000 clients: most requests are then turned away, which shows what a refusal costs
the workers (nothing, if useful/s holds).

Rows where wrk's threads were busy >= 80 % of the time are marked: the generator, not the
server, set their pace. Bounded: 14 rows of (--seconds + 4) s plus start-up, about 3.5 minutes.

    .venv/bin/python bench/overload.py [--seconds 8] [--workers 2] [--clients 80 320]
        [--refusing-clients 300 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.examples import get_example  # noqa: E402
from bench.wrk_load import WrkResult, ensure_wrk, run_wrk  # noqa: E402
from tests.support.server_process import ServerProcess, serve_app  # noqa: E402

CAPACITY_CLIENTS = 16
CLIENTS = (16, 64, 100, 300, 1000)
REFUSING_CLIENTS = (300, 1000)
TICKS = os.sysconf("SC_CLK_TCK")
DRAIN_SECONDS = 4.0
HOLD_SECONDS = 1.0  # a refused request's 503 comes after this (the default hold)


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                pids += process_tree(int(child))
    return pids


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


class CpuSampler:
    """CPU seconds of the web process and of everything under it (zygote, workers), sampled
    every 0.2 s while a row runs: workers are replaced every `runs_per_worker` runs, and a
    replaced worker's time would be lost to a before/after reading."""

    def __init__(self, web_pid: int) -> None:
        self.web_pid = web_pid
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for pid in process_tree(self.web_pid):
            seconds = cpu_seconds(pid)
            if seconds is not None:
                # Alive when sampling began: count from now; born later: from its start.
                self.first.setdefault(pid, 0.0 if self._thread.is_alive() else seconds)
                self.last[pid] = seconds

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample()  # the processes alive now count from here; later ones from zero
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def used(self) -> tuple[float, float]:
        """(web process, zygote + workers) CPU seconds used while sampling."""
        spent = {pid: self.last[pid] - self.first[pid] for pid in self.last}
        web = spent.pop(self.web_pid, 0.0)
        return web, sum(spent.values())


@contextlib.contextmanager
def server(workers: int, budget: float | None) -> Iterator[ServerProcess]:
    env = {"PLAYGROUND_WORKERS": str(workers), "PYTHONPATH": str(ROOT)}
    if budget is not None:
        env["PLAYGROUND_QUEUE_WAIT_BUDGET_SECONDS"] = str(budget)
    with serve_app(env) as live:
        yield live


def measure(live: ServerProcess, body: dict[str, Any], clients: int, seconds: float) -> dict:
    url = f"{live.url}/api/v1/run"
    # Requests left in flight by the previous row (wrk hangs up on them) are still served:
    # let them drain so that this row measures only itself.
    time.sleep(DRAIN_SECONDS)
    with CpuSampler(live.process.pid) as cpu:
        result: WrkResult = run_wrk(url, body, clients, seconds)
    web, workers = cpu.used()
    row = result.as_dict()
    row["web_cpu_share"] = web / result.seconds
    row["workers_cpu_share"] = workers / result.seconds
    # Useful answers per CPU-second the server got: on a shared machine the server's CPU share
    # swings with other people's work, and this figure does not.
    row["useful_per_cpu_second"] = (result.requests - result.non_2xx) / max(1e-9, web + workers)
    row["generator_saturated"] = result.generator_saturated
    return row


def print_table(title: str, rows: list[dict], budget: float) -> None:
    print(f"\n{title}")
    head = (
        f"{'clients':>8}{'answered/s':>12}{'non-2xx':>18}{'useful/s':>10}{'of cap.':>9}"
        f"{'p50':>10}{'p99':>9}{'max':>9}{'wrk CPU':>9}{'web CPU':>9}{'workers':>9}"
        f"{'useful/CPU-s':>14}{'of 16':>7}"
    )
    print(head)
    for row in rows:
        non = f"{row['non_2xx']:,} of {row['requests']:,}"
        notes = "  generator-bound" if row["generator_saturated"] else ""
        if row["max_ms"] > (budget + HOLD_SECONDS) * 1000:
            notes += "  max > budget"
        print(
            f"{row['connections']:>8}{row['answered_per_second']:>12.1f}{non:>18}"
            f"{row['useful_per_second']:>10.1f}{row['of_capacity']:>9.2f}"
            f"{row['p50_ms']:>8.1f}ms{row['p99_ms']:>7.0f}ms{row['max_ms']:>7.0f}ms"
            f"{row['wrk_cpu_share']:>9.0%}{row['web_cpu_share']:>9.0%}"
            f"{row['workers_cpu_share']:>9.0%}{row['useful_per_cpu_second']:>14.0f}"
            f"{row['efficiency']:>7.2f}{notes}"
        )


def series(live: ServerProcess, body: dict, loads: tuple[int, ...], seconds: float) -> list[dict]:
    """Each load between two capacity rows (16 clients): the machine is shared and its speed
    drifts, so each row is compared with the capacity measured just before and after it."""
    run_wrk(f"{live.url}/api/v1/run", body, CAPACITY_CLIENTS, 2)  # warm-up
    capacity = [measure(live, body, CAPACITY_CLIENTS, seconds)]
    rows = []
    for clients in loads:
        row = measure(live, body, clients, seconds)
        capacity.append(measure(live, body, CAPACITY_CLIENTS, seconds))
        row["capacity"] = (
            capacity[-2]["useful_per_second"] + capacity[-1]["useful_per_second"]
        ) / 2
        row["of_capacity"] = row["useful_per_second"] / row["capacity"]
        rows.append(row)
    first = capacity[0]
    first["capacity"] = first["useful_per_second"]
    first["of_capacity"] = 1.0
    per_cpu = statistics.median(c["useful_per_cpu_second"] for c in capacity)
    for row in (first, *rows):
        row["efficiency"] = row["useful_per_cpu_second"] / per_cpu
    return [first, *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds of load per row")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=10.0, help="wait budget of the server")
    parser.add_argument("--refusing-budget", type=float, default=0.05)
    parser.add_argument(
        "--clients", type=int, nargs="+", default=list(CLIENTS[1:]), help="loads after 16"
    )
    parser.add_argument("--refusing-clients", type=int, nargs="*", default=list(REFUSING_CLIENTS))
    args = parser.parse_args()
    ensure_wrk()
    example = get_example("chain-rule")
    assert example is not None
    body = {"source": example.source}
    figures: dict[str, Any] = {"workers": args.workers, "seconds": args.seconds}

    with server(args.workers, args.budget) as live:
        rows = series(live, body, tuple(args.clients), args.seconds)
    refusing: list[dict] = []
    if args.refusing_clients:
        with server(args.workers, args.refusing_budget) as live:
            refusing = series(live, body, tuple(args.refusing_clients), args.seconds)

    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"chain-rule, {args.workers} workers, wrk closed loop ({args.seconds:g} s per row, "
        f"{DRAIN_SECONDS:g} s pause between rows); 'of cap.': useful/s over the mean of the "
        "16-client rows just before and after; CPU: share of one core (wrk: of its 2 threads); "
        "'of 16': useful/CPU-s over the median of the 16-client rows; max includes 503s, "
        "which are held 1 s"
    )
    print_table(f"wait budget {args.budget:g} s (the default)", rows, args.budget)
    if refusing:
        print_table(
            f"wait budget {args.refusing_budget:g} s (most requests refused)",
            refusing,
            args.refusing_budget,
        )
    overload = [r for r in rows if r["connections"] >= 5 * CAPACITY_CLIENTS]
    worst = min(r["of_capacity"] for r in overload)
    worst_refusing = min((r["of_capacity"] for r in refusing[1:]), default=float("nan"))
    worst_cpu = min(r["efficiency"] for r in overload)
    worst_cpu_refusing = min((r["efficiency"] for r in refusing[1:]), default=float("nan"))
    saturated = any(r["generator_saturated"] for r in rows + refusing)
    print(
        f"\nuseful/s at >= 5x load over capacity: worst {worst:.2f} (target >= 0.90); "
        f"with most requests refused: worst {worst_refusing:.2f}"
    )
    print(
        f"useful answers per server CPU-second at >= 5x load over the 16-client rows' median: "
        f"worst {worst_cpu:.2f}; with most requests refused: worst {worst_cpu_refusing:.2f}"
    )
    if saturated:
        print("some rows were generator-bound: their ratios are not the server's")
    figures.update(rows=rows, refusing=refusing)
    print("\n" + json.dumps(figures))


if __name__ == "__main__":
    main()
