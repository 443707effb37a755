"""What one /api/v1/run costs the web process: CPU time and instructions per request.

The service ratios of bench/service.py are wall-clock figures, and on a shared machine they
move with the load of the other processes. This measures the web process alone, two ways:

  * CPU per request: the real server (uvicorn, web process + zygote + warm workers) answers
    `--requests` sequential keep-alive requests (seed program 2, `chain-rule`, full answer and
    `include: []`); the web process's user+system time over that window (all its threads, read
    from /proc) divided by the requests. The workers' CPU per request is given beside it.
  * Instructions per request (`--instructions`): the web process runs under valgrind's
    callgrind with counting switched on only while `--instr-requests` requests are answered
    (the zygote and the workers run natively: valgrind does not follow the zygote's exec).
    Instruction counts do not depend on what else the machine is running.

Each measurement is taken for this tree and for every `--against REV` (a git revision,
exported with `git archive` into a temporary directory), alternating between the trees round by
round, so that before/after figures come from the same run. `--against REV:asyncio` serves that
revision with uvloop and httptools hidden (stub packages that fail to import), so uvicorn falls
back to asyncio's loop and h11, as before they were pinned.

    .venv/bin/python bench/web_cost.py [--against REV] [--requests 400] [--rounds 3]
    .venv/bin/python bench/web_cost.py --instructions [--against REV] [--instr-requests 100]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.examples import get_example  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 30


def export_revision(rev: str, into: Path) -> Path:
    """The tree of `rev` as plain files (no checkout, no worktree)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


# label -> a directory of stub packages to put first on that tree's path
HIDDEN: dict[str, Path] = {}


