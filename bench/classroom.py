"""A classroom against one server (locust): N students load the page, run, think, edit, run again.

Starts the real server (uvicorn, web process + zygote + warm workers) on a free loopback port and
simulates N students with locust, in this process:

* each student loads the page and its assets (the HTML, its CSS and scripts, the ES modules of
  its import map, `/api/v1/examples`), runs a program as the page does on load, then, until the
  end, thinks 5-30 s, edits the program and runs it again;
* a "same instruction" burst: at `--burst-at` seconds every student presses Run within 2 s;
* programs are a mix (`--mix`): the seed programs (the built-in examples), a 20-step MLP, and a
  program with a mistake (a shape error, answered as a result with `ok: false`);
* a run is sent as the page sends it (`X-Playground-Client`, a 503 waited out after its
  Retry-After with jitter, 8 attempts at most), so "time to result" is what a student waits.

Reports time-to-result p50/p95/p99 (all runs and the burst's), the errors a student would see
(an HTTP error after the retries, a network error; a program's own error is a result, not one),
goodput (run results per second), the CPU of the web process, of the workers and of locust
itself. `--capacity` instead measures the CPU one run of each program costs the server and
prints students per core for each program mix.

    .venv/bin/python bench/classroom.py --students 300 [--seconds 120] [--mix mixed]
    .venv/bin/python bench/classroom.py --capacity
"""

from __future__ import annotations

# locust patches the standard library for gevent when imported; do it first.
import locust  # noqa: F401

# isort: split
import argparse
import json
import os
import random
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import httpx
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.examples import EXAMPLES  # noqa: E402
from bench.overload import CpuSampler  # noqa: E402
from tests.support.server_process import serve_app  # noqa: E402

THINK_SECONDS = (5.0, 30.0)
BURST_SPREAD_SECONDS = 2.0
RETRY_ATTEMPTS = 8  # as static/js/api.js
RETRY_MAX_WAIT = 30.0
RETRY_JITTER = 0.5

MLP_20_STEPS = """import torch
import torch.nn as nn

x = torch.linspace(-1, 1, 16).unsqueeze(1)
y = x ** 3 - 0.5 * x
model = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(20):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
print("loss after 20 steps:", round(loss.item(), 4))
"""

SHAPE_MISTAKE = """import torch
w = torch.ones(3, 2, requires_grad=True)
x = torch.ones(3)
y = w @ x
y.sum().backward()
"""

SEEDS = [example.source for example in EXAMPLES if not example.expected_error]
# Program mixes: (share of seed programs, of the MLP, of the mistake).
MIXES = {
    "seeds": (1.0, 0.0, 0.0),
    "mixed": (0.7, 0.2, 0.1),
    "mlp": (0.0, 1.0, 0.0),
}


@dataclass
class Classroom:
    """What every student shares: the plan (mix, burst time) and what was measured."""

    mix: tuple[float, float, float] = MIXES["mixed"]
    started: float = 0.0
    burst_at: float = float("inf")
    assets: list[str] = field(default_factory=list)
    time_to_result: list[float] = field(default_factory=list)
    burst_time_to_result: list[float] = field(default_factory=list)
    results_at: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    retried_runs: int = 0
    page_loads: list[float] = field(default_factory=list)

    def program(self) -> str:
        kind = random.choices(range(3), weights=self.mix)[0]
        return (random.choice(SEEDS), MLP_20_STEPS, SHAPE_MISTAKE)[kind]

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


CLASS = Classroom()


def page_assets(base_url: str) -> list[str]:
    """What a browser fetches for the page: its CSS and scripts, and the app's ES modules."""
    html = httpx.get(base_url + "/", timeout=30).text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    found = re.search(r'<script type="importmap">(.*?)</script>', html, re.S)
    assert found, "the page has no import map"
    imports = json.loads(found[1])
    assets += [url for key, url in imports["imports"].items() if "/static/js/" in key]
    return sorted(set(assets))


