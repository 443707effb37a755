"""/run's shortcut (`app.api.run.RunRoute`): a plain valid body skips FastAPI's dependency
solver, and every request — valid, refused or unreadable — gets the answer FastAPI's own handler
gives (the same request sent with the shortcut switched off)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import torch

import app.api.run as run_module
from tests.api.live_server import LiveServer

CHAIN_RULE = (
    "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
    "z = y * y * 3\nout = z.mean()\nout.backward()\n"
)
JSON = "application/json"


def _chain_rule_grad() -> list[list[float]]:
    x = torch.ones(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad is not None
    return x.grad.tolist()


def _body(document: Any) -> bytes:
    return json.dumps(document).encode()


# (name, body, headers as a list: duplicates allowed)
CASES: list[tuple[str, bytes, list[tuple[str, str]]]] = [
    ("full answer", _body({"source": CHAIN_RULE}), [("content-type", JSON)]),
    (
        "every field",
        _body(
            {
                "source": CHAIN_RULE,
                "seed": 5.0,
                "include": ["graph"],
                "backward": {"output": "out", "retain_graph": True},
                "jacobian": {"output": "y", "input": "x"},
            }
        ),
        [("content-type", JSON)],
    ),
    ("program error", _body({"source": "x = 1 / 0"}), [("content-type", JSON)]),
    (
        "charset",
        _body({"source": "print(1)"}),
        [("content-type", "application/json; charset=utf-8")],
    ),
    ("upper case", _body({"source": "print(1)"}), [("content-type", "Application/JSON")]),
    ("+json", _body({"source": "print(1)"}), [("content-type", "application/vnd.api+json")]),
    ("text/plain", _body({"source": "print(1)"}), [("content-type", "text/plain")]),
    ("no content type", _body({"source": "print(1)"}), []),
    (
        "two content types",
        _body({"source": "print(1)"}),
        [("content-type", JSON), ("content-type", "text/plain")],
    ),
    ("empty body", b"", [("content-type", JSON)]),
    ("not UTF-8", b'{"source": "\xff"}', [("content-type", JSON)]),
    ("not JSON", b"[1, 2", [("content-type", JSON)]),
    ("NaN", b'{"source": "x = 1", "seed": NaN}', [("content-type", JSON)]),
    ("a list", _body([{"source": "x = 1"}]), [("content-type", JSON)]),
    ("wrong type", _body({"source": 5}), [("content-type", JSON)]),
    ("string seed", _body({"source": "x = 1", "seed": "5"}), [("content-type", JSON)]),
    ("missing source", _body({"seed": 1}), [("content-type", JSON)]),
    ("extra field", _body({"source": "x = 1", "bogus": 1}), [("content-type", JSON)]),
    ("bad include", _body({"source": "x = 1", "include": ["nope"]}), [("content-type", JSON)]),
    ("program too long", _body({"source": "#" * (65 * 1024)}), [("content-type", JSON)]),
    ("body too long", _body({"source": "#" * (300 * 1024)}), [("content-type", JSON)]),
]


def _comparable(response: httpx.Response) -> tuple[int, str | None, Any]:
    """Status, content type and body, without what differs between two sends of one request."""
    content_type = response.headers.get("content-type")
    try:
        body: Any = response.json()
    except ValueError:
        return response.status_code, content_type, response.text
    if isinstance(body, dict):
        body.pop("timing_ms", None)
        body.pop("request_id", None)
    return response.status_code, content_type, body


def _send(client: httpx.Client, body: bytes, headers: list[tuple[str, str]]) -> httpx.Response:
    return client.post("/api/v1/run", content=body, headers=headers)


@pytest.fixture
def solver_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts FastAPI's dependency solver runs (the live server shares this process)."""
    import fastapi.routing

    calls: list[int] = []
    solve = fastapi.routing.solve_dependencies

    async def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await solve(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    yield calls


def test_a_plain_valid_run_skips_the_dependency_solver(
    client: httpx.Client, solver_calls: list[int]
) -> None:
    answer = client.post("/api/v1/run", json={"source": CHAIN_RULE})
    assert answer.status_code == 200
    assert answer.json()["variables"]["x"]["grad"] == _chain_rule_grad()
    assert solver_calls == []
    refused = client.post("/api/v1/run", json={"source": "x = 1", "seed": "5"})
    assert refused.status_code == 422
    assert solver_calls == [1]  # FastAPI's handler answered the refusal


@pytest.mark.parametrize(("name", "body", "headers"), CASES, ids=[case[0] for case in CASES])
def test_every_answer_is_fastapis_own(
    server: LiveServer,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    body: bytes,
    headers: list[tuple[str, str]],
) -> None:
    with server.client() as client:
        with_shortcut = _comparable(_send(client, body, headers))
        monkeypatch.setattr(run_module, "_plain_run_request", lambda *args: None)
        documented = _comparable(_send(client, body, headers))
    assert with_shortcut == documented
    assert with_shortcut[0] in (200, 413, 422), with_shortcut


def test_a_streamed_body_over_the_cap_is_refused_alike(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No Content-Length: Starlette's limit fails the read itself, which FastAPI's handler then
    meets as it would have."""

    def chunks() -> Iterator[bytes]:
        yield b'{"source": "'
        for _ in range(40):
            yield b"#" * 10_000
        yield b'"}'

    def send() -> tuple[int, str | None, Any]:
        with server.client() as client:
            headers = {"content-type": JSON}
            return _comparable(client.post("/api/v1/run", content=chunks(), headers=headers))

    with_shortcut = send()
    monkeypatch.setattr(run_module, "_plain_run_request", lambda *args: None)
    assert with_shortcut == send()
    assert with_shortcut[0] == 413


def test_dependency_overrides_take_the_documented_path(
    server: LiveServer, solver_calls: list[int]
) -> None:
    async def other_settings() -> Any:
        return server.app.state.settings

    from app.api.deps import get_app_settings

    server.app.dependency_overrides[get_app_settings] = other_settings
    try:
        with server.client() as client:
            assert client.post("/api/v1/run", json={"source": "x = 1"}).status_code == 200
    finally:
        server.app.dependency_overrides.clear()
    assert solver_calls == [1]
