"""The service under stress: deadlines, killed workers, full queues, concurrency, rate limits."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from app.config import Settings
from app.examples import get_example
from app.sandbox.limits import Limits
from tests.api.live_server import LiveServer, live_server
from tests.api.oracle import assert_same_values, run_with_torch

# One matmul chain of 3000² matrices: seconds of single-threaded torch in one call, which only a
# watchdog outside the worker can stop.
# One torch call of several seconds even on a quiet machine (12 matmuls of 3000²).
LONG_TORCH_CALL = "import torch\na = torch.ones(3000, 3000)\nb = " + " @ ".join(["a"] * 13) + "\n"
ENDLESS_LOOP = "x = 0\nwhile True:\n    x = x + 1\n"
RANDOM_GRAD = "import torch\nx = torch.randn(4, requires_grad=True)\ny = (x * x * x).sum()\n"


def chain_rule() -> str:
    example = get_example("chain-rule")
    assert example is not None
    return example.source


@pytest.fixture(scope="module")
def tight() -> Iterator[LiveServer]:
    """One worker, a half-second deadline, and op limits high enough for a long torch call."""
    limits = Limits(
        seconds=0.5, op_cost=10**12, run_cost=10**13, tensor_elements=10**7, steps=10**8
    )
    settings = Settings(workers=1, queue_size=16, deadline_grace_seconds=0.5, limits=limits)
    with live_server(settings) as live:
        yield live


def busy_worker(server: LiveServer, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [w.pid for w in list(server.pool._workers) if w.busy]
        if busy:
            return busy[0]
        time.sleep(0.005)
    raise AssertionError("no worker became busy")


def test_endless_loop_is_a_timeout_and_the_next_request_is_normal(tight: LiveServer) -> None:
    with tight.client() as client:
        r = client.post("/api/v1/run", json={"source": ENDLESS_LOOP})
        assert r.status_code == 200, r.text
        assert r.json()["error"]["type"] == "Timeout"
        started = time.monotonic()
        nxt = client.post("/api/v1/run", json={"source": chain_rule()})
        assert nxt.status_code == 200, nxt.text
        assert nxt.json()["ok"], nxt.json()["error"]
        assert time.monotonic() - started < 2.0


def test_long_torch_call_is_killed_by_the_watchdog(tight: LiveServer) -> None:
    with tight.client() as client:
        before = tight.pool.worker_pids
        started = time.monotonic()
        r = client.post("/api/v1/run", json={"source": LONG_TORCH_CALL})
        elapsed = time.monotonic() - started
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["ok"] is False
        assert result["error"]["type"] == "Timeout"
        assert result["error"]["limit"] == "seconds"
        assert elapsed < 3.0
        nxt = client.post("/api/v1/run", json={"source": chain_rule()})
        assert nxt.json()["ok"], nxt.text
        assert tight.pool.worker_pids != before  # the overrunning worker was replaced


def test_a_watchdog_kill_during_the_reference_is_the_graders_error(tight: LiveServer) -> None:
    # The reference's one long torch call outlives the job's deadline: the watchdog kills the
    # worker while the reference runs. The student is not to blame (issue 13).
    body = {
        "source": "x = 2\nprint('mine')\n",
        "reference": LONG_TORCH_CALL + "x = 2\n",
        "checks": [{"expr": "x"}],
    }
    with tight.client() as client:
        r = client.post("/api/v1/check", json=body, params={"format": "prairielearn"})
        plain = client.post("/api/v1/check", json=body)
    assert r.status_code == 200, r.text
    prairielearn = r.json()
    assert prairielearn["gradable"] is False
    assert "Your program stopped" not in prairielearn["message"]
    assert "reference" in prairielearn["message"] and "Timeout" in prairielearn["message"]
    result = plain.json()
    assert result["grader_error"]["type"] == "Timeout"
    assert result["grader_error"]["source"] == "reference"
    assert result["run"]["ok"] is True and result["run"]["stdout"] == "mine\n"


def test_a_watchdog_kill_during_the_students_program_is_the_students(tight: LiveServer) -> None:
    body = {"source": LONG_TORCH_CALL, "reference": "b = 1\n", "checks": [{"expr": "b"}]}
    with tight.client() as client:
        r = client.post("/api/v1/check", json=body, params={"format": "prairielearn"})
        plain = client.post("/api/v1/check", json=body)
    assert r.json()["gradable"] is True
    assert r.json()["message"].startswith("Your program stopped with Timeout")
    assert plain.json()["grader_error"] is None
    assert plain.json()["run"]["error"]["type"] == "Timeout"


def test_killing_a_worker_mid_run_loses_only_that_run(tight: LiveServer) -> None:
    answers: dict[str, httpx.Response] = {}

    def post(key: str, source: str) -> None:
        with tight.client() as client:
            answers[key] = client.post("/api/v1/run", json={"source": source})

    victim = threading.Thread(target=post, args=("victim", LONG_TORCH_CALL))
    victim.start()
    pid = busy_worker(tight)
    # Queued behind the victim on the only worker: must be served by its replacement.
    others = [threading.Thread(target=post, args=(f"other{i}", chain_rule())) for i in range(3)]
    for thread in others:
        thread.start()
    time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    for thread in [victim, *others]:
        thread.join(timeout=30)
    error = answers["victim"].json()["error"]
    assert error["type"] == "WorkerCrashed", error
    assert "crashed" in error["message"]
    for i in range(3):
        r = answers[f"other{i}"]
        assert r.status_code == 200, r.text
        assert r.json()["ok"], r.text


def test_nothing_carries_over_between_runs_in_one_worker(tight: LiveServer) -> None:
    # Same worker every time: a run that draws random numbers and prints must not change the next.
    probe = {"source": RANDOM_GRAD + "print(torch.randn(2))\n", "seed": 1}
    disturb = {"source": RANDOM_GRAD + "y.backward()\nprint(torch.rand(5))\n", "seed": 7}
    with tight.client() as client:
        first = client.post("/api/v1/run", json=probe).json()
        assert client.post("/api/v1/run", json=disturb).json()["ok"]
        again = client.post("/api/v1/run", json=probe).json()
    assert first["ok"], first["error"]
    first.pop("timing_ms")
    again.pop("timing_ms")
    assert json.dumps(first) == json.dumps(again)


def test_32_concurrent_requests_all_come_back_correct(server: LiveServer) -> None:
    async def main() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            return await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/run",
                        json={
                            "source": RANDOM_GRAD,
                            "seed": seed,
                            "backward": {"output": "y"},
                            "include": [] if seed % 2 else None,
                        },
                    )
                    for seed in range(32)
                )
            )

    responses = asyncio.run(main())
    for seed, r in enumerate(responses):
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["ok"], result["error"]
        oracle = run_with_torch(RANDOM_GRAD + "y.backward()\n", seed=seed)
        assert_same_values(result["variables"]["x"]["grad"], oracle["x"].grad)
        assert_same_values(result["variables"]["x"]["value"], oracle["x"])


def test_a_full_queue_answers_503_with_retry_after() -> None:
    settings = Settings(workers=1, queue_size=1, limits=Limits(seconds=1.0, steps=10**8))
    with live_server(settings) as server:
        answers: dict[str, httpx.Response] = {}

        def post(key: str) -> None:
            with server.client() as client:
                answers[key] = client.post("/api/v1/run", json={"source": ENDLESS_LOOP})

        running = threading.Thread(target=post, args=("running",))
        running.start()
        busy_worker(server)
        waiting = threading.Thread(target=post, args=("waiting",))
        waiting.start()
        deadline = time.monotonic() + 5
        while server.pool.waiting < 1:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        with server.client() as client:
            r = client.post("/api/v1/run", json={"source": "x = 1"})
        assert r.status_code == 503, r.text
        assert int(r.headers["retry-after"]) >= 1
        running.join(timeout=30)
        waiting.join(timeout=30)
        assert answers["running"].json()["error"]["type"] == "Timeout"
        assert answers["waiting"].json()["error"]["type"] == "Timeout"


def test_runs_per_worker_1_gives_every_run_a_fresh_process() -> None:
    with live_server(Settings(workers=1, runs_per_worker=1)) as server, server.client() as client:
        forked = server.pool.started_workers
        for _ in range(3):
            r = client.post("/api/v1/run", json={"source": chain_rule(), "include": []})
            assert r.json()["ok"], r.text
        time.sleep(0.3)
        assert server.pool.started_workers == forked + 3


@pytest.fixture(scope="module")
def limited() -> Iterator[LiveServer]:
    """Rate limit 3/min and CORS for one origin; jobs never reach torch."""
    settings = Settings(workers=1, rate_limit_per_minute=3, cors_origins=["http://course.test"])
    with live_server(settings, jobs_module="tests.unit.workers.fake_jobs") as live:
        yield live


def test_rate_limit_answers_429_with_retry_after(limited: LiveServer) -> None:
    with limited.client() as client:
        statuses = [client.get("/api/v1/examples").status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        r = client.get("/api/v1/examples")
        assert r.status_code == 429, r.text
        assert 1 <= int(r.headers["retry-after"]) <= 61
        assert client.get("/healthz").status_code == 200  # probes are not rate limited


def test_cors_allows_only_the_configured_origin(limited: LiveServer, server: LiveServer) -> None:
    with limited.client() as client:
        r = client.get("/healthz", headers={"origin": "http://course.test"})
        assert r.headers["access-control-allow-origin"] == "http://course.test"
        other = client.get("/healthz", headers={"origin": "http://evil.test"})
        assert "access-control-allow-origin" not in other.headers
    with server.client() as client:
        off = client.get("/healthz", headers={"origin": "http://course.test"})
        assert "access-control-allow-origin" not in off.headers
