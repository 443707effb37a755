"""wrk as the load generator of the service benchmarks: run it, parse it, and say whether it was
the bottleneck.

A Python load generator measured itself, not the server (34 req/s where wrk sees 500+), so the
benchmarks use wrk (C, event loop). `ensure_wrk()` installs it with apt-get when missing. Each
run records wrk's own CPU time (from `wait4`): when its threads were busy most of the wall time,
the generator, not the server, set the pace, and the figures must not be used as the server's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from typing import Any

WRK_THREADS = 2
# wrk's threads busy this share of the wall time (each thread is one core): it set the pace.
SATURATED_SHARE = 0.8
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def ensure_wrk() -> str:
    """The path of wrk, installing the Debian package when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is not installed: apt-get install -y wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


@dataclass(frozen=True)
class WrkResult:
    connections: int
    seconds: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    wrk_cpu_seconds: float

    @property
    def answered_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def useful_per_second(self) -> float:
        """2xx answers per second: the work that reached a student."""
        return (self.requests - self.non_2xx) / self.seconds

    @property
    def wrk_cpu_share(self) -> float:
        """wrk's CPU time over the wall time, per thread (1.0 = its threads never rested)."""
        return self.wrk_cpu_seconds / self.seconds / WRK_THREADS

    @property
    def generator_saturated(self) -> bool:
        return self.wrk_cpu_share >= SATURATED_SHARE

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "answered_per_second": self.answered_per_second,
            "useful_per_second": self.useful_per_second,
            "wrk_cpu_share": self.wrk_cpu_share,
        }


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    assert match, text
    return float(match.group(1)) * UNITS[match.group(2)]


def parse(output: str, connections: int, cpu_seconds: float) -> WrkResult:
    """Read wrk's report (run with --latency)."""
    summary = re.search(r"(\d+) requests in ([\d.]+\w+)", output)
    assert summary, output
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", output)
    assert latency, output
    p50 = re.search(r"\s50%\s+(\S+)", output)
    p99 = re.search(r"\s99%\s+(\S+)", output)
    assert p50 and p99, output
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        connections=connections,
        seconds=_ms(summary.group(2)) / 1000,
        requests=int(summary.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        max_ms=_ms(latency.group(3)),
        wrk_cpu_seconds=cpu_seconds,
    )


def run_wrk(
    url: str,
    body: dict[str, Any],
    connections: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    timeout_seconds: float = 60.0,
) -> WrkResult:
    """POST `body` as JSON to `url` from `connections` closed-loop clients for `seconds`."""
    wrk = ensure_wrk()
    lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items()]
    lines.append(f"wrk.body = [==[{json.dumps(body)}]==]")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write("\n".join(lines) + "\n")
        lua.flush()
        threads = min(WRK_THREADS, connections)
        # wrk reads whole seconds only (`-d1.5s` prints its usage and exits): round, at least 1.
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
        command += ["--latency", f"--timeout={timeout_seconds:g}s", "-s", lua.name, url]
        with tempfile.TemporaryFile("w+") as out:
            started = time.monotonic()
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True)
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read()
    if process.returncode != 0:
        raise SystemExit(f"wrk failed after {time.monotonic() - started:.1f} s:\n{output}")
    return parse(output, connections, usage.ru_utime + usage.ru_stime)
