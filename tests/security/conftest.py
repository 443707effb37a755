"""A live server (HTTP → real worker processes) and canaries no hostile program may touch."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Canaries:
    """A secret that must never appear in an answer, a path never created, a port never hit."""

    secret_path: Path
    secret: str
    canary_path: Path
    port: int
    connections: list[str] = field(default_factory=list)

    def fill(self, source: str) -> str:
        return (
            source.replace("{SECRET}", str(self.secret_path))
            .replace("{CANARY}", str(self.canary_path))
            .replace("{PORT}", str(self.port))
        )


@pytest.fixture(scope="session")
def canaries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Canaries]:
    folder = tmp_path_factory.mktemp("canaries")
    secret = "SECRET-" + secrets.token_hex(16)
    secret_path = folder / "secret.txt"
    secret_path.write_text(secret)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    found = Canaries(secret_path, secret, folder / "pwned", int(listener.getsockname()[1]))
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, addr = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            found.connections.append(str(addr))
            conn.close()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=2)
    listener.close()


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    deadline_seconds: float


@contextlib.contextmanager
def serve(extra_env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """Run the real app (two workers, 2 s deadline unless overridden) until the block ends."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "PLAYGROUND_WORKERS": "2",
            "PLAYGROUND_LIMITS__SECONDS": "2",
            "PLAYGROUND_DEADLINE_GRACE_SECONDS": "1",
            "PLAYGROUND_QUEUE_SIZE": "64",
            **(extra_env or {}),
        }
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while time.monotonic() - started < 90:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError("the server exited while starting")
            time.sleep(0.2)
        else:
            raise RuntimeError("the server did not become ready within 90 s")
        yield LiveServer(url, process, float(env["PLAYGROUND_LIMITS__SECONDS"]))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The real app with two workers and a short deadline, shared by the security tests."""
    with serve() as server:
        yield server
