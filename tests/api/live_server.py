"""A real uvicorn server with real worker processes, on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app
from app.workers import WorkerPool

READY_TIMEOUT_SECONDS = 120.0


@dataclass
class LiveServer:
    """A running server: its base URL and the app (to reach the pool in tests)."""

    url: str
    app: FastAPI

    @property
    def pool(self) -> WorkerPool:
        pool: WorkerPool = self.app.state.pool
        return pool

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def live_server(
    settings: Settings, jobs_module: str = "app.workers.jobs", wait_ready: bool = True
) -> Iterator[LiveServer]:
    """Serve `create_app(settings)` until the block ends, then shut down gracefully."""
    port = free_port()
    app = create_app(settings.model_copy(update={"host": "127.0.0.1", "port": port}), jobs_module)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{port}", app)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not server.started:
            assert thread.is_alive(), "the server thread died"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        if wait_ready:
            with live.client() as client:
                while client.get("/readyz").status_code != 200:
                    assert live.pool.start_error is None, live.pool.start_error
                    assert time.monotonic() < deadline, "the workers did not get warm"
                    time.sleep(0.05)
        yield live
    finally:
        server.should_exit = True
        thread.join(timeout=30)
