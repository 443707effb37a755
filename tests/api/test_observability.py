"""What operators see: /metrics, request ids, structured run and access logs."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.config import Settings
from app.sandbox.limits import Limits
from app.telemetry.logs import TextFormatter, json_formatter
from tests.api.live_server import LiveServer, live_server

CHAIN_RULE = (
    "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
    "z = y * y * 3\nout = z.mean()\nout.backward()\nprint(x.grad)\n"
)
ENDLESS = "x = 0\nwhile True:\n    x = x + 1\n"
FORBIDDEN = "import os\n"
SLEEPY = "import torch\na = torch.ones(1500, 1500)\nfor i in range(40):\n    b = a @ a\n"
# One torch call of seconds: only the watchdog outside the worker can stop it (a kill).
LONG_TORCH_CALL = "import torch\na = torch.ones(3000, 3000)\nb = a @ a @ a @ a\n"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    limits = Limits(seconds=0.5, op_cost=10**12, run_cost=10**13, tensor_elements=10**7)
    settings = Settings(
        workers=2,
        queue_size=8,
        deadline_grace_seconds=0.3,
        trusted_proxies=["127.0.0.1"],
        limits=limits,
    )
    with live_server(settings) as live:
        yield live


def scrape(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics as {(name, sorted labels): value}, parsed by the client library."""
    with server.client() as client:
        r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_parse_and_count_outcomes_of_each_kind(server: LiveServer) -> None:
    before = scrape(server)
    with server.client() as client:
        assert client.post("/api/v1/run", json={"source": CHAIN_RULE}).json()["ok"]
        # The step limit or the deadline, whichever comes first: both are counted below.
        endless = client.post("/api/v1/run", json={"source": ENDLESS}).json()
        assert endless["error"]["type"] in {"LimitExceeded", "Timeout"}
        refused = client.post("/api/v1/run", json={"source": FORBIDDEN}).json()
        assert refused["error"]["type"] == "SandboxViolation"
    after = scrape(server)
    run = "playground_runs_total"
    assert value(after, run, kind="run", outcome="ok", limit="") == (
        value(before, run, kind="run", outcome="ok", limit="") + 1
    )
    assert value(after, run, kind="run", outcome="SandboxViolation", limit="") == (
        value(before, run, kind="run", outcome="SandboxViolation", limit="") + 1
    )
    stopped = sum(
        v - before.get(k, 0.0)
        for k, v in after.items()
        if k[0] == run and dict(k[1])["outcome"] in {"Timeout", "LimitExceeded"}
    )
    assert stopped == 1
    requests = "playground_http_requests_total"
    assert value(after, requests, route="/api/v1/run", method="POST", status="200") == (
        value(before, requests, route="/api/v1/run", method="POST", status="200") + 3
    )
    assert value(after, "playground_queue_depth") == 0
    assert (
        value(after, "playground_workers", state="idle")
        + value(after, "playground_workers", state="busy")
        == 2
    )
    assert value(after, "playground_process_resident_bytes", process="web") > 10e6
    assert value(after, "playground_process_resident_bytes", process="worker_max") > 10e6
    build = [k for k in after if k[0] == "playground_build_info"]
    assert build and dict(build[0][1])["torch_version"].startswith("2.13")


