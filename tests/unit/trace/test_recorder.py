"""The Recorder driven directly, as the interpreter drives it, with real torch as the oracle.

Every expected number comes from running the same computation in plain torch (a twin graph
built from the same values), never from constants typed into the test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
import torch

from app.runner import run_program
from app.sandbox.limits import Limits
from app.trace.recorder import Recorder
from tests.unit.trace.passes import autograd_grad, backward


def chain_rule(record: Recorder | None) -> dict[str, torch.Tensor]:
    """The seed's second program; reports every op to `record` like the interpreter would."""

    def op(result: Any, *inputs: Any, line: int) -> Any:
        if record is not None:
            record.op_result(result, inputs, line)
        return result

    x = op(torch.ones(2, 2, requires_grad=True), line=3)
    y = op(x + 2, x, 2, line=5)
    yy = op(y * y, y, y, line=7)
    z = op(yy * 3, yy, 3, line=7)
    out = op(z.mean(), z, line=8)
    return {"x": x, "y": y, "z": z, "out": out}


def engine_order(out: torch.Tensor) -> list[str]:
    """The order plain torch's engine runs the nodes of `out`'s graph (recorded by pre-hooks)."""
    order: list[str] = []
    seen: set[int] = set()
    stack = [out.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        node.register_prehook(lambda grads, node=node: order.append(type(node).__name__))
        stack.extend(child for child, _ in node.next_functions)
    return order


def by_id(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in graph["nodes"]}


def test_chain_rule_records_the_grads_torch_computes() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, None, False, None, 9)

    twin = chain_rule(None)
    twin["y"].retain_grad()
    twin["z"].retain_grad()
    twin["out"].backward()

    rendered = recorder.render(v)
    nodes = by_id(rendered["graph"])
    x_id, y_id, z_id = (recorder.tensor_id(v[name]) for name in ("x", "y", "z"))
    assert nodes[x_id]["grad"] == twin["x"].grad.tolist()  # 4.5 per element
    assert nodes[y_id]["grad"] == twin["y"].grad.tolist()
    assert nodes[z_id]["grad"] == twin["z"].grad.tolist()
    assert nodes[x_id]["role"] == "leaf" and nodes[y_id]["role"] == "intermediate"
    assert nodes[y_id]["names"] == ["y"]
    assert v["x"].grad.tolist() == twin["x"].grad.tolist()

    (call,) = rendered["backward_trace"]
    assert call["roots"] == [recorder.tensor_id(v["out"])]
    assert call["root_grads"] == [1.0]
    assert call["leaf_grads"] == {x_id: twin["x"].grad.tolist()}


def test_steps_follow_the_engine_order_and_edges_carry_the_grads() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, None, False, None, 9)
    twin = chain_rule(None)
    expected_order = engine_order(twin["out"])
    twin["out"].backward()

    rendered = recorder.render(v)
    steps = rendered["backward_trace"][0]["steps"]
    assert [step["name"] for step in steps] == expected_order
    edges = {edge["id"]: edge for edge in rendered["graph"]["edges"]}
    for step in steps:
        assert len(step["edges"]) == len(step["grads_out"])
        for edge_id, grad in zip(step["edges"], step["grads_out"], strict=True):
            if edge_id is not None:
                assert edges[edge_id]["kind"] == "next"
                assert edges[edge_id]["target"] == step["node"]
                assert edges[edge_id]["grad"] == grad


def test_grads_in_and_out_equal_autograd_grad_of_each_tensor() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, True, False, None, 9)
    twin = chain_rule(None)
    rendered = recorder.render(v)
    nodes = by_id(rendered["graph"])
    for name in ("x", "y", "z"):
        (expected,) = torch.autograd.grad(twin["out"], twin[name], retain_graph=True)
        assert nodes[recorder.tensor_id(v[name])]["grad"] == expected.tolist()


def test_accumulation_across_two_backward_calls() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, True, False, None, 9)
    backward(recorder, [v["out"]], None, None, False, None, 10)
    twin = chain_rule(None)
    twin["out"].backward(retain_graph=True)
    once = twin["x"].grad.clone()
    twin["out"].backward()

    first, second = recorder.render(v)["backward_trace"]
    x_id = recorder.tensor_id(v["x"])
    assert first["leaf_grads"][x_id] == once.tolist()
    assert second["leaf_grads"][x_id] == twin["x"].grad.tolist()
    assert v["x"].grad.tolist() == twin["x"].grad.tolist()


