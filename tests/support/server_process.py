"""The real app in its own process (`uvicorn app.main:app`) on a free loopback port.

Shared by the browser and security tests and by the benchmarks: what they drive, attack or time
runs exactly as `autograd-playground serve` would, with its zygote and workers, and is stopped
(and waited for) when the block ends, also on failure.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class ServerProcess:
    """A running server: its base URL, its process and the environment it was started with."""

    url: str
    process: subprocess.Popen[bytes]
    env: Mapping[str, str]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def serve_app(
    env: Mapping[str, str] | None = None,
    *,
    log: Path | None = None,
    ready_seconds: float = 90.0,
) -> Iterator[ServerProcess]:
    """Serve the app with `env` on top of this process's environment until the block ends.

    Yields once /readyz answers 200 (the workers are warm); output goes to `log` or is dropped.
    """
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "uvicorn", "app.main:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            command, cwd=ROOT, env=full_env, stdout=output, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_ready(url, process, ready_seconds, log)
            yield ServerProcess(url, process, full_env)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait_until_ready(
    url: str, process: subprocess.Popen[bytes], seconds: float, log: Path | None
) -> None:
    where = f"; see {log}" if log else ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited while starting{where}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready within {seconds:g} s{where}")
