"""GET /healthz and /readyz."""

from __future__ import annotations

import os
import signal
import socket
import time

import httpx
import pytest

from app.config import Settings
from app.workers.zygote_client import ZygoteClient, ZygoteError
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


def test_readyz_is_503_while_no_worker_can_take_a_job_and_runs_get_503_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Issue 13: workers were lost for good while /readyz kept saying ready and requests hung.
    settings = Settings(workers=1, queue_timeout_seconds=0.5)
    fake = "tests.unit.workers.fake_jobs"
    with live_server(settings, jobs_module=fake) as server, server.client() as client:
        assert client.get("/readyz").status_code == 200

        async def refuse(self: ZygoteClient, worker_socket: socket.socket) -> int:
            worker_socket.close()
            raise ZygoteError("fork refused by the test")

        original = ZygoteClient.fork
        monkeypatch.setattr(ZygoteClient, "fork", refuse)
        (pid,) = server.pool.worker_pids
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while (r := client.get("/readyz")).status_code == 200:
            assert time.monotonic() < deadline, "readyz still says ready"
            time.sleep(0.02)
        assert r.status_code == 503
        body = r.json()
        assert body.pop("request_id")  # every error body names its request (issue 19)
        assert body == {"status": "unavailable", "workers": 0}
        assert r.headers["retry-after"]
        started = time.monotonic()
        run = client.post("/api/v1/run", json={"source": "x = 1"})
        assert run.status_code == 503, run.text
        assert run.headers["content-type"] == "application/problem+json"
        assert int(run.headers["retry-after"]) >= 1
        assert "0.5 seconds" in run.json()["detail"]
        assert time.monotonic() - started < 5
        monkeypatch.setattr(ZygoteClient, "fork", original)
        deadline = time.monotonic() + 15
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the pool did not recover"
            time.sleep(0.05)