def test_a_timeout_and_a_crash_are_counted_with_the_worker_replacements(
    server: LiveServer,
) -> None:
    before = scrape(server)
    with server.client() as client:
        r = client.post("/api/v1/run", json={"source": LONG_TORCH_CALL})
        assert r.json()["error"]["type"] == "Timeout", r.text
        # A worker killed from outside mid-run: its request fails, the pool replaces it.
        answer: dict = {}
        thread = threading.Thread(
            target=lambda: answer.update(client.post("/api/v1/run", json={"source": SLEEPY}).json())
        )
        thread.start()
        deadline = time.monotonic() + 10
        while not [w for w in server.pool._workers if w.busy]:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(next(w.pid for w in server.pool._workers if w.busy), signal.SIGKILL)
        thread.join(30)
        assert answer["error"]["type"] == "WorkerCrashed"
    deadline = time.monotonic() + 10
    while len(server.pool.worker_pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    after = scrape(server)
    run = "playground_runs_total"
    for outcome, limit in (("Timeout", "seconds"), ("WorkerCrashed", "")):
        assert value(after, run, kind="run", outcome=outcome, limit=limit) == (
            value(before, run, kind="run", outcome=outcome, limit=limit) + 1
        ), outcome
    replaced = "playground_worker_replacements_total"
    assert value(after, replaced, reason="timeout") == value(before, replaced, reason="timeout") + 1
    assert value(after, replaced, reason="crash") == value(before, replaced, reason="crash") + 1


def test_request_id_round_trips_through_header_error_body_and_log(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="autograd_playground")
    with server.client() as client:
        # From a trusted proxy (127.0.0.1 here), its id is kept.
        r = client.post(
            "/api/v1/run", json={"source": CHAIN_RULE}, headers={"X-Request-ID": "lab-14-02-abc"}
        )
        assert r.headers["x-request-id"] == "lab-14-02-abc"
        # An invalid body: the 422 carries the same id in its body.
        bad = client.post("/api/v1/run", json={"nope": 1}, headers={"X-Request-ID": "lab-422"})
        assert bad.status_code == 422
        assert bad.headers["x-request-id"] == "lab-422"
        assert bad.json()["request_id"] == "lab-422"
        # An id that could break a log line is replaced by a fresh one.
        odd = client.get("/healthz", headers={"X-Request-ID": "a b\tc"})
        assert odd.headers["x-request-id"] != "a b\tc"
        assert len(odd.headers["x-request-id"]) == 32
    runs = [rec for rec in caplog.records if rec.name == "autograd_playground.run"]
    assert any(getattr(rec, "request_id", None) == "lab-14-02-abc" for rec in runs)
    mine = next(rec for rec in runs if getattr(rec, "request_id", None) == "lab-14-02-abc")
    assert mine.outcome == "ok" and mine.kind == "run" and mine.route == "/api/v1/run"
    assert mine.run_ms > 0 and mine.result_bytes > 1000
    access = [rec for rec in caplog.records if rec.name == "autograd_playground.access"]
    assert any(
        getattr(rec, "request_id", None) == "lab-422" and rec.status == 422 for rec in access
    )


def test_a_proxy_that_is_not_trusted_cannot_choose_the_id() -> None:
    with live_server(Settings(workers=1, queue_size=2)) as live, live.client() as client:
        r = client.get("/healthz", headers={"X-Request-ID": "chosen-by-client"})
        assert r.headers["x-request-id"] != "chosen-by-client"
        assert client.get("/metrics").status_code == 200


def test_logs_never_hold_the_programs_source_or_output(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = "secret_student_answer_7731"
    source = f"{marker} = 3\nprint('{marker}')\nundefined_{marker}\n"
    with server.client() as client:
        r = client.post("/api/v1/run", json={"source": source})
        assert marker in r.text  # the answer has it; the logs must not
    assert caplog.records
    for record in caplog.records:
        for formatter in (json_formatter(), TextFormatter()):
            assert marker not in formatter.format(record)


def test_json_log_lines_are_one_object_each(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord("autograd_playground.run", logging.INFO, "", 0, "run", None, None)
    record.request_id = "abc"
    record.outcome = "ok"
    line = json_formatter().format(record)
    document = json.loads(line)
    assert document["request_id"] == "abc" and document["outcome"] == "ok"
    assert document["level"] == "INFO" and document["logger"] == "autograd_playground.run"
    assert "\n" not in line


def test_metrics_can_be_switched_off() -> None:
    settings = Settings(workers=1, queue_size=2, metrics_enabled=False)
    with live_server(settings) as live, live.client() as client:
        assert client.get("/metrics").status_code == 404
        assert client.get("/healthz").status_code == 200
