"""GET /healthz and /readyz."""

from __future__ import annotations

import httpx

from app.config import Settings
from tests.api.live_server import live_server


def test_healthz_answers_while_the_process_lives(client: httpx.Client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok"}


def test_readyz_is_200_once_workers_are_warm(client: httpx.Client) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ready"


def test_readyz_is_503_until_workers_are_warm_while_healthz_is_200() -> None:
    # The zygote needs seconds to import torch: the very first probe comes before that.
    with live_server(Settings(workers=1), wait_ready=False) as server, server.client() as client:
        early = client.get("/readyz")
        assert early.status_code == 503, early.text
        assert early.headers["retry-after"]
        assert client.get("/healthz").status_code == 200
