"""Fixtures: live servers with real warm workers (shared per module where settings allow)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.sandbox.limits import Limits
from tests.api.live_server import LiveServer, live_server


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    """A server with two workers and default limits, shared by the whole session."""
    with live_server(Settings(workers=2, queue_size=64, limits=Limits())) as live:
        yield live


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as http:
        yield http