class Student(FastHttpUser):
    """One student: load the page, run, then think, edit and run again until the end."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.browser_id = f"{random.getrandbits(128):032x}"
        self.source = CLASS.program()
        self.edits = 0
        self.burst_done = False
        started = time.monotonic()
        self.client.get("/", name="page")
        for asset in CLASS.assets:
            self.client.get(asset, name="asset")
        self.client.get("/api/v1/examples", name="examples")
        CLASS.page_loads.append(time.monotonic() - started)
        self.press_run(burst=False)

    @task
    def think_edit_run(self) -> None:
        burst = self.think()
        if not burst:
            self.edits += 1
            if random.random() < 0.3:
                self.source = CLASS.program()  # the next exercise
            else:
                self.source = self.source.rstrip("\n") + f"\n# edit {self.edits}\n"
        self.press_run(burst=burst)

    def think(self) -> bool:
        """Sleep 5-30 s, or until this student's moment of the burst; True for the burst."""
        until = time.monotonic() + random.uniform(*THINK_SECONDS)
        if not self.burst_done:
            mine = CLASS.started + CLASS.burst_at + random.uniform(0, BURST_SPREAD_SECONDS)
            if mine <= until:
                gevent.sleep(max(0.0, mine - time.monotonic()))
                self.burst_done = True
                return True
        gevent.sleep(max(0.0, until - time.monotonic()))
        return False

    def press_run(self, burst: bool) -> None:
        """Send the run as static/js/api.js does and record what the student waited."""
        headers = {"X-Playground-Client": self.browser_id}
        body = {"source": self.source, "seed": 0}
        pressed = time.monotonic()
        for attempt in range(RETRY_ATTEMPTS + 1):
            with self.client.post(
                "/api/v1/run", json=body, headers=headers, name="run", catch_response=True
            ) as response:
                status = response.status_code
                if status == 503 and attempt < RETRY_ATTEMPTS:
                    response.success()  # the page shows "queued", not an error
                    wait = min(RETRY_MAX_WAIT, float(response.headers.get("Retry-After", 1)))
                    if attempt == 0:
                        CLASS.retried_runs += 1
                    gevent.sleep(wait * (1 + RETRY_JITTER * random.random()))
                    continue
                if status != 200:
                    CLASS.error(f"HTTP {status}" if status else "network error")
                    response.failure(f"HTTP {status}")
                    return
                try:
                    result = response.json()
                except ValueError:
                    CLASS.error("unreadable answer")
                    response.failure("unreadable answer")
                    return
                if "variables" not in result:
                    CLASS.error("not a RunResult")
                    response.failure("not a RunResult")
                    return
                elapsed = time.monotonic() - pressed
                CLASS.time_to_result.append(elapsed)
                CLASS.results_at.append(time.monotonic() - CLASS.started)
                if burst:
                    CLASS.burst_time_to_result.append(elapsed)
                return


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def simulate(args: argparse.Namespace) -> dict[str, Any]:
    env = {"PLAYGROUND_WORKERS": str(args.workers), "PYTHONPATH": str(ROOT)}
    with serve_app(env, ready_seconds=180) as live:
        CLASS.assets = page_assets(live.url)
        CLASS.mix = MIXES[args.mix]
        CLASS.burst_at = args.burst_at
        environment = Environment(user_classes=[Student], host=live.url, events=events)
        runner = environment.create_local_runner()
        own_before = resource.getrusage(resource.RUSAGE_SELF)
        with CpuSampler(live.process.pid) as cpu:
            CLASS.started = time.monotonic()
            runner.start(args.students, spawn_rate=args.students / args.ramp)
            gevent.sleep(args.seconds)
            runner.quit()
        own_after = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.monotonic() - CLASS.started
        web, workers = cpu.used()
        stats = environment.stats
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    steady = [t for t in CLASS.results_at if t >= args.ramp]
    return {
        "students": args.students,
        "mix": args.mix,
        "seconds": round(wall, 1),
        "runs": len(CLASS.time_to_result),
        "retried_runs": CLASS.retried_runs,
        "student_errors": dict(CLASS.errors),
        "time_to_result_s": {
            q: round(percentile(CLASS.time_to_result, share), 3)
            for q, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "burst": {
            "runs": len(CLASS.burst_time_to_result),
            **{
                q: round(percentile(CLASS.burst_time_to_result, share), 3)
                for q, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
            },
            "max": round(max(CLASS.burst_time_to_result, default=float("nan")), 3),
        },
        "page_load_s": {
            "p50": round(percentile(CLASS.page_loads, 0.5), 3),
            "p95": round(percentile(CLASS.page_loads, 0.95), 3),
        },
        "goodput_runs_per_s": round(len(steady) / max(1e-9, wall - args.ramp), 2),
        "http_requests": stats.total.num_requests,
        "http_failures": stats.total.num_failures,
        "cpu_share": {
            "web": round(web / wall, 3),
            "workers": round(workers / wall, 3),
            "locust": round(own / wall, 3),
        },
    }


def capacity(args: argparse.Namespace) -> dict[str, Any]:
    """Server CPU per run of each program kind, from back-to-back runs by one client each."""
    env = {"PLAYGROUND_WORKERS": str(args.workers), "PYTHONPATH": str(ROOT)}
    kinds = {"seed": SEEDS, "mlp": [MLP_20_STEPS], "mistake": [SHAPE_MISTAKE]}
    per_run: dict[str, float] = {}
    with serve_app(env, ready_seconds=180) as live, httpx.Client(timeout=60) as client:
        for kind, programs in kinds.items():
            runs = 0
            with CpuSampler(live.process.pid) as cpu:
                stop = time.monotonic() + args.capacity_seconds
                while time.monotonic() < stop:
                    source = programs[runs % len(programs)]
                    r = client.post(f"{live.url}/api/v1/run", json={"source": source})
                    assert r.status_code == 200, r.text
                    runs += 1
            web, workers = cpu.used()
            per_run[kind] = (web + workers) / runs
    rows = {}
    for mix, (seed, mlp, mistake) in MIXES.items():
        cpu_per_run = seed * per_run["seed"] + mlp * per_run["mlp"] + mistake * per_run["mistake"]
        # A student runs once per think time (5-30 s: 17.5 s on average) plus the wait.
        runs_per_student = 1 / (sum(THINK_SECONDS) / 2)
        rows[mix] = {
            "cpu_ms_per_run": round(cpu_per_run * 1000, 1),
            "students_per_core": int(1 / (cpu_per_run * runs_per_student)),
            "burst_runs_per_core_second": round(1 / cpu_per_run, 1),
        }
    return {"cpu_ms_per_run": {k: round(v * 1000, 1) for k, v in per_run.items()}, "mixes": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the lesson")
    parser.add_argument("--ramp", type=float, default=30.0, help="seconds until all are in")
    parser.add_argument("--burst-at", type=float, default=75.0, help="when all press Run")
    parser.add_argument("--mix", choices=sorted(MIXES), default="mixed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--capacity", action="store_true", help="CPU per run and per student")
    parser.add_argument("--capacity-seconds", type=float, default=10.0)
    args = parser.parse_args()
    figures = capacity(args) if args.capacity else simulate(args)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