def hide_uvloop(into: Path) -> Path:
    """Packages named uvloop and httptools that fail to import: uvicorn's "auto" then picks
    asyncio and h11."""
    for name in ("uvloop", "httptools"):
        (into / name).mkdir(parents=True)
        (into / name / "__init__.py").write_text(f'raise ImportError("{name} hidden")\n')
    return into


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Client:
    """One keep-alive HTTP/1.1 connection with Nagle off, reading exactly what is answered."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def post(self, path: str, body: dict[str, Any]) -> bytes:
        data = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + data)
        status = self.reader.readline()
        length = 0
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        answer = self.reader.read(length)
        if b" 200 " not in status:
            raise SystemExit(f"{status!r}: {answer[:300]!r}")
        return answer

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


def wait_ready(port: int, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            if b" 200 " in s.recv(64):
                return
        time.sleep(0.5)
    raise SystemExit("the server did not become ready")


@contextlib.contextmanager
def server(
    tree: Path, valgrind_out: Path | None = None, hidden: Path | None = None
) -> Iterator[tuple[int, int]]:
    """The app of `tree` served by its command line; yields (port, pid of the web process)."""
    port = free_port()
    # As `autograd-playground serve` runs it: its JSON access and run log lines included.
    arguments = ["app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command = [sys.executable, "-m", *arguments]
    if valgrind_out is not None:
        # valgrind 3.19 lacks pidfd_open: the shim stands in for it (bench/pidfd_shim.py).
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", "--trace-children=no",
            f"--callgrind-out-file={valgrind_out}",
            sys.executable, str(Path(__file__).with_name("pidfd_shim.py")), *arguments,
        ]  # fmt: skip
    first = [str(hidden)] if hidden else []
    path = os.pathsep.join(filter(None, [*first, str(tree), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "PLAYGROUND_WORKERS": "2"}
    env.update({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    process = subprocess.Popen(
        command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_ready(port, process, 600 if valgrind_out else 120)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=120 if valgrind_out else 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each live process under `pid` (zygote and workers)."""
    found: dict[int, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                found[int(child)] = cpu_seconds(int(child))
                found.update(children_cpu(int(child)))
    return found


BODIES: dict[str, dict[str, Any]] = {}


def bodies() -> dict[str, dict[str, Any]]:
    if not BODIES:
        example = get_example("chain-rule")
        assert example is not None
        BODIES["full"] = {"source": example.source}
        BODIES["slim"] = {"source": example.source, "include": []}
    return BODIES


@dataclass
class Window:
    web_ms: float  # web-process CPU per request
    workers_ms: float
    wall_ms: float


def measure_cpu(client: Client, pid: int, body: dict[str, Any], requests: int) -> Window:
    web, workers, started = cpu_seconds(pid), children_cpu(pid), time.perf_counter()
    for _ in range(requests):
        client.post("/api/v1/run", body)
    wall = time.perf_counter() - started
    web_after, workers_after = cpu_seconds(pid), children_cpu(pid)
    # Workers are retired after `runs_per_worker` runs: only processes alive at both readings
    # count, so the workers' figure is a lower bound (the web process's is exact).
    spent = sum(workers_after[p] - workers[p] for p in workers_after.keys() & workers.keys())
    return Window(
        (web_after - web) * 1000 / requests, spent * 1000 / requests, wall * 1000 / requests
    )


def cpu_report(trees: dict[str, Path], requests: int, rounds: int) -> dict[str, Any]:
    """Web-process CPU per request for each tree, rounds alternating between the trees."""
    windows: dict[tuple[str, str], list[Window]] = {}
    with contextlib.ExitStack() as stack:
        running = {}
        for label, tree in trees.items():
            running[label] = stack.enter_context(server(tree, hidden=HIDDEN.get(label)))
        for _ in range(rounds):
            for label, (port, pid) in running.items():
                # A new connection each round: uvicorn closes one idle for 5 s (keep-alive).
                client = Client(port)
                try:
                    for kind, body in bodies().items():
                        for _ in range(WARM_UP):
                            client.post("/api/v1/run", body)
                        window = measure_cpu(client, pid, body, requests)
                        windows.setdefault((label, kind), []).append(window)
                finally:
                    client.close()
    report: dict[str, Any] = {}
    for (label, kind), measured in windows.items():
        report[f"{label}/{kind}"] = {
            "web_cpu_ms": statistics.median(w.web_ms for w in measured),
            "web_cpu_ms_each_round": [round(w.web_ms, 3) for w in measured],
            "workers_cpu_ms": statistics.median(w.workers_ms for w in measured),
            "wall_ms": statistics.median(w.wall_ms for w in measured),
        }
    return report


def callgrind_total(path: Path) -> int:
    text = path.read_text(errors="replace")
    match = re.search(r"^totals:\s*(\d+)", text, re.MULTILINE)
    if not match:
        raise SystemExit(f"no totals in {path}")
    return int(match.group(1))


def instructions(label: str, tree: Path, kind: str, requests: int, scratch: Path) -> float:
    """Instructions the web process executes per request (callgrind, counting only meanwhile)."""
    safe = re.sub(r"\W", "_", label)
    out = scratch / f"callgrind.{safe}.{kind}.out"
    with server(tree, out, HIDDEN.get(label)) as (port, pid):
        client = Client(port)
        body = bodies()[kind]
        for _ in range(WARM_UP):
            client.post("/api/v1/run", body)
        subprocess.run(["callgrind_control", "-i", "on", str(pid)], check=True, capture_output=True)
        for _ in range(requests):
            client.post("/api/v1/run", body)
        subprocess.run(
            ["callgrind_control", "-i", "off", str(pid)], check=True, capture_output=True
        )
        client.close()
    return callgrind_total(out) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--against", action="append", default=[], help="git revision, REV:asyncio for h11"
    )
    parser.add_argument("--requests", type=int, default=400, help="requests per CPU window")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--instructions", action="store_true", help="callgrind counts")
    parser.add_argument("--instr-requests", type=int, default=100)
    parser.add_argument("--kinds", nargs="+", choices=("full", "slim"), default=["full", "slim"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="web-cost-") as scratch_dir:
        scratch = Path(scratch_dir)
        trees = {"this tree": ROOT}
        for label in args.against:
            rev, _, variant = label.partition(":")
            into = scratch / re.sub(r"\W", "_", label)
            into.mkdir()
            trees[label] = export_revision(rev, into)
            if variant == "asyncio":
                HIDDEN[label] = hide_uvloop(scratch / f"hidden_{into.name}")
            elif variant:
                raise SystemExit(f"unknown variant {variant!r} (only :asyncio)")
        figures: dict[str, Any] = {"requests": args.requests, "rounds": args.rounds}
        print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if args.instructions:
            if not shutil.which("valgrind"):
                raise SystemExit("needs valgrind: apt-get install -y valgrind")
            print(f"\ninstructions of the web process per /api/v1/run ({args.instr_requests} req)")
            for kind in args.kinds:
                for label, tree in trees.items():
                    count = instructions(label, tree, kind, args.instr_requests, scratch)
                    figures[f"{label}/{kind}/instructions"] = count
                    print(f"  {label:24} {kind:5} {count / 1e6:9.2f} M instructions/request")
        else:
            figures["cpu"] = cpu_report(trees, args.requests, args.rounds)
            print(f"\nweb-process CPU per /api/v1/run, {args.requests} sequential requests x "
                  f"{args.rounds} rounds, trees alternating (median of rounds)")  # fmt: skip
            print(f"  {'tree':24} {'answer':6} {'web ms':>8} {'workers ms':>11} {'wall ms':>8}")
            for key, row in figures["cpu"].items():
                label, kind = key.rsplit("/", 1)
                print(
                    f"  {label:24} {kind:6} {row['web_cpu_ms']:8.3f} "
                    f"{row['workers_cpu_ms']:11.3f} {row['wall_ms']:8.3f}"
                )
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        print("\n" + json.dumps(figures))


if __name__ == "__main__":
    main()
