"""run_program / execute_program end to end, with plain CPython + torch as the oracle."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
import torch

import app.runner as runner
from app.runner import execute_program, run_program
from app.sandbox.limits import Limits
from app.trace.backward_trace import TRACE_VALUES
from app.trace.graph import GRAPH_VALUES

SEED_POST = Path(__file__).resolve().parents[3] / "shared" / "seed" / "autograd-blog-ko.txt"

SCALAR = """import torch

x = torch.ones(1, requires_grad=True)
print(x)
y = x + 2
print(y)
print("===== Run backward =====")
y.backward()
print(y)
"""

CHAIN = """import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)
"""

VECTOR = """import torch

x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)

gradients = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(gradients)
print(x.grad)
"""

SEEDS = {"scalar-backward": SCALAR, "chain-rule": CHAIN, "vector-backward": VECTOR}


def plain_run(source: str, seed: int = 0) -> tuple[str, dict[str, Any]]:
    """The oracle: the same program in CPython with real torch."""
    torch.manual_seed(seed)
    namespace: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<program>", "exec"), namespace)
    return out.getvalue(), namespace


def test_the_seed_programs_are_the_blog_posts_code() -> None:
    if not SEED_POST.exists():
        pytest.skip("the shared seed post is not on this machine")
    post = SEED_POST.read_text(encoding="utf-8")
    for source in SEEDS.values():
        for line in source.splitlines():
            assert line.strip() in post


@pytest.mark.parametrize("name", list(SEEDS))
def test_seed_programs_print_and_differentiate_like_torch(name: str) -> None:
    source = SEEDS[name]
    result = run_program(source)
    stdout, namespace = plain_run(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == stdout
    x = result["variables"]["x"]
    assert x["grad"] == namespace["x"].grad.tolist()
    assert x["value"] == namespace["x"].tolist()
    nodes = {node["id"]: node for node in result["graph"]["nodes"]}
    assert nodes[x["node"]]["names"] == ["x"]
    assert nodes[x["node"]]["grad"] == namespace["x"].grad.tolist()
    assert result["backward_trace"][0]["leaf_grads"][x["node"]] == namespace["x"].grad.tolist()
    json.dumps(result, allow_nan=False)


def test_vector_seed_shows_the_jacobian_behind_x_grad() -> None:
    result = run_program(VECTOR)
    _, namespace = plain_run(VECTOR)
    (call,) = result["backward_trace"]
    (jacobian,) = call["jacobians"]
    matrix = torch.tensor(jacobian["matrix"])
    v = torch.tensor(call["root_grads"][0])
    assert torch.equal(v @ matrix, namespace["x"].grad)
    k = torch.log2(namespace["y"].detach() / namespace["x"].detach())[0]
    assert torch.equal(matrix, 2 ** k.round() * torch.eye(3))


@pytest.mark.parametrize("name", list(SEEDS))
def test_same_source_and_seed_give_identical_json(name: str) -> None:
    first = run_program(SEEDS[name], seed=3)
    second = run_program(SEEDS[name], seed=3)
    del first["timing_ms"], second["timing_ms"]
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_include_nothing_skips_the_heavy_parts() -> None:
    full = run_program(CHAIN)
    light = run_program(CHAIN, include=[])
    off = run_program(CHAIN, capture=False)
    for result in (light, off):
        assert result["graph"] is None and result["timeline"] is None
        assert result["backward_trace"] is None
        assert result["stdout"] == full["stdout"]
        assert result["variables"]["x"]["grad"] == full["variables"]["x"]["grad"]
    only_graph = run_program(CHAIN, include=["graph"])
    assert only_graph["graph"] == full["graph"]
    assert only_graph["timeline"] is None and only_graph["backward_trace"] is None


def test_result_has_every_field_of_the_contract() -> None:
    result = run_program(SCALAR)
    assert result["api_version"] == "1"
    assert result["torch_version"] == torch.__version__
    assert result["limits"] == Limits().as_dict()
    assert result["timing_ms"]["total"] > 0
    for field in (
        "ok",
        "error",
        "stdout",
        "stdout_truncated",
        "warnings",
        "variables",
        "graph",
        "timeline",
        "timeline_truncated",
        "backward_trace",
        "jacobian",
    ):
        assert field in result
    assert "torch" not in result["variables"]


def test_requested_backward_accumulates_like_a_last_line() -> None:
    source = CHAIN.replace("out.backward()", "out.backward(retain_graph=True)")
    result = run_program(source, backward={"output": "out", "retain_graph": True})
    _, namespace = plain_run(source + "out.backward(retain_graph=True)\n")
    assert result["ok"], result["error"]
    assert result["variables"]["x"]["grad"] == namespace["x"].grad.tolist()
    program_call, request_call = result["backward_trace"]
    assert (program_call["source"], request_call["source"]) == ("program", "request")
    assert request_call["line"] is None


def test_requested_backward_with_a_gradient_uses_the_outputs_dtype() -> None:
    source = "import torch\nx = torch.ones(3, dtype=torch.float64, requires_grad=True)\ny = x * x\n"
    result = run_program(source, backward={"output": "y", "gradient": [1, 2, 3]})
    _, namespace = plain_run(source + "y.backward(torch.tensor([1, 2, 3], dtype=y.dtype))\n")
    assert result["ok"], result["error"]
    assert result["variables"]["x"]["grad"] == namespace["x"].grad.tolist()


def test_requested_backward_errors_read_like_torchs() -> None:
    source = "import torch\nx = torch.ones(3, requires_grad=True)\ny = x * 2\nn = 3\n"
    with pytest.raises(RuntimeError) as plain:
        plain_run(source + "y.backward()\n")
    result = run_program(source, backward={"output": "y"})
    assert result["ok"] is False
    assert result["error"]["type"] == "RuntimeError"
    assert result["error"]["message"] == str(plain.value)
    assert result["error"]["line"] is None
    assert result["error"]["hint"]
    unknown = run_program(source, backward={"output": "q"})["error"]
    assert unknown["type"] == "ValueError" and "'q'" in unknown["message"]
    not_tensor = run_program(source, backward={"output": "n"})["error"]
    assert not_tensor["type"] == "ValueError" and "not a tensor" in not_tensor["message"]


def test_requested_jacobian_matches_torch_functional() -> None:
    source = (
        "import torch\nx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ny = x.sin() * x[0]\n"
    )
    result = run_program(source, jacobian={"output": "y", "input": "x"})
    _, namespace = plain_run(source)
    expected = torch.autograd.functional.jacobian(lambda t: t.sin() * t[0], namespace["x"].detach())
    assert result["ok"], result["error"]
    assert result["jacobian"]["matrix"] == expected.tolist()
    assert result["jacobian"]["shape"] == [3, 3]
    assert (result["jacobian"]["output"], result["jacobian"]["input"]) == ("y", "x")


def test_requested_jacobian_of_an_empty_output_is_an_empty_matrix() -> None:
    source = "import torch\nx = torch.ones(3, requires_grad=True)\ny = (x * 2)[:0]\n"
    result = run_program(source, jacobian={"output": "y", "input": "x"})
    assert result["ok"], result["error"]
    assert result["jacobian"]["shape"] == [0, 3]
    assert result["jacobian"]["matrix"] == []


def test_requested_jacobian_refusals() -> None:
    source = "import torch\nx = torch.ones(200, requires_grad=True)\ny = x * 2\nn = 1\n"
    too_big = run_program(
        source, jacobian={"output": "y", "input": "x"}, limits=Limits(jacobian_cells=100)
    )["error"]
    assert too_big["type"] == "LimitExceeded" and too_big["limit"] == "jacobian_cells"
    unknown = run_program(source, jacobian={"output": "y", "input": "q"})["error"]
    assert unknown["type"] == "ValueError" and "'q'" in unknown["message"]
    not_tensor = run_program(source, jacobian={"output": "n", "input": "x"})["error"]
    assert not_tensor["type"] == "ValueError" and "not a tensor" in not_tensor["message"]


def test_program_errors_pass_through() -> None:
    result = run_program("import torch\nx = q + 1\n")
    assert result["ok"] is False
    assert result["error"]["type"] == "NameError"
    assert result["error"]["line"] == 2
    assert result["graph"] == {"nodes": [], "edges": [], "modules": [], "modules_truncated": False}


def test_execute_program_evaluates_against_the_final_state() -> None:
    execution = execute_program(CHAIN)
    _, namespace = plain_run(CHAIN)
    assert execution.result["ok"]
    assert torch.equal(execution.evaluate("x.grad"), namespace["x"].grad)
    assert execution.evaluate("out.item()") == namespace["out"].item()


def test_an_internal_failure_becomes_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("boom")

    monkeypatch.setattr(runner, "_encode_variables", broken)
    result = run_program(SCALAR)
    assert result["ok"] is False
    assert result["error"]["type"] == "InternalError"
    assert result["timing_ms"]["total"] > 0
    json.dumps(result)


def test_a_view_whose_grad_fn_torch_refuses_to_read_is_still_reported() -> None:
    source = (
        "import torch\nt0 = torch.zeros(3, requires_grad=True)\nwith torch.no_grad():\n"
        "    v0 = t0.t()\nwith torch.no_grad():\n    t0.add_(1)\nprint(v0)\n"
    )
    stdout, namespace = plain_run(source)
    with pytest.raises(RuntimeError):
        _ = namespace["v0"].grad_fn  # torch refuses: the capture must not fail on it
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == stdout
    view = result["variables"]["v0"]
    assert view["value"] == namespace["v0"].tolist()
    assert view["grad_fn"] is None and view["is_leaf"] is None


@pytest.mark.parametrize("name", list(SEEDS))
def test_run_program_equals_execute_program_with_every_part(name: str) -> None:
    # run_program frees the records once rendered; execute_program keeps them for graders.
    quick = run_program(SEEDS[name], seed=1)
    kept = execute_program(SEEDS[name], seed=1, include=None).result
    del quick["timing_ms"], kept["timing_ms"]
    assert json.dumps(quick) == json.dumps(kept)


def test_a_rendered_recorder_can_be_released() -> None:
    from app.trace.recorder import Recorder
    from tests.unit.trace.passes import backward

    recorder = Recorder(Limits())
    x = torch.ones(2, requires_grad=True)
    recorder.op_result(x, (), 1)
    y = x * 3
    recorder.op_result(y, (x, 3), 2)
    recorder.statement_executed(2, {"y": y}, 0)
    backward(recorder, [y.sum()], None, None, False, None, 3)
    rendered = recorder.render({"x": x, "y": y})
    assert [node["id"] for node in rendered["graph"]["nodes"]][:2] == ["t0", "t1"]
    recorder.release()
    assert recorder.graph_tensors() == []
    assert recorder.tensor_id(x) is None
    assert rendered["timeline"][0]["bindings"] == {"y": "t1"}


def test_a_finished_run_frees_its_tensors_without_the_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Workers run with the collector off and collect between jobs (app/workers/worker.py);
    # records that referred to each other in a cycle would keep every captured tensor alive
    # until then. After run_program returns, reference counting alone must free them.
    import gc
    import weakref

    from app.trace.recorder import Recorder

    captured: list[weakref.ref[torch.Tensor]] = []
    original = Recorder.render

    def render_and_watch(self: Recorder, variables: Any) -> Any:
        captured.extend(weakref.ref(tensor) for tensor in self.graph_tensors())
        return original(self, variables)

    monkeypatch.setattr(Recorder, "render", render_and_watch)
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = run_program(SEEDS["vector-backward"])
        alive = [ref for ref in captured if ref() is not None]  # before any collection
    finally:
        if collecting:
            gc.enable()
    assert result["ok"], result["error"]
    assert len(captured) > 5
    assert alive == []


def test_a_dict_of_long_lists_gives_a_small_result_with_the_real_outcome() -> None:
    # The timeline encodes the bindings of every statement: each Value has one element budget,
    # however deeply its containers nest, or this result would be tens of megabytes.
    source = "d = {}\nfor k in range(40):\n    d[k] = [k] * 10000\nprint(len(d), d[39][-3:])\n"
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == "40 [39, 39, 39]\n"
    assert result["variables"]["d"]["truncated"] is True
    assert len(json.dumps(result)) < 5_000_000


def test_a_dict_rebound_at_every_statement_shares_one_timeline_budget() -> None:
    # Each Value is capped, but the timeline repeats `d` at each of its 300 changes: the Values
    # of the whole timeline share one budget, after which `d` is sent empty and truncated.
    from app.trace.encode import encode_value
    from app.trace.timeline import TIMELINE_VALUES

    source = "d = {}\nfor k in range(300):\n    d[k] = [k] * 10000\nprint(len(d))\n"
    stdout, namespace = plain_run(source)
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == stdout
    assert len(json.dumps(result)) < 2_000_000  # 8.8 MB when every entry held the whole dict

    limit = Limits().value_elements
    shown = [entry["bindings"]["d"] for entry in result["timeline"] if "d" in entry["bindings"]]
    assert shown[0] == encode_value({}, limit)
    # Statement k + 1 shows d as it was then, exactly as before, while the budget lasts.
    first = {k: [k] * 10000 for k in range(3)}
    assert shown[1:4] == [encode_value(dict(list(first.items())[: k + 1]), limit) for k in range(3)]
    full = [value for value in shown if value["entries"]]
    assert len(full) == TIMELINE_VALUES  # each list alone is longer than one Value holds
    assert shown[-1] == {"kind": "dict", "entries": [], "repr": "{...}", "truncated": True}
    assert result["variables"]["d"] == encode_value(namespace["d"], limit)


def test_the_graph_and_trace_values_of_a_run_share_one_budget() -> None:
    """2,000 nodes of 1,000-element tensors: the first values in full, then cut to one element."""
    source = (
        "import torch\nx = torch.ones(1000, requires_grad=True)\ny = x\n"
        "for i in range(1000):\n    y = y * 1.0001\ny.sum().backward()\n"
    )
    result = run_program(source)
    assert result["ok"], result["error"]
    nodes = result["graph"]["nodes"]
    tensors = [node for node in nodes if node["kind"] == "tensor" and node["shape"] == [1000]]
    full = [node for node in tensors if len(node["value"]) == 1000]
    assert not any(node["truncated"] for node in full)
    assert len(full) == GRAPH_VALUES  # in creation order: x and the first products
    assert tensors[0] is full[0] and tensors[GRAPH_VALUES - 1] is full[-1]
    assert all(node["value"] == [node["value"][0]] for node in tensors[GRAPH_VALUES:])
    assert all(node["truncated"] for node in tensors[GRAPH_VALUES:])
    steps = result["backward_trace"][0]["steps"]
    assert len(steps) == 1002  # every node still ran and shows its step
    sent = [grad for step in steps for grad in step["grads_out"] if grad is not None]
    assert sum(len(grad) == 1000 for grad in sent) <= TRACE_VALUES
    assert len(json.dumps(result)) < 20_000_000  # was 100 MB before the budgets