def plain_error(action: Callable[[], None]) -> str:
    with pytest.raises(RuntimeError) as caught:
        action()
    return str(caught.value)


def test_backward_twice_without_retain_graph_still_fails_like_torch() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, None, False, None, 9)
    twin = chain_rule(None)
    twin["out"].backward()
    expected = plain_error(lambda: twin["out"].backward())

    message = plain_error(lambda: backward(recorder, [v["out"]], None, None, False, None, 10))
    assert message == expected
    calls = recorder.render(v)["backward_trace"]
    # The nodes that ran before torch raised are kept, with the error.
    assert len(calls) == 2 and calls[1]["error"] == f"RuntimeError: {expected}"


def test_non_leaf_grad_stays_none_with_torchs_warning() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, None, False, None, 9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert v["y"].grad is None
    assert any("not a leaf Tensor" in str(warning.message) for warning in caught)


def test_hooks_are_removed_after_the_call() -> None:
    recorder = Recorder(Limits())
    v = chain_rule(recorder)
    backward(recorder, [v["out"]], None, True, False, None, 9)
    v["out"].backward()  # plain torch, not through the recorder
    (call,) = recorder.tracer.calls
    twin = chain_rule(None)
    order = engine_order(twin["out"])
    twin["out"].backward()
    assert len(call.steps) == len(order)


def test_user_tensor_hook_runs_once_and_the_jacobian_is_skipped() -> None:
    recorder = Recorder(Limits())
    x = torch.ones(3, requires_grad=True)
    recorder.op_result(x, (), 1)
    y = x * 2
    recorder.op_result(y, (x, 2), 2)
    seen: list[torch.Tensor] = []
    y.register_hook(lambda grad: seen.append(grad))
    backward(recorder, [y], [torch.ones(3)], None, False, None, 3)
    assert len(seen) == 1
    assert recorder.render({})["backward_trace"][0]["jacobians"] == []


def test_a_hook_changing_a_gradient_in_place_is_seen_before_and_after() -> None:
    """The edge shows what the node sent; the next node what arrived after the program's hook."""

    def build(record: Recorder | None, hooked: bool) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.ones(2, requires_grad=True)
        y = x * 3
        z = y * 2
        if record is not None:
            record.op_result(x, (), 1)
            record.op_result(y, (x, 3), 2)
            record.op_result(z, (y, 2), 3)
        if hooked:
            y.register_hook(lambda grad: grad.mul_(10))
        return y, z

    # Plain torch: what z's node sends (no hook), and what y's node receives once it ran.
    plain_y, plain_z = build(None, hooked=False)
    sent_by_z = torch.autograd.grad(plain_z, plain_y, torch.ones(2))[0]
    received: list[torch.Tensor] = []
    twin_y, twin_z = build(None, hooked=True)
    twin_y.register_hook(lambda grad: received.append(grad.clone()))
    twin_z.backward(torch.ones(2))

    recorder = Recorder(Limits())
    _, z = build(recorder, hooked=True)
    backward(recorder, [z], [torch.ones(2)], None, False, None, 4)
    steps = recorder.render({})["backward_trace"][0]["steps"]
    z_step, y_step = steps[0], steps[1]
    assert z_step["grads_out"][0] == sent_by_z.tolist()  # before the hook's mul_
    assert y_step["grads_in"][0] == received[0].tolist()  # after it
    assert y_step["grads_in"][0] != z_step["grads_out"][0]


def test_a_program_hook_changing_a_gradient_in_place_is_seen_before_and_after() -> None:
    """The same through the sandbox: the program's lambda runs inside the backward pass."""
    result = run_program(
        "import torch\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "y = x * 3\n"
        "y.register_hook(lambda g: g.mul_(10))\n"
        "z = y * 2\n"
        "z.backward(torch.ones(2))\n"
    )
    assert result["ok"], result["error"]
    steps = result["backward_trace"][0]["steps"]
    assert [step["name"] for step in steps[:2]] == ["MulBackward0", "MulBackward0"]
    assert steps[0]["grads_out"][0] == [2.0, 2.0]  # what z's node sent, before the hook
    assert steps[1]["grads_in"][0] == [20.0, 20.0]  # what y's node got, after it


