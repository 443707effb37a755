"""Load under attack: honest clients' latency while attackers send endless loops and size bombs.

Starts the real server (HTTP → workers, default limits) on a free loopback port, measures an
honest client's p50 latency for the seed's chain-rule program alone, then again while ATTACKERS
clients send hostile programs back to back. Attackers are separate processes (threads in this
process would share its GIL with the honest client and distort its timings) and connect from
another loopback address (127.0.0.2) than the honest client (127.0.0.1), as two machines would:
the server's fair scheduling tells clients apart by address; their client side runs at nice 10
(`--attacker-nice`), as it would on their own machines. Prints both figures, their ratio
(target ≤ 2×), how many honest answers were wrong (target 0), and what the attackers got.
Bounded in count and time; it stops by itself.

    .venv/bin/python bench/attack.py [--honest 200] [--attackers 3] [--workers 2]
    .venv/bin/python bench/attack.py --attacker-address 127.0.0.1   # same address: no isolation
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

# The server launcher is shared with the tests (tests/support/server_process.py).
sys.path.insert(0, str(ROOT))
from tests.support.server_process import serve_app  # noqa: E402

CHAIN_RULE = (
    "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
    "z = y * y * 3\nout = z.mean()\nout.backward()\nprint(x.grad)\n"
)
ERROR_TYPE = re.compile(r'"error":\s*\{"type":\s*"(\w+)"')
ATTACKS = [
    "while True:\n    pass\n",
    "import torch\nx = torch.ones(10**10)\n",
    "import torch\nx = torch.ones(1, 1).expand(10**6, 10**6)\ns = x.sum()\n",
    "def f(n):\n    return f(n + 1)\nf(0)\n",
    "x = 2 ** 10 ** 10\n",
    "import torch\na = torch.ones(700, 700)\nfor i in range(100000):\n    b = a @ a\n",
    "s = 'a'\nwhile True:\n    s = s + s\n",
]


def expected_grad() -> list[list[float]]:
    import torch

    x = torch.ones(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad is not None
    grad: list[list[float]] = x.grad.tolist()
    return grad


def client_for(address: str) -> httpx.Client:
    """A client whose connections leave from `address` (any of 127.0.0.0/8 on Linux)."""
    return httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address=address))


def honest_latencies(
    url: str, count: int, want: list[list[float]], address: str
) -> tuple[list[float], int]:
    latencies, wrong = [], 0
    with client_for(address) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(url + "/api/v1/run", json={"source": CHAIN_RULE, "include": []})
            latencies.append(time.perf_counter() - started)
            body = response.json() if response.status_code == 200 else {}
            if body.get("variables", {}).get("x", {}).get("grad") != want:
                wrong += 1
    return latencies, wrong


class Stop(Exception):
    """SIGTERM from the bench: report and leave."""


def _stop(signum: int, frame: object) -> None:
    raise Stop


def attacker_main(url: str, address: str, seconds: float, offset: int, nice: int) -> None:
    """One attacker process: hostile programs back to back until `seconds` pass or SIGTERM."""
    signal.signal(signal.SIGTERM, _stop)
    # Real attackers run on their own machines; here they share the server's cores, so their
    # client side (not the server's work for them) runs at a lower priority.
    os.nice(nice)
    ends = time.monotonic() + seconds
    outcomes: Counter[str] = Counter()
    try:
        with client_for(address) as client:
            i = offset
            while time.monotonic() < ends:
                source = ATTACKS[i % len(ATTACKS)]
                try:
                    response = client.post(url + "/api/v1/run", json={"source": source})
                    # Not response.json(): decoding multi-MB answers would burn this machine's
                    # CPU, which a real attacker spends on their own machine.
                    found = ERROR_TYPE.search(response.text[:4096])
                    outcomes[found.group(1) if found else str(response.status_code)] += 1
                except httpx.HTTPError as error:
                    outcomes[type(error).__name__] += 1
                i += 1
    except Stop:
        pass
    print(json.dumps(outcomes), flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--honest", type=int, default=200)
    parser.add_argument("--attackers", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--honest-address", default="127.0.0.1")
    parser.add_argument("--attacker-address", default="127.0.0.2")
    parser.add_argument("--settle-seconds", type=float, default=3.0)
    parser.add_argument("--warm-up", type=int, default=100)
    parser.add_argument("--attacker-nice", type=int, default=10)
    parser.add_argument(
        "--burners",
        type=int,
        default=1,
        help="control phase: plain busy-loop processes (no requests) that take as much CPU as "
        "the workers the attackers may hold, to separate CPU contention from queueing",
    )
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--attacker", nargs=3, metavar=("URL", "SECONDS", "OFFSET"))
    args = parser.parse_args()
    if args.attacker:
        url, seconds, offset = args.attacker
        attacker_main(url, args.attacker_address, float(seconds), int(offset), args.attacker_nice)
        return
    want = expected_grad()
    server = contextlib.ExitStack()
    env = {"PLAYGROUND_WORKERS": str(args.workers), "PLAYGROUND_QUEUE_SIZE": "256"}
    url = server.enter_context(serve_app(env, ready_seconds=120)).url
    attackers: list[subprocess.Popen[str]] = []
    honest = args.honest_address
    try:
        # Warm-up: a freshly forked worker's first runs are slower (copy-on-write faults).
        honest_latencies(url, args.warm_up, want, honest)
        calm, calm_wrong = honest_latencies(url, args.honest, want, honest)
        burners = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(args.burners)
        ]
        try:
            burned, _ = honest_latencies(url, args.honest, want, honest)
        finally:
            for burner in burners:
                burner.kill()
                burner.wait()
        for n in range(args.attackers):
            command = [sys.executable, __file__, "--attacker", url, str(args.max_seconds), str(n)]
            command += ["--attacker-address", args.attacker_address]
            command += ["--attacker-nice", str(args.attacker_nice)]
            attackers.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
        time.sleep(args.settle_seconds)
        started = time.monotonic()
        loaded, loaded_wrong = honest_latencies(url, args.honest, want, honest)
        loaded_seconds = time.monotonic() - started
        for attacker in attackers:
            attacker.terminate()
        outcomes: Counter[str] = Counter()
        for attacker in attackers:
            out, _ = attacker.communicate(timeout=90)
            for line in out.splitlines():
                outcomes.update(json.loads(line))
        # The machine is shared: measure the unloaded figure again once the attack is over and
        # the last attack jobs (up to limits.seconds + grace) have drained.
        time.sleep(8)
        calm_after, calm_after_wrong = honest_latencies(url, args.honest, want, honest)
        healthy = httpx.get(url + "/healthz", timeout=5).status_code == 200
    finally:
        for attacker in attackers:
            if attacker.poll() is None:
                attacker.kill()
        server.close()
    # The baseline is every unloaded request, before and after the attack together.
    p50_calm = statistics.median(calm + calm_after) * 1000
    p50_loaded = statistics.median(loaded) * 1000
    p50_burned = statistics.median(burned) * 1000
    print(
        f"workers={args.workers} attackers={args.attackers} (processes at nice "
        f"{args.attacker_nice}, from {args.attacker_address}; honest client from {honest})"
    )
    print(f"answers the attackers got: {dict(outcomes)}")
    print(
        f"honest p50 unloaded:     {p50_calm:8.2f} ms  (before the attack "
        f"{statistics.median(calm) * 1000:.2f}, after {statistics.median(calm_after) * 1000:.2f};"
        f" wrong answers: {calm_wrong + calm_after_wrong})"
    )
    print(
        f"honest p50 under attack: {p50_loaded:8.2f} ms  p90 {percentile(loaded, 0.9) * 1000:8.2f}"
        f"  max {max(loaded) * 1000:8.2f}  (wrong answers: {loaded_wrong};"
        f" {args.honest} requests in {loaded_seconds:.1f} s)"
    )
    print(
        f"honest p50 with {args.burners} CPU burner(s), no attack: {p50_burned:8.2f} ms "
        f"(ratio {p50_burned / p50_calm:.2f}x: CPU contention alone)"
    )
    print(f"ratio under attack / unloaded: {p50_loaded / p50_calm:.2f}x  (target <= 2.0)")
    print(f"server healthy afterwards: {healthy}")


if __name__ == "__main__":
    main()
