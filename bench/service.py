"""Service throughput, latency, growth and memory against a plain-exec baseline in the same run.

Starts, on free loopback ports:
  * a baseline server: the same FastAPI + uvicorn stack, one process per core, each running the
    program with plain `exec` and real torch (one thread), one request at a time per process;
  * the real server (`autograd-playground serve`: web process + zygote + warm workers).
Then measures, for seed program 2 (`chain-rule`), the full answer and `include: []`:
  * throughput with 16 concurrent clients (wrk on loopback, installed with apt-get when missing:
    an httpx load generator measured itself, 34 req/s, where wrk sees 500+);
  * single-client p50 latency (wrk, one connection);
and reports them as ratios project/baseline (targets: full-answer throughput >= 0.6, p50 <=
1.5x) — unless wrk's own threads were busy >= 80 % of a measurement, in which case the load
generator, not the server, set the pace and no ratio is printed — how the
time per request grows with programs of ~10/100/1000/5000 graph nodes, and the RSS/PSS of each
server with its processes warm. Bounded; it stops its servers by itself.

    .venv/bin/python bench/service.py [--duration 15] [--workers N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.examples import get_example  # noqa: E402
from app.schemas import RunRequest  # noqa: E402
from bench.wrk_load import SATURATED_SHARE, WrkResult, ensure_wrk, run_wrk  # noqa: E402

CLIENTS = 16
ROUNDS = 3
GROWTH_NODES = (10, 100, 1000, 5000)


# -- the baseline server (imported by its uvicorn processes as `service:baseline_app`) ---------


@contextlib.asynccontextmanager
async def warm_baseline(app: FastAPI) -> AsyncIterator[None]:
    """Import torch before serving, as the project's workers do."""
    import torch

    torch.set_num_threads(1)
    yield


baseline_app = FastAPI(title="baseline: plain exec", lifespan=warm_baseline)


@baseline_app.post("/api/v1/run")
async def baseline_run(run_request: RunRequest) -> dict[str, Any]:
    """Run with plain exec in this process (async def: one request at a time per process)."""
    import torch

    torch.manual_seed(run_request.seed)
    namespace: dict[str, Any] = {}
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        exec(run_request.source, namespace)
    variables = {
        name: {
            "value": value.detach().tolist(),
            "grad": None if value.grad is None else value.grad.tolist(),
        }
        for name, value in namespace.items()
        if isinstance(value, torch.Tensor) and value.is_leaf
    }
    return {"ok": True, "stdout": stdout.getvalue(), "variables": variables}


