"""POST /api/v1/batch: independent runs and checks, in request order, on the worker pool."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.sandbox.limits import Limits
from app.schemas import RunResult
from app.schemas_grading import CheckResult
from tests.api.live_server import LiveServer, live_server
from tests.unit.grading.oracle import value_of
from tests.unit.grading.scripted_jobs import CRASH_MARKER, REFERENCE_CRASH_MARKER, SLEEP_MARKER

PROGRAM = """\
import torch
x = torch.ones(2, 2, requires_grad=True)
out = ((x + 2) * (x + 2) * 3).mean()
out.backward()
print(x.grad)
"""
FOREVER = "n = 0\nwhile True:\n    n = n + 1\n"


def check_item(source: str = PROGRAM) -> dict[str, Any]:
    return {
        "kind": "check",
        "source": source,
        "checks": [{"expr": "x.grad", "expected": value_of(PROGRAM, "x.grad")}],
    }


def run_item(source: str = PROGRAM) -> dict[str, Any]:
    return {"kind": "run", "source": source, "include": []}


def without_timing(result: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key != "timing_ms"}


def test_results_come_in_request_order_and_match_the_single_endpoints(
    client: httpx.Client,
) -> None:
    items = [
        check_item(),
        run_item(),
        check_item(PROGRAM.replace("* 3", "* 2")),
        run_item("import torch\nprint(torch.arange(3))\n"),
        {**check_item(), "seed": 4, "reference": PROGRAM, "checks": [{"expr": "x.grad"}]},
    ]
    response = client.post("/api/v1/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == len(items)
    for item, result in zip(items, results, strict=True):
        body = {key: value for key, value in item.items() if key != "kind"}
        if item["kind"] == "run":
            RunResult.model_validate(result)
            single = client.post("/api/v1/run", json=body).json()
            assert without_timing(result) == without_timing(single)
        else:
            CheckResult.model_validate(result)
            assert result == client.post("/api/v1/check", json=body).json()
    assert [r.get("score") for r in results] == [1.0, None, 0.0, None, 1.0]


def test_more_items_than_the_cap_get_422(client: httpx.Client, server: LiveServer) -> None:
    cap = server.app.state.settings.batch_max_items
    assert cap == 50
    too_many = {"items": [run_item("x = 1\n")] * (cap + 1)}
    response = client.post("/api/v1/batch", json=too_many)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "items"]


@pytest.mark.parametrize(
    "body",
    [
        {"items": []},
        {"items": [{"kind": "compile", "source": "x = 1"}]},
        {"items": [{"source": "x = 1"}]},
        {"items": [{"kind": "check", "source": "x = 1", "checks": [{"expr": "x"}]}]},
    ],
    ids=["empty", "unknown-kind", "no-kind", "check-without-expected"],
)
def test_malformed_batches_get_422(client: httpx.Client, body: dict[str, Any]) -> None:
    assert client.post("/api/v1/batch", json=body).status_code == 422


@pytest.fixture(scope="module")
def impatient_server() -> Iterator[LiveServer]:
    """A tiny time limit (and no step limit to hit first): an endless loop times out quickly."""
    limits = Limits(seconds=0.5, steps=10**12)
    settings = Settings(workers=2, queue_size=16, deadline_grace_seconds=0.5, limits=limits)
    with live_server(settings) as live:
        yield live


def test_a_timed_out_item_in_the_middle_does_not_affect_the_others(
    impatient_server: LiveServer,
) -> None:
    items = [
        check_item(),
        run_item(),
        check_item(FOREVER),
        run_item(FOREVER),
        check_item(),
        run_item(),
    ]
    with impatient_server.client() as client:
        response = client.post("/api/v1/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["ok"] for result in results] == [True, True, False, False, True, True]
    timed_out_check, timed_out_run = results[2], results[3]
    assert timed_out_check["run"]["error"]["type"] == "Timeout"
    assert timed_out_check["results"][0]["passed"] is False
    assert "Timeout" in timed_out_check["results"][0]["message"]
    assert timed_out_check["grader_error"] is None
    assert timed_out_run["error"]["type"] == "Timeout"
    for ok_check in (results[0], results[4]):
        assert ok_check["score"] == 1.0
    for ok_run in (results[1], results[5]):
        assert ok_run["stdout"] == results[1]["stdout"] != ""


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[LiveServer]:
    """Two workers running jobs that may crash or sleep on request (see scripted_jobs)."""
    settings = Settings(workers=2, queue_size=16)
    with live_server(settings, jobs_module="tests.unit.grading.scripted_jobs") as live:
        yield live


def test_a_crashed_worker_fails_only_its_own_item(scripted_server: LiveServer) -> None:
    items = [
        check_item(),
        check_item(PROGRAM + CRASH_MARKER + "\n"),
        run_item(PROGRAM + CRASH_MARKER + "\n"),
        check_item(),
        run_item(),
    ]
    with scripted_server.client() as client:
        response = client.post("/api/v1/batch", json={"items": items})
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        # The pool replaced the dead workers: the next request is served normally.
        after = client.post("/api/v1/batch", json={"items": [check_item()]})
    assert [result["ok"] for result in results] == [True, False, False, True, True]
    crashed_check, crashed_run = results[1], results[2]
    CheckResult.model_validate(crashed_check)
    assert crashed_check["run"]["error"]["type"] == "WorkerCrashed"
    assert crashed_check["results"][0]["passed"] is False
    assert crashed_check["results"][0]["expected"] == value_of(PROGRAM, "x.grad")
    assert crashed_run["error"]["type"] == "WorkerCrashed"
    assert results[0]["score"] == results[3]["score"] == 1.0
    assert after.json()["results"][0]["score"] == 1.0


def test_a_crash_while_the_reference_runs_is_the_graders_error(
    scripted_server: LiveServer,
) -> None:
    body = {
        "source": PROGRAM + "print('student ran')\n",
        "reference": PROGRAM + REFERENCE_CRASH_MARKER + "\n",
        "checks": [{"expr": "x.grad"}],
    }
    with scripted_server.client() as client:
        plain = client.post("/api/v1/check", json=body)
        prairielearn = client.post("/api/v1/check", json=body, params={"format": "prairielearn"})
        after = client.post("/api/v1/batch", json={"items": [check_item()]})
    assert plain.status_code == 200, plain.text
    result = plain.json()
    CheckResult.model_validate(result)
    assert result["grader_error"]["source"] == "reference"
    assert result["grader_error"]["type"] == "WorkerCrashed"
    # The student's program had run to the end; its output is kept.
    assert result["run"]["ok"] is True and result["run"]["error"] is None
    assert result["run"]["stdout"].endswith("student ran\n")
    assert "not a problem with your program" in result["results"][0]["message"]
    assert prairielearn.json()["gradable"] is False
    assert after.json()["results"][0]["score"] == 1.0


def test_items_run_in_parallel_on_the_workers(scripted_server: LiveServer) -> None:
    # Four items that each hold a worker for a second: two workers need about two seconds,
    # one at a time would need four.
    items = [check_item(PROGRAM + SLEEP_MARKER + "\n") for _ in range(4)]
    with scripted_server.client() as client:
        started = time.monotonic()
        response = client.post("/api/v1/batch", json={"items": items})
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert [result["score"] for result in response.json()["results"]] == [1.0] * 4
    assert elapsed < 3.5
