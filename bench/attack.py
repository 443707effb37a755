"""Load under attack: honest clients' latency while attackers send endless loops and size bombs.

Starts the real server (HTTP → workers) on a free loopback port, measures an honest client's
p50 latency for the seed's chain-rule program alone, then again while ATTACKERS clients send
hostile programs back to back. Prints both figures, their ratio (target ≤ 2×) and how many
honest answers were wrong (target 0). Bounded in count and time; it stops by itself.

    .venv/bin/python bench/attack.py [--honest 200] [--attackers 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import torch

ROOT = Path(__file__).resolve().parents[1]
CHAIN_RULE = (
    "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
    "z = y * y * 3\nout = z.mean()\nout.backward()\nprint(x.grad)\n"
)
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
    x = torch.ones(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad is not None
    return x.grad.tolist()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PLAYGROUND_WORKERS": str(workers), "PLAYGROUND_QUEUE_SIZE": "256"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not become ready")


def honest_latencies(url: str, count: int, want: list[list[float]]) -> tuple[list[float], int]:
    latencies, wrong = [], 0
    with httpx.Client(timeout=60) as client:
        for _ in range(count):
            started = time.perf_counter()
            response = client.post(url + "/api/v1/run", json={"source": CHAIN_RULE, "include": []})
            latencies.append(time.perf_counter() - started)
            body = response.json() if response.status_code == 200 else {}
            if body.get("variables", {}).get("x", {}).get("grad") != want:
                wrong += 1
    return latencies, wrong


def attack(url: str, stop: threading.Event, sent: list[int], seconds: float) -> None:
    ends = time.monotonic() + seconds
    with httpx.Client(timeout=60) as client:
        i = 0
        while not stop.is_set() and time.monotonic() < ends:
            try:
                client.post(url + "/api/v1/run", json={"source": ATTACKS[i % len(ATTACKS)]})
            except httpx.HTTPError:
                pass
            sent[0] += 1
            i += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--honest", type=int, default=200)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    want = expected_grad()
    process, url = start_server(args.workers)
    try:
        honest_latencies(url, 20, want)  # warm-up
        calm, calm_wrong = honest_latencies(url, args.honest, want)
        stop, sent = threading.Event(), [0]
        threads = [
            threading.Thread(target=attack, args=(url, stop, sent, args.max_seconds))
            for _ in range(args.attackers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        loaded, loaded_wrong = honest_latencies(url, args.honest, want)
        stop.set()
        for thread in threads:
            thread.join()
        healthy = httpx.get(url + "/healthz", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
    p50_calm = statistics.median(calm) * 1000
    p50_loaded = statistics.median(loaded) * 1000
    print(f"workers={args.workers} attackers={args.attackers} attack requests sent={sent[0]}")
    print(f"honest p50 unloaded:     {p50_calm:8.2f} ms  (wrong answers: {calm_wrong})")
    print(f"honest p50 under attack: {p50_loaded:8.2f} ms  (wrong answers: {loaded_wrong})")
    print(f"ratio under attack / unloaded: {p50_loaded / p50_calm:.2f}x  (target <= 2.0)")
    print(f"server healthy afterwards: {healthy}")


if __name__ == "__main__":
    main()