def vector_seed(record: Recorder | None, seed: int) -> dict[str, torch.Tensor]:
    """The seed's third program, as the interpreter would report it."""

    def op(result: Any, *inputs: Any, line: int) -> Any:
        if record is not None:
            record.op_result(result, inputs, line)
        return result

    torch.manual_seed(seed)
    x = op(torch.randn(3, requires_grad=True), line=1)
    y = op(x * 2, x, 2, line=2)
    while op(op(y.data.norm(), line=3) < 1000, line=3):
        y = op(y * 2, y, 2, line=4)
    gradients = op(torch.tensor([0.1, 1.0, 0.0001]), line=6)
    return {"x": x, "y": y, "gradients": gradients}


def doubled_until_large(x: torch.Tensor) -> torch.Tensor:
    """The seed's loop as a plain function, for torch.autograd.functional.jacobian."""
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return y


def test_vector_backward_records_the_jacobian_of_the_vjp() -> None:
    recorder = Recorder(Limits())
    v = vector_seed(recorder, 0)
    twin = vector_seed(None, 0)
    expected = torch.autograd.functional.jacobian(doubled_until_large, twin["x"].detach())
    backward(recorder, [v["y"]], [v["gradients"]], None, False, None, 7)
    twin["y"].backward(twin["gradients"])

    (call,) = recorder.render(v)["backward_trace"]
    (jacobian,) = call["jacobians"]
    assert jacobian["input"] == recorder.tensor_id(v["x"])
    assert jacobian["output"] == recorder.tensor_id(v["y"])
    assert jacobian["shape"] == [3, 3]
    assert jacobian["matrix"] == expected.tolist()
    vjp = v["gradients"] @ torch.tensor(jacobian["matrix"])
    assert torch.equal(vjp, twin["x"].grad)
    assert v["x"].grad.tolist() == twin["x"].grad.tolist()
    assert call["root_grads"] == [v["gradients"].tolist()]


