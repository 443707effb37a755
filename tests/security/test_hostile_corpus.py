"""Every hostile program against the real server: refused or bounded, nothing gets out."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security.conftest import Canaries, LiveServer
from tests.security.corpus import CORPUS, HostileProgram

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTED_ERRORS = re.compile(
    r"^(SyntaxError|SandboxViolation|LimitExceeded|Timeout|[A-Z]\w*Error)$"
)
# CPython reports bad indentation as SyntaxError subclasses; the sandbox names them the same way.
REFUSALS = {"SyntaxError", "IndentationError", "TabError", "SandboxViolation"}
STOPS = {"LimitExceeded", "Timeout"}
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
SERVER_PATH = re.compile(r"(/work/|/usr/lib/|site-packages|\.py\", line)")

_outcomes: Counter[str] = Counter()
# Ids per kind of failure, for the figures: a hang, an escape (canary touched), a leak (an
# address, a server path or a traceback in an answer), an undocumented error, a wrong outcome.
_failures: dict[str, list[str]] = {}


@pytest.fixture(scope="module", autouse=True)
def write_summary() -> Iterator[None]:
    """Write the figures SECURITY.md reports once the corpus has run."""
    yield
    if not _outcomes:
        return
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    summary: dict[str, Any] = {
        "tried": sum(_outcomes.values()),
        **_outcomes,
        "by_category": dict(Counter(p.category for p in CORPUS)),
        "failures": {kind: sorted(ids) for kind, ids in sorted(_failures.items())},
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "security-corpus.json").write_text(json.dumps(summary, indent=2, sort_keys=True))


def _classify(error: dict[str, Any] | None) -> str:
    if error is None:
        return "ran"
    if error["type"] in REFUSALS:
        return "refused"
    # The pool's watchdog answers for a worker it killed: no line (the worker never reported).
    if error["type"] == "Timeout" and error.get("line") is None:
        return "killed"
    if error["type"] in STOPS:
        return "stopped"
    if error["type"] == "WorkerCrashed":
        return "worker_crashed"
    return "error"


def _check(kind: str, program: HostileProgram, condition: bool, detail: object) -> None:
    if not condition:
        _failures.setdefault(kind, []).append(program.id)
        raise AssertionError(f"{kind}: {detail}")


@pytest.mark.parametrize("program", CORPUS, ids=[p.id for p in CORPUS])
def test_hostile_program_is_refused_or_bounded(
    program: HostileProgram, live_server: LiveServer, canaries: Canaries
) -> None:
    source = canaries.fill(program.source)
    started = time.monotonic()
    try:
        response = httpx.post(
            live_server.url + "/api/v1/run", json={"source": source, "seed": 0}, timeout=30
        )
    except httpx.TimeoutException:
        _check("hang", program, False, "no answer within 30 s")
        raise
    elapsed = time.monotonic() - started
    _check("service_error", program, response.status_code in (200, 413), response.text[:300])
    text = response.text
    _check("escape", program, canaries.secret not in text, "the secret is in the answer")
    _check("escape", program, not canaries.canary_path.exists(), "the canary file exists")
    _check("escape", program, canaries.connections == [], canaries.connections)
    _check("hang", program, elapsed < live_server.deadline_seconds + 8, f"took {elapsed:.1f} s")
    if response.status_code == 413:
        _outcomes["refused"] += 1
        _check("expectation", program, program.expect != "run", "a control was refused")
        return
    result = response.json()
    error = result["error"]
    outcome = _classify(error)
    _outcomes[outcome] += 1
    if error is not None:
        message = error["message"]
        _check("undocumented_error", program, bool(DOCUMENTED_ERRORS.match(error["type"])), error)
        _check("undocumented_error", program, error["type"] != "InternalError", error)
        _check("leak", program, bool(message) and "\n  File " not in message, error)
        _check("leak", program, not ADDRESS.search(message), error)
        _check("leak", program, not SERVER_PATH.search(message), error)
    _check("leak", program, not ADDRESS.search(result["stdout"]), result["stdout"][:300])
    # Every byte of an answer is budgeted (issue 13): none is longer than limits.result_bytes.
    budget = result["limits"].get("result_bytes")
    _check("amplification", program, budget is None or len(response.content) <= budget, budget)
    if program.expect == "run":
        _check("expectation", program, result["ok"], error)
    elif program.expect == "refuse":
        refused = error is not None and error["type"] in REFUSALS and error["line"] is not None
        _check("expectation", program, refused, (error, result["stdout"][:200]))
        if error["type"] == "SandboxViolation":
            _check("expectation", program, message.endswith("."), error)
    elif program.expect == "limit" and program.limit is not None:
        # Aimed at one named limit: that one stops it, not the deadline nor a kill.
        named = error is not None and (error["type"], error["limit"]) == (
            "LimitExceeded",
            program.limit,
        )
        _check("expectation", program, named, (error, result["stdout"][:200]))
    elif program.expect == "limit":
        stopped = error is not None and error["type"] in STOPS and bool(error["limit"])
        _check("expectation", program, stopped, (error, result["stdout"][:200]))
    elif program.expect == "stop":
        stopped = error is not None and error["type"] in REFUSALS | STOPS
        _check("expectation", program, stopped, error)


def test_server_still_answers_honestly_after_the_corpus(live_server: LiveServer) -> None:
    import torch

    x = torch.ones(2, 2, requires_grad=True)
    (((x + 2) * (x + 2) * 3).mean()).backward()
    source = (
        "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
        "z = y * y * 3\nout = z.mean()\nout.backward()\n"
    )
    response = httpx.post(live_server.url + "/api/v1/run", json={"source": source}, timeout=30)
    assert response.status_code == 200, response.text
    assert x.grad is not None
    assert response.json()["variables"]["x"]["grad"] == x.grad.tolist()
    assert httpx.get(live_server.url + "/healthz", timeout=5).status_code == 200
