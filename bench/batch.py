"""A batch of 50 check items against the same 50 checks sent as separate /check requests.

Starts the real server (HTTP → workers) on a free loopback port, then, in the same run and
alternating the order each round, times one POST /api/v1/batch with N check items and N
sequential POST /api/v1/check requests with the same bodies. Both must give the same results.
Prints the median of each and the ratio separate / batch. Bounded; it stops by itself.

    .venv/bin/python bench/batch.py [--items 50] [--rounds 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import torch

ROOT = Path(__file__).resolve().parents[1]

# The server launcher is shared with the tests (tests/support/server_process.py).
sys.path.insert(0, str(ROOT))
from tests.support.server_process import serve_app  # noqa: E402

# A student's answer to "make x.grad equal to d mean(3 (x + 2)^2) / dx", with a seeded twist so
# the items differ.
SUBMISSION = """\
import torch
x = torch.rand(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
"""


def expected_grad(seed: int) -> list[list[float]]:
    """The oracle: real torch, same seed."""
    torch.manual_seed(seed)
    x = torch.rand(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad is not None
    return x.grad.tolist()


def check_bodies(count: int) -> list[dict[str, Any]]:
    return [
        {
            "source": SUBMISSION,
            "seed": seed,
            "checks": [
                {"expr": "x.grad", "expected": expected_grad(seed)},
                {"expr": "out.grad_fn.name()", "expected": "MeanBackward0"},
            ],
        }
        for seed in range(count)
    ]


def time_batch(client: httpx.Client, bodies: list[dict[str, Any]]) -> tuple[float, list[Any]]:
    items = [{"kind": "check", **body} for body in bodies]
    started = time.perf_counter()
    response = client.post("/api/v1/batch", json={"items": items})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json()["results"]


def time_separate(client: httpx.Client, bodies: list[dict[str, Any]]) -> tuple[float, list[Any]]:
    results = []
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/check", json=body)
        response.raise_for_status()
        results.append(response.json())
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    bodies = check_bodies(args.items)
    server = contextlib.ExitStack()
    env = {"PLAYGROUND_WORKERS": str(args.workers), "PLAYGROUND_QUEUE_SIZE": "256"}
    url = server.enter_context(serve_app(env, ready_seconds=120)).url
    batch_times, separate_times = [], []
    try:
        with httpx.Client(base_url=url, timeout=300) as client:
            time_batch(client, bodies[:4])  # warm the HTTP connection and the workers
            for round_number in range(args.rounds):
                # Alternate the order so neither side always runs on a warmer machine.
                if round_number % 2 == 0:
                    batch_time, batch_results = time_batch(client, bodies)
                    separate_time, separate_results = time_separate(client, bodies)
                else:
                    separate_time, separate_results = time_separate(client, bodies)
                    batch_time, batch_results = time_batch(client, bodies)
                assert batch_results == separate_results, "batch and /check disagree"
                assert all(result["score"] == 1.0 for result in batch_results)
                batch_times.append(batch_time)
                separate_times.append(separate_time)
    finally:
        server.close()

    batch_ms = statistics.median(batch_times) * 1000
    separate_ms = statistics.median(separate_times) * 1000
    print(f"{args.items} check items, {args.workers} workers, median of {args.rounds} rounds")
    rows = [
        ("one /api/v1/batch request", f"{batch_ms:8.1f} ms"),
        (f"{args.items} separate /check requests", f"{separate_ms:8.1f} ms"),
        ("ratio separate / batch", f"{separate_ms / batch_ms:8.2f}x"),
    ]
    for label, figure in rows:
        print(f"  {label:<30}: {figure}")


if __name__ == "__main__":
    main()
