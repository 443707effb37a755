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
DOCUMENTED_ERRORS = re.compile(r"^(SyntaxError|SandboxViolation|LimitExceeded|Timeout|[A-Z]\w*Error)$")
REFUSALS = {"SyntaxError", "SandboxViolation"}
STOPS = {"LimitExceeded", "Timeout"}
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
SERVER_PATH = re.compile(r"(/work/|/usr/lib/|site-packages|\.py\", line)")

_outcomes: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def write_summary() -> Iterator[None]:
    """Write the figures SECURITY.md reports once the corpus has run."""
    yield
    if not _outcomes:
        return
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    summary = {"tried": sum(_outcomes[k] for k in _outcomes if not k.startswith("_")), **_outcomes}
    (out / "security-corpus.json").write_text(json.dumps(summary, indent=2, sort_keys=True))


def _classify(error: dict[str, Any] | None) -> str:
    if error is None:
        return "ran"
    if error["type"] in REFUSALS:
        return "refused"
    if error["type"] == "Timeout" and error.get("limit") == "watchdog":
        return "killed"
    if error["type"] in STOPS:
        return "stopped"
    return "error"


@pytest.mark.parametrize("program", CORPUS, ids=[p.id for p in CORPUS])
def test_hostile_program_is_refused_or_bounded(
    program: HostileProgram, live_server: LiveServer, canaries: Canaries
) -> None:
    source = canaries.fill(program.source)
    started = time.monotonic()
    response = httpx.post(
        live_server.url + "/api/v1/run", json={"source": source, "seed": 0}, timeout=30
    )
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 413), response.text
    text = response.text
    assert canaries.secret not in text
    assert not canaries.canary_path.exists()
    assert canaries.connections == []
    assert elapsed < live_server.deadline_seconds + 8, f"took {elapsed:.1f} s"
    if response.status_code == 413:
        _outcomes["refused"] += 1
        assert program.expect in ("refuse", "stop", "limit", "bounded")
        return
    result = response.json()
    error = result["error"]
    outcome = _classify(error)
    _outcomes[outcome] += 1
    if error is not None:
        assert DOCUMENTED_ERRORS.match(error["type"]), error
        assert error["type"] != "InternalError", error
        assert error["message"] and "\n  File " not in error["message"], error
        assert not ADDRESS.search(error["message"]), error
        assert not SERVER_PATH.search(error["message"]), error
    assert not ADDRESS.search(result["stdout"]), result["stdout"]
    if program.expect == "run":
        assert result["ok"], error
    elif program.expect == "refuse":
        assert error is not None and error["type"] in REFUSALS, (error, result["stdout"][:200])
        assert error["line"] is not None and error["message"].endswith("."), error
    elif program.expect == "limit":
        assert error is not None and error["type"] in STOPS, (error, result["stdout"][:200])
        assert error["limit"], error
    elif program.expect == "stop":
        assert error is not None and error["type"] in REFUSALS | STOPS, error


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
    assert response.json()["variables"]["x"]["grad"] == x.grad.tolist()
    assert httpx.get(live_server.url + "/healthz", timeout=5).status_code == 200