# -- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running(
    command: list[str], env: dict[str, str], probe: str
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {' '.join(command)}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(probe, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"server not ready: {' '.join(command)}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def baseline_server(port: int, workers: int) -> contextlib.AbstractContextManager[Any]:
    """`workers` independent single-process uvicorn servers sharing one port (SO_REUSEPORT).

    Not `uvicorn --workers N`: its multiprocess mode added about 40 ms to every request here,
    which would flatter the project.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--baseline-port", str(port)]
    return running_many(command, workers, THREAD_ENV, f"http://127.0.0.1:{port}/docs")


@contextlib.contextmanager
def running_many(
    command: list[str], count: int, env: dict[str, str], probe: str
) -> Iterator[list[subprocess.Popen[bytes]]]:
    with contextlib.ExitStack() as stack:
        processes = [stack.enter_context(running(command, env, probe)) for _ in range(count)]
        yield processes


def serve_baseline(port: int) -> None:
    """One baseline process: uvicorn on a SO_REUSEPORT socket shared with its siblings."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Accepted connections inherit Nagle off. asyncio turns it off only on sockets whose proto
    # is IPPROTO_TCP, and this one's is 0: without this line every baseline answer split in
    # two writes waited for a delayed ACK (~40 ms), and the p50 ratio flattered the project.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    server = uvicorn.Server(uvicorn.Config(baseline_app, log_level="warning"))
    server.run(sockets=[sock])


def project_server(port: int, workers: int) -> contextlib.AbstractContextManager[Any]:
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    env = {"PLAYGROUND_WORKERS": str(workers), "PLAYGROUND_QUEUE_SIZE": "256"}
    return running(command, env, f"http://127.0.0.1:{port}/readyz")


# -- measurements ---------------------------------------------------------------------------


def throughput(url: str, body: dict[str, Any], duration: float) -> WrkResult:
    """Requests per second with 16 concurrent clients (wrk), after a short warm-up under load."""
    run_wrk(url, body, CLIENTS, min(1.0, duration))
    result = run_wrk(url, body, CLIENTS, duration)
    if result.non_2xx or result.socket_errors:
        raise SystemExit(f"errors under load: {result.as_dict()}")
    return result


def single_client(timeout: float = 60) -> httpx.Client:
    """A keep-alive client with Nagle off: httpx writes headers and body separately, and a
    delayed ACK would otherwise add up to 40 ms to every POST, for both servers alike."""
    nodelay = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    return httpx.Client(timeout=timeout, transport=httpx.HTTPTransport(socket_options=nodelay))


def single_client_p50(url: str, body: dict[str, Any], seconds: float) -> float:
    """p50 latency (ms) of one keep-alive client sending requests back to back (wrk -c1: a
    Python client's own time per request would be part of the figure)."""
    result = run_wrk(url, body, 1, seconds)
    if result.non_2xx or result.socket_errors or not result.requests:
        raise SystemExit(f"errors from a single client: {result.as_dict()}")
    return result.p50_ms


def growth_program(iterations: int) -> str:
    return (
        "import torch\n"
        "x = torch.ones(3, requires_grad=True)\n"
        "y = x\n"
        f"for i in range({iterations}):\n"
        "    y = y * 1.001\n"
        "out = y.sum()\n"
        "out.backward()\n"
    )


def growth(url: str) -> list[dict[str, Any]]:
    """Time per request (full answer) for programs of about 10, 100, 1000, 5000 graph nodes."""
    rows = []
    with single_client(timeout=120) as client:
        for target in GROWTH_NODES:
            iterations = max(1, (target - 4) // 2)
            body = {"source": growth_program(iterations)}
            result = client.post(url, json=body).json()
            assert result["ok"], result["error"]
            nodes = len(result["graph"]["nodes"])
            times = []
            for _ in range(max(3, 200 // target + 2)):
                started = time.perf_counter()
                response = client.post(url, json=body)
                times.append((time.perf_counter() - started) * 1000)
            rows.append(
                {
                    "target_nodes": target,
                    "graph_nodes": nodes,
                    "bytes": len(response.content),
                    "ms": statistics.median(times),
                }
            )
    return rows


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            pids += process_tree(int(child))
    return pids


def memory_mib(*roots: int) -> dict[str, float]:
    """RSS (shared pages counted in every process) and PSS (shared pages split) of trees."""
    rss = pss = 0
    pids = [pid for root in roots for pid in process_tree(root)]
    for each in pids:
        for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024}


# -- report ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per case")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_port:
        serve_baseline(args.baseline_port)
        return

    example = get_example("chain-rule")
    assert example is not None
    full: dict[str, Any] = {"source": example.source}
    slim: dict[str, Any] = {"source": example.source, "include": []}
    figures: dict[str, Any] = {"workers": args.workers, "clients": CLIENTS}
    ensure_wrk()
    figures["load_generator"] = "wrk"

    # Both servers run side by side (an idle server costs no CPU) and the measurements
    # alternate, so that the load of a shared machine drifts over both alike.
    with (
        baseline_server(base_port := free_port(), args.workers) as baseline,
        project_server(port := free_port(), args.workers) as project,
    ):
        figures["baseline_memory"] = memory_mib(*(process.pid for process in baseline))
        figures["memory_warm"] = memory_mib(project.pid)
        targets = {
            "baseline": (f"http://127.0.0.1:{base_port}/api/v1/run", full),
            "full": (f"http://127.0.0.1:{port}/api/v1/run", full),
            "slim": (f"http://127.0.0.1:{port}/api/v1/run", slim),
        }
        rps: dict[str, list[float]] = {key: [] for key in targets}
        wrk_share: dict[str, list[float]] = {key: [] for key in targets}
        latencies: dict[str, list[float]] = {key: [] for key in targets}  # p50 per round
        for _ in range(ROUNDS):
            for key, (url, body) in targets.items():
                measured = throughput(url, body, args.duration / ROUNDS)
                rps[key].append(measured.answered_per_second)
                wrk_share[key].append(measured.wrk_cpu_share)
                latencies[key].append(single_client_p50(url, body, args.duration / ROUNDS))
        for key in targets:
            figures[f"{key}_rps"] = statistics.median(rps[key])
            figures[f"{key}_wrk_cpu_share"] = max(wrk_share[key])
            figures[f"{key}_p50_ms"] = statistics.median(latencies[key])
        figures["generator_saturated"] = any(
            share >= SATURATED_SHARE for shares in wrk_share.values() for share in shares
        )
        figures["growth"] = growth(targets["full"][0])
        figures["memory_after_load"] = memory_mib(project.pid)

    base_rps, base_p50 = figures["baseline_rps"], figures["baseline_p50_ms"]
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"\nseed program 2 (chain-rule), {args.workers} workers, {CLIENTS} clients "
        f"({figures['load_generator']}), {args.duration:g} s of load per server, alternating"
    )
    saturated = figures["generator_saturated"]
    print(f"{'':28}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'ratio':>8}{'wrk CPU':>9}")
    print(
        f"{'baseline (plain exec)':28}{base_rps:9.1f}{'':8}{base_p50:9.2f}{'':8}"
        f"{figures['baseline_wrk_cpu_share']:9.0%}"
    )
    for label, key in (("project, full answer", "full"), ("project, include: []", "slim")):
        rps, p50 = figures[f"{key}_rps"], figures[f"{key}_p50_ms"]
        ratio = "   n/a" if saturated else f"{rps / base_rps:8.2f}"
        print(
            f"{label:28}{rps:9.1f}{ratio:>8}{p50:9.2f}{p50 / base_p50:8.2f}"
            f"{figures[f'{key}_wrk_cpu_share']:9.0%}"
        )
    if saturated:
        print(
            f"wrk's threads were busy >= {SATURATED_SHARE:.0%} of a measurement: the load "
            "generator, not the server, set the pace; no throughput ratio"
        )
    print("targets: throughput ratio (full) >= 0.6, p50 ratio <= 1.5")
    print("\ngrowth (full answer, single client):")
    print(f"{'graph nodes':>12}{'ms/request':>12}{'us/node':>10}{'KiB':>9}")
    for row in figures["growth"]:
        per_node = row["ms"] * 1000 / row["graph_nodes"]
        print(f"{row['graph_nodes']:12}{row['ms']:12.2f}{per_node:10.1f}{row['bytes'] / 1024:9.1f}")
    print("\nmemory (all processes of each server):")
    for label, key in (
        ("baseline", "baseline_memory"),
        ("project, warm", "memory_warm"),
        ("project, after load", "memory_after_load"),
    ):
        m = figures[key]
        print(
            f"{label:22}{m['processes']:3} processes  RSS {m['rss_mib']:7.1f} MiB"
            f"  PSS {m['pss_mib']:7.1f} MiB"
        )
    print("\n" + json.dumps(figures))


if __name__ == "__main__":
    main()
