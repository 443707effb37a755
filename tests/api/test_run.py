"""POST /api/v1/run: results checked against real PyTorch, and every non-200 status."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from app.examples import get_example
from app.schemas import RunResult
from tests.api.oracle import assert_same_values, run_with_torch

SEED_IDS = ["scalar-backward", "chain-rule", "vector-backward"]
HEAVY_PARTS = ("graph", "timeline", "backward_trace")


def source_of(example_id: str) -> str:
    example = get_example(example_id)
    assert example is not None, example_id
    return example.source


def run(client: httpx.Client, **request: object) -> dict[str, object]:
    r = client.post("/api/v1/run", json=request)
    assert r.status_code == 200, r.text
    result: dict[str, object] = r.json()
    return result


@pytest.mark.parametrize("example_id", SEED_IDS)
def test_seed_programs_match_real_torch(client: httpx.Client, example_id: str) -> None:
    source = source_of(example_id)
    oracle = run_with_torch(source, seed=0)
    result = run(client, source=source, seed=0)
    RunResult.model_validate(result)
    assert result["ok"], result["error"]
    variables = result["variables"]
    assert isinstance(variables, dict)
    assert_same_values(variables["x"]["grad"], oracle["x"].grad)
    assert result["stdout"] == oracle["__stdout__"]
    for part in HEAVY_PARTS:
        assert part in result, part


def test_include_empty_leaves_out_the_heavy_parts(client: httpx.Client) -> None:
    source = source_of("chain-rule")
    full = client.post("/api/v1/run", json={"source": source})
    slim = client.post("/api/v1/run", json={"source": source, "include": []})
    assert slim.status_code == 200, slim.text
    assert len(slim.content) < len(full.content)
    result = slim.json()

    def without_node_ids(variables: dict[str, dict[str, object]]) -> dict[str, object]:
        return {name: {**v, "node": None} for name, v in variables.items()}

    assert without_node_ids(result["variables"]) == without_node_ids(full.json()["variables"])
    for part in HEAVY_PARTS:
        assert not result.get(part), part


def test_same_request_gives_the_same_bytes_except_timing(client: httpx.Client) -> None:
    request = {"source": source_of("vector-backward"), "seed": 3}
    first, second = (run(client, **request) for _ in range(2))
    first.pop("timing_ms")
    second.pop("timing_ms")
    assert json.dumps(first) == json.dumps(second)


def test_backward_request_runs_after_the_program(client: httpx.Client) -> None:
    source = "import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\ny = x * x\n"
    oracle = run_with_torch(source + "y.backward(torch.tensor([0.5, 3.0]))\n")
    result = run(client, source=source, backward={"output": "y", "gradient": [0.5, 3.0]})
    assert result["ok"], result["error"]
    assert_same_values(result["variables"]["x"]["grad"], oracle["x"].grad)  # type: ignore[index]


_FUNCTION_WITH_A_FAILING_BACKWARD = (
    "import torch\n"
    "class Halve(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        return x / 2\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad_output):\n"
    "        print('halving', grad_output.tolist())\n"
    "        return grad_output / zero_point_five\n"
    "x = torch.tensor([4.0, 6.0], requires_grad=True)\n"
    "print('built')\n"
    "y = Halve.apply(x)\n"
)


def test_backward_request_through_a_program_function_reports_its_line_and_prints(
    client: httpx.Client,
) -> None:
    appended = _FUNCTION_WITH_A_FAILING_BACKWARD + "y.backward(torch.tensor([1.0, 3.0]))\n"
    with pytest.raises(NameError) as raised:
        run_with_torch(appended)
    result = run(
        client,
        source=_FUNCTION_WITH_A_FAILING_BACKWARD,
        backward={"output": "y", "gradient": [1.0, 3.0]},
    )
    assert result["stdout"] == "built\nhalving [1.0, 3.0]\n"
    error = result["error"]
    assert isinstance(error, dict)
    assert (error["type"], error["message"]) == ("NameError", str(raised.value))
    assert error["line"] == 9  # inside the program's `backward`, as CPython reports it


def test_a_failing_program_is_a_result_not_an_http_error(client: httpx.Client) -> None:
    source = "import torch\nx = torch.ones(3, requires_grad=True)\n(x * 2).backward()\n"
    with pytest.raises(RuntimeError) as raised:
        run_with_torch(source)
    result = run(client, source=source)
    assert result["ok"] is False
    error = result["error"]
    assert isinstance(error, dict)
    assert error["type"] == "RuntimeError"
    assert error["message"] == str(raised.value)
    assert error["line"] == 3


def test_syntax_errors_are_results(client: httpx.Client) -> None:
    result = run(client, source="x = (1,\n")
    assert result["ok"] is False
    assert result["error"]["type"] == "SyntaxError"  # type: ignore[index]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"source": 3},
        {"source": "x = 1", "seed": "zero"},
        {"source": "x = 1", "seed": 2**70},
        {"source": "x = 1", "include": ["graph", "pictures"]},
        {"source": "x = 1", "backward": {"gradient": [1.0]}},
        {"source": "x = 1", "backward": {"output": "x", "gradient": [1.0, "a"]}},
        {"source": "x = 1", "backward": {"output": "x", "gradient": True}},
        {"source": "x = 1", "jacobian": {"output": "y"}},
        {"source": "x = 1", "unknown_field": 1},
        ["source"],
    ],
    ids=[
        "empty",
        "source-not-string",
        "seed-not-int",
        "seed-out-of-range",
        "unknown-include",
        "backward-without-output",
        "gradient-not-numbers",
        "gradient-bool",
        "jacobian-without-input",
        "unknown-field",
        "not-an-object",
    ],
)
def test_malformed_requests_are_422(client: httpx.Client, body: object) -> None:
    r = client.post("/api/v1/run", json=body)
    assert r.status_code == 422, r.text
    assert "detail" in r.json()


def test_body_that_is_not_json_is_422(client: httpx.Client) -> None:
    r = client.post(
        "/api/v1/run", content=b"source=x", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text


def test_body_over_the_cap_is_413_by_content_length(client: httpx.Client) -> None:
    r = client.post("/api/v1/run", json={"source": "x = 1\n" * 60_000})
    assert r.status_code == 413, r.text
    # Starlette's request body limit answers before the body is read, in plain text.
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "Content Too Large"


def test_streamed_body_over_the_cap_is_413_without_content_length(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"source": "'
        for _ in range(400):
            yield b"x" * 1024
        yield b'"}'

    r = client.post("/api/v1/run", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == "Content Too Large"


def test_source_over_the_source_limit_is_413(client: httpx.Client) -> None:
    source = "x = 1\n" * (64 * 1024 // 6 + 1)
    assert len(source) > 64 * 1024
    r = client.post("/api/v1/run", json={"source": source})
    assert r.status_code == 413, r.text
    assert "65536" in r.json()["detail"]
