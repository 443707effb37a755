"""Strict edges (issue 13): what is not JSON, not the schema or not finite is refused with 422
before it reaches a worker, and no refusal costs the service a worker or answers 500.

Bodies are sent as raw bytes: Python's `json.dumps` writes `NaN` and `Infinity` for non-finite
floats, which is exactly how such requests reach a real server.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from app.schemas_grading import MAX_POINTS
from tests.api.live_server import LiveServer

CHAIN_RULE = (
    "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
    "z = y * y * 3\nout = z.mean()\nout.backward()\n"
)
JSON = {"content-type": "application/json"}


def post_raw(client: httpx.Client, path: str, body: str | bytes) -> httpx.Response:
    raw = body.encode() if isinstance(body, str) else body
    return client.post(path, content=raw, headers=JSON)


def check_body(**check: Any) -> dict[str, Any]:
    return {"source": "x = 1", "checks": [{"expr": "x", **check}]}


def assert_pool_whole(server: LiveServer) -> None:
    """Both workers live, and two concurrent honest runs come back right."""
    deadline = time.monotonic() + 15
    while server.pool.live_workers < 2 or not server.pool.ready:
        assert time.monotonic() < deadline, server.pool.worker_pids
        time.sleep(0.05)
    with server.client() as client:
        for _ in range(2):
            r = client.post("/api/v1/run", json={"source": CHAIN_RULE, "include": []})
            assert r.status_code == 200, r.text
            assert r.json()["variables"]["x"]["grad"] == [[4.5, 4.5], [4.5, 4.5]]
        assert client.get("/readyz").status_code == 200


NON_FINITE_BODIES = {
    # The reproductions: each answered 500 and lost a worker (two took the service down).
    "check-expected-nan": ("/api/v1/check", '{"source": "x = 1", "checks": [{"expr": "x", '
                           '"expected": NaN}]}'),
    "check-rtol-infinity": ("/api/v1/check", '{"source": "x = 1", "checks": [{"expr": "x", '
                            '"expected": 1, "rtol": Infinity}]}'),
    "check-points-infinity": ("/api/v1/check", '{"source": "x = 1", "checks": [{"expr": "x", '
                              '"expected": 1, "points": Infinity}]}'),
    "run-gradient-nan": ("/api/v1/run", '{"source": "import torch\\nx = torch.ones(2, '
                         'requires_grad=True)\\ny = x * 2\\n", "backward": {"output": "y", '
                         '"gradient": [NaN, 1.0]}}'),
    "run-seed-nan": ("/api/v1/run", '{"source": "x = 1", "seed": NaN}'),
    "run-seed-minus-infinity": ("/api/v1/run", '{"source": "x = 1", "seed": -Infinity}'),
    "batch-of-nan-checks": ("/api/v1/batch", '{"items": [' + ",".join(
        ['{"kind": "check", "source": "x = 1", "checks": [{"expr": "x", "expected": NaN}]}'] * 4
    ) + "]}"),
    "number-overflowing-to-infinity": ("/api/v1/check", '{"source": "x = 1", "checks": '
                                       '[{"expr": "x", "expected": 1e999}]}'),
    "nan-inside-expected-list": ("/api/v1/check", '{"source": "x = 1", "checks": [{"expr": "x", '
                                 '"expected": [1, [2, NaN]]}]}'),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NON_FINITE_BODIES))
def test_non_finite_numbers_are_422_and_cost_no_worker(server: LiveServer, case: str) -> None:
    path, body = NON_FINITE_BODIES[case]
    with server.client() as client:
        # Three times: on main, two of these were enough to leave no worker at all.
        for _ in range(3):
            r = post_raw(client, path, body)
            assert r.status_code == 422, r.text
            (error,) = r.json()["detail"]
            assert error["type"] == "json_invalid", error
            assert "finite" in error["ctx"]["error"], error
    assert_pool_whole(server)


def test_the_422_points_at_the_non_finite_token(client: httpx.Client) -> None:
    body = '{"source": "NaN = 1", "seed": NaN}'
    r = post_raw(client, "/api/v1/run", body)
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    # The NaN inside the string is skipped: the position is the bare token's.
    assert error["loc"] == ["body", body.index("NaN}")]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"source": "x = \xff\xfe"}',  # not UTF-8
        b'{"source": "x = 1", "seed": ' + b"9" * 5000 + b"}",  # more digits than int() reads
        b'{"source": "x = 1", "backward": {"output": "x", "gradient": '
        + b"[" * 5000
        + b"]" * 5000
        + b"}}",  # deeper than the decoder follows
        b'{"source": "x = 1",}',
    ],
    ids=["not-utf8", "huge-int", "deep-nesting", "trailing-comma"],
)
def test_undecodable_bodies_are_422_never_400_or_500(client: httpx.Client, raw: bytes) -> None:
    r = post_raw(client, "/api/v1/run", raw)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/check", check_body(expected=1, points=False)),
        ("/api/v1/check", check_body(expected=1, points="1")),
        ("/api/v1/check", check_body(expected=1, rtol=True)),
        ("/api/v1/run", {"source": "x = 1", "backward": {"output": "x", "retain_graph": 0}}),
        ("/api/v1/run", {"source": "x = 1", "backward": {"output": "x", "retain_graph": "no"}}),
        ("/api/v1/run", {"source": "x = 1", "seed": 1.5}),
        ("/api/v1/run", {"source": "x = 1", "seed": "3"}),
        ("/api/v1/run", {"source": "x = 1", "seed": True}),
        ("/api/v1/run", {"source": "x = 1", "backward": {"output": "x", "gradient": [{}]}}),
        ("/api/v1/run", {"source": "x = 1", "backward": {"output": "x", "gradient": "1"}}),
    ],
    ids=[
        "points-false",
        "points-string",
        "rtol-true",
        "retain-graph-0",
        "retain-graph-string",
        "seed-fraction",
        "seed-string",
        "seed-true",
        "gradient-object",
        "gradient-string",
    ],
)
def test_request_models_are_strict(client: httpx.Client, path: str, body: Any) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text


def test_an_integral_number_is_an_integer_as_json_schema_says(client: httpx.Client) -> None:
    program = "import torch\nprint(torch.rand(2))\n"
    by_int = client.post("/api/v1/run", json={"source": program, "seed": 7, "include": []})
    by_float = post_raw(
        client, "/api/v1/run", f'{{"source": {json.dumps(program)}, "seed": 7.0, "include": []}}'
    )
    assert by_float.status_code == 200, by_float.text
    assert by_float.json()["seed"] == 7
    assert by_float.json()["stdout"] == by_int.json()["stdout"]


def test_points_are_bounded_so_their_sum_cannot_overflow(server: LiveServer) -> None:
    with server.client() as client:
        # Two checks of 1e308 points: the sum overflowed (OverflowError in fsum, 500).
        huge = {
            "source": "x = 1",
            "checks": [{"expr": "x", "expected": 1, "points": 1e308}] * 2,
        }
        r = client.post("/api/v1/check", json=huge)
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][-1] == "points"
        most = {"source": "x = 1", "checks": [{"expr": "x", "expected": 1, "points": MAX_POINTS}]}
        r = client.post("/api/v1/check", json={**most, "checks": most["checks"] * 3})
        assert r.status_code == 200, r.text
        assert r.json()["points"] == 3 * MAX_POINTS
        assert r.json()["score"] == 1.0
    assert_pool_whole(server)


def test_a_check_without_expected_and_no_reference_is_422_and_the_schema_says_so(
    client: httpx.Client,
) -> None:
    r = client.post("/api/v1/check", json={"source": "x = 1", "checks": [{"expr": "x"}]})
    assert r.status_code == 422, r.text
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("CheckRequest", "CheckItem"):
        (by_reference, by_expected) = schema[name]["anyOf"]
        assert by_reference["required"] == ["reference"]
        assert by_expected["properties"]["checks"]["items"]["required"] == ["expected"]


def test_gradient_schema_is_what_the_server_accepts(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    gradient = schema["Gradient"]["anyOf"]
    assert {"type": "integer"} in gradient and {"type": "number"} in gradient
    assert {"items": {"$ref": "#/components/schemas/Gradient"}, "type": "array"} in gradient
    program = "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x * 3\n"
    r = client.post(
        "/api/v1/run",
        json={"source": program, "backward": {"output": "y", "gradient": [[1, 2.5], [0, -1]]}},
    )
    assert r.status_code == 200, r.text
    assert r.json()["variables"]["x"]["grad"] == [[3.0, 7.5], [0.0, -3.0]]


def test_check_answers_in_every_format_are_in_the_schema(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    ok = schema["paths"]["/api/v1/check"]["post"]["responses"]["200"]
    refs = {
        option["$ref"].rsplit("/", 1)[-1]
        for option in ok["content"]["application/json"]["schema"]["anyOf"]
    }
    assert refs == {"CheckResult", "GradescopeResults", "PrairieLearnResults"}
    for status in ("413", "422", "503"):
        assert status in schema["paths"]["/api/v1/check"]["post"]["responses"], status


def test_validation_error_answers_survive_what_they_echo(client: httpx.Client) -> None:
    # A refused body is echoed back in the 422: a lone surrogate, control characters and a
    # deeply nested value must not make the handler itself fail.
    body = {"source": "\ud800 \x00", "seed": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}
    r = post_raw(client, "/api/v1/run", json.dumps(body))
    assert r.status_code == 422, r.text
    assert r.json()["detail"]
