"""A live server (HTTP → real worker processes) and canaries no hostile program may touch."""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.server_process import serve_app

ROOT = Path(__file__).resolve().parents[2]


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
    env = {
        "PLAYGROUND_WORKERS": "2",
        "PLAYGROUND_LIMITS__SECONDS": "2",
        # The run's cost budget scaled to its deadline like the default's (4·10⁹ for 5 s), so
        # that programs aimed at run_cost meet it before the 2 s deadline on a loaded machine.
        "PLAYGROUND_LIMITS__RUN_COST": "1600000000",
        "PLAYGROUND_DEADLINE_GRACE_SECONDS": "1",
        "PLAYGROUND_QUEUE_SIZE": "64",
        **(extra_env or {}),
    }
    with serve_app(env) as server:
        yield LiveServer(server.url, server.process, float(env["PLAYGROUND_LIMITS__SECONDS"]))


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """The real app with two workers and a short deadline, shared by the security tests."""
    with serve() as server:
        yield server