def test_jacobian_leaves_retained_grads_as_torch_has_them() -> None:
    def build(record: Recorder | None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        h = x * x
        h.retain_grad()
        y = h * 3
        if record is not None:
            for result, inputs in ((x, ()), (h, (x, x)), (y, (h, 3))):
                record.op_result(result, inputs, 1)
        return x, h, y

    recorder = Recorder(Limits())
    x, h, y = build(recorder)
    backward(recorder, [y], [torch.ones(2)], None, False, None, 2)
    tx, th, ty = build(None)
    ty.backward(torch.ones(2))
    assert recorder.render({})["backward_trace"][0]["jacobians"]  # it was computed
    assert h.grad.tolist() == th.grad.tolist()
    assert x.grad.tolist() == tx.grad.tolist()


def test_autograd_grad_and_create_graph_behave_as_in_torch() -> None:
    recorder = Recorder(Limits())
    x = torch.tensor([1.5, -2.0], requires_grad=True)
    recorder.op_result(x, (), 1)
    y = (x**3).sum()
    recorder.op_result(y, (x,), 2)
    (dx,) = autograd_grad(recorder, [y], [x], None, None, True, False, 3)
    (d2x,) = autograd_grad(recorder, [dx.sum()], [x], None, None, False, False, 4)

    tx = x.detach().clone().requires_grad_(True)
    (tdx,) = torch.autograd.grad((tx**3).sum(), tx, create_graph=True)
    (td2x,) = torch.autograd.grad(tdx.sum(), tx)
    assert dx.tolist() == tdx.tolist() and d2x.tolist() == td2x.tolist()
    assert x.grad is None
    first = recorder.render({"x": x})["backward_trace"][0]
    assert first["call"] == "autograd.grad"
    assert first["results"] == [tdx.tolist()]
    node = by_id(recorder.render({"x": x})["graph"])[recorder.tensor_id(x)]
    assert node["grad"] == td2x.tolist()  # the last call that reached x


def test_constants_are_marked_and_linked() -> None:
    recorder = Recorder(Limits())
    w = torch.tensor([2.0, 3.0])
    x = torch.ones(2, requires_grad=True)
    recorder.op_result(w, (), 1)
    recorder.op_result(x, (), 2)
    y = w * x
    recorder.op_result(y, (w, x), 3)
    graph = recorder.render({"w": w, "x": x, "y": y})["graph"]
    nodes = by_id(graph)
    w_id = recorder.tensor_id(w)
    assert nodes[w_id]["role"] == "constant"
    function = nodes[recorder.tensor_id(y)]["grad_fn_node"]
    assert {"source": w_id, "target": function, "kind": "constant"}.items() <= next(
        edge for edge in graph["edges"] if edge["kind"] == "constant"
    ).items()


def test_graph_and_timeline_caps() -> None:
    recorder = Recorder(Limits(graph_nodes=10, timeline_entries=3))
    x = torch.ones(1, requires_grad=True)
    recorder.op_result(x, (), 1)
    y = x
    for _ in range(20):
        y = y * 1.5
        recorder.op_result(y, (y, 1.5), 2)
        recorder.statement_executed(2, {"y": y}, 0)
    rendered = recorder.render({"y": y})
    assert rendered["graph_truncated"] is True
    assert len(rendered["graph"]["nodes"]) <= 10
    assert rendered["timeline_truncated"] is True
    assert len(rendered["timeline"]) == 3
    ids = {node["id"] for node in rendered["graph"]["nodes"]}
    for edge in rendered["graph"]["edges"]:
        assert edge["source"] in ids and edge["target"] in ids


def test_timeline_lists_bindings_and_new_nodes() -> None:
    recorder = Recorder(Limits())
    x = torch.ones(2, requires_grad=True)
    recorder.op_result(x, (), 1)
    recorder.statement_executed(1, {"x": x}, 0)
    y = x + 2
    recorder.op_result(y, (x, 2), 2)
    recorder.statement_executed(2, {"y": y, "n": 3}, 5)
    first, second = recorder.render({})["timeline"]
    assert first == {
        "step": 0,
        "line": 1,
        "bindings": {"x": "t0"},
        "new_nodes": ["t0"],
        "stdout_len": 0,
    }
    assert second["bindings"] == {"y": "t1", "n": {"kind": "int", "value": 3}}
    assert second["new_nodes"][:2] == ["t1", "f0"]
    assert second["stdout_len"] == 5


def test_backward_on_a_leaf_records_its_accumulate_grad() -> None:
    recorder = Recorder(Limits())
    x = torch.ones(2, requires_grad=True)
    recorder.op_result(x, (), 1)
    backward(recorder, [x], [torch.full((2,), 3.0)], None, False, None, 2)
    backward(recorder, [x], [torch.full((2,), 3.0)], None, False, None, 3)
    twin = torch.ones(2, requires_grad=True)
    twin.backward(torch.full((2,), 3.0))
    once = twin.grad.tolist()
    twin.backward(torch.full((2,), 3.0))
    first, second = recorder.render({"x": x})["backward_trace"]
    assert [step["name"] for step in first["steps"]] == ["AccumulateGrad"]
    assert first["leaf_grads"] == {"t0": once}
    assert second["leaf_grads"] == {"t0": twin.grad.tolist()}
    assert x.grad.tolist() == twin.grad.tolist()


def test_an_in_place_op_records_a_new_version_of_the_tensor() -> None:
    recorder = Recorder(Limits())
    x = torch.ones(3, requires_grad=True)
    recorder.op_result(x, (), 1)
    y = x * 2
    recorder.op_result(y, (x, 2), 2)
    first_id = recorder.tensor_id(y)
    y.add_(1)
    recorder.op_result(y, (y, 1), 3)
    assert recorder.tensor_id(y) != first_id
    nodes = by_id(recorder.render({"y": y})["graph"])
    assert nodes[recorder.tensor_id(y)]["grad_fn"] == type(y.grad_fn).__name__
    assert nodes[recorder.tensor_id(y)]["names"] == ["y"]
    assert nodes[first_id]["names"] == []


def test_saved_tensors_are_kept_from_before_backward_freed_them() -> None:
    recorder = Recorder(Limits())
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    recorder.op_result(x, (), 1)
    y = x.exp()
    recorder.op_result(y, (x,), 2)
    s = y.sum()
    recorder.op_result(s, (y,), 3)
    backward(recorder, [s], None, None, False, None, 4)
    with pytest.raises(RuntimeError):
        _ = y.grad_fn._saved_result  # freed by the backward, as torch does
    function = by_id(recorder.render({})["graph"])[
        by_id(recorder.render({})["graph"])[recorder.tensor_id(y)]["grad_fn_node"]
    ]
    (saved,) = function["saved"]
    assert saved["name"] == "result"
    assert saved["node"] == recorder.tensor_id(y)
    assert saved["value"] == torch.tensor([1.0, 2.0]).exp().tolist()
