"""What metrics, request ids and logs cost: the seed program with /metrics on vs off, same run.

Starts two servers on free loopback ports from the same code, one with
PLAYGROUND_METRICS_ENABLED=true and one with false (request ids and the log records exist on
both; uvicorn at warning level drops the INFO lines), then alternates wrk runs against them,
interleaved so drift on a shared machine hits both, and reports:
  * throughput with 16 concurrent clients (closed loop), ratio on/off (target >= 0.97);
  * single-client p50 latency, ratio on/off (target <= 1.05).
wrk must be installed (`apt-get install -y wrk`). Bounded; stops its servers by itself.

    .venv/bin/python bench/metrics_cost.py [--duration 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.examples import get_example  # noqa: E402
from tests.support.server_process import serve_app  # noqa: E402

CLIENTS = 16
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}
done = function(summary, latency, requests)
  io.write(string.format("JSON {{\\"requests\\": %d, \\"seconds\\": %f, \\"p50_us\\": %f, " ..
    "\\"non2xx\\": %d}}\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), summary.errors.status))
end
"""


def wrk(url: str, script: Path, clients: int, seconds: int) -> dict[str, float]:
    """One wrk run: requests/s and p50 latency (ms) as wrk itself measured them."""
    command = ["wrk", "-t", "1", "-c", str(clients), "-d", f"{max(1, seconds)}s", "-s", str(script)]
    done = subprocess.run([*command, f"{url}/api/v1/run"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    output = done.stdout
    match = re.search(r"^JSON (.*)$", output, re.M)
    assert match, output
    figures = json.loads(match.group(1))
    assert figures["non2xx"] == 0, figures
    return {
        "rps": figures["requests"] / figures["seconds"],
        "p50_ms": figures["p50_us"] / 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    example = get_example("chain-rule")
    assert example is not None
    body = json.dumps(json.dumps({"source": example.source}))
    base = {"PLAYGROUND_WORKERS": "2", "PLAYGROUND_QUEUE_SIZE": "256"}
    results: dict[str, dict[str, list[float]]] = {
        "on": {"rps": [], "p50_ms": []},
        "off": {"rps": [], "p50_ms": []},
    }
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "run.lua"
        script.write_text(LUA.format(body=body))
        with (
            serve_app({**base, "PLAYGROUND_METRICS_ENABLED": "true"}) as on,
            serve_app({**base, "PLAYGROUND_METRICS_ENABLED": "false"}) as off,
        ):
            for _ in range(args.rounds):
                for name, server in (("on", on), ("off", off)):
                    loaded = wrk(server.url, script, CLIENTS, args.duration)
                    single = wrk(server.url, script, 1, args.duration // 2)
                    results[name]["rps"].append(loaded["rps"])
                    results[name]["p50_ms"].append(single["p50_ms"])
    on_rps = statistics.median(results["on"]["rps"])
    off_rps = statistics.median(results["off"]["rps"])
    on_p50 = statistics.median(results["on"]["p50_ms"])
    off_p50 = statistics.median(results["off"]["p50_ms"])
    print(f"chain-rule, {CLIENTS} clients, median of {args.rounds} interleaved rounds (wrk)")
    rps_ratio, p50_ratio = on_rps / off_rps, on_p50 / off_p50
    print(f"  throughput     on {on_rps:8.1f}/s  off {off_rps:8.1f}/s  ratio {rps_ratio:.3f}")
    print(f"  p50, 1 client  on {on_p50:6.2f} ms  off {off_p50:6.2f} ms  ratio {p50_ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
