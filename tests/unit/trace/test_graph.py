"""app/trace/graph.py: graph.nodes and graph.edges from the captured records.

Every expectation is read off the real torch objects (grad_fn names, next_functions, saved
tensors, the gradients torch computes), never typed in.
"""

from __future__ import annotations

from typing import Any

import torch

from app.sandbox.limits import Limits
from app.trace.graph import GRAPH_VALUES, build_edges, build_graph
from app.trace.recorder import Recorder
from tests.unit.trace.passes import backward


def _captured(
    limits: Limits | None = None,
) -> tuple[Recorder, dict[str, torch.Tensor]]:
    """`y = x * w + c; out = y.sum()` reported op by op, as the interpreter reports it."""
    recorder = Recorder(limits or Limits())
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, -1.0], requires_grad=True)
    c = torch.tensor([0.5, 0.25])
    for leaf in (x, w, c):
        recorder.op_result(leaf, (), 1)
    product = x * w
    recorder.op_result(product, (x, w), 2)
    y = product + c
    recorder.op_result(y, (product, c), 2)
    out = y.sum()
    recorder.op_result(out, (y,), 3)
    return recorder, {"x": x, "w": w, "c": c, "product": product, "y": y, "out": out}


def _graph(recorder: Recorder, names: dict[str, list[str]] | None = None) -> dict[str, Any]:
    edges = build_edges(recorder.registry)
    return build_graph(recorder.registry, edges, names or {}, recorder.limits.value_elements)


def _by_id(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["id"]: node for node in graph["nodes"]}


def _tensor_node(graph: dict[str, Any], recorder: Recorder, tensor: torch.Tensor) -> Any:
    return _by_id(graph)[recorder.tensor_id(tensor) or ""]


def test_function_nodes_are_torchs_grad_fns_and_every_edge_joins_two_nodes() -> None:
    recorder, t = _captured()
    graph = _graph(recorder)
    nodes = _by_id(graph)
    functions = {node["name"] for node in graph["nodes"] if node["kind"] == "function"}
    assert {type(t[name].grad_fn).__name__ for name in ("product", "y", "out")} <= functions
    accumulate = t["product"].grad_fn.next_functions[0][0]
    assert type(accumulate).__name__ in functions  # x's AccumulateGrad, found by walking
    assert [edge["id"] for edge in graph["edges"]] == [f"e{i}" for i in range(len(graph["edges"]))]
    for edge in graph["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes, edge


def test_roles_follow_requires_grad_and_grad_fn() -> None:
    recorder, t = _captured()
    graph = _graph(recorder)
    roles = {name: _tensor_node(graph, recorder, t[name])["role"] for name in t}
    for name, tensor in t.items():
        if tensor.grad_fn is not None:
            assert roles[name] == "intermediate", name
        elif tensor.requires_grad:
            assert roles[name] == "leaf", name
    assert roles["c"] == "constant"  # no grad, but it fed the addition


def test_each_edge_kind_points_forward() -> None:
    recorder, t = _captured()
    graph = _graph(recorder)
    nodes = _by_id(graph)
    x_id, c_id = recorder.tensor_id(t["x"]), recorder.tensor_id(t["c"])
    y_id = recorder.tensor_id(t["y"])
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for edge in graph["edges"]:
        by_kind.setdefault(edge["kind"], []).append(edge)
    # variable: the leaf feeds its AccumulateGrad
    assert any(edge["source"] == x_id for edge in by_kind["variable"])
    # constant: c feeds y's grad_fn
    (constant,) = by_kind["constant"]
    assert constant["source"] == c_id
    assert nodes[constant["target"]]["name"] == type(t["y"].grad_fn).__name__
    # output: y's grad_fn produces y
    assert any(edge["target"] == y_id for edge in by_kind["output"])


def test_next_edges_follow_next_functions() -> None:
    recorder, t = _captured()
    graph = _graph(recorder)
    nodes = _by_id(graph)
    mul = t["product"].grad_fn
    mul_id = next(
        node["id"]
        for node in graph["nodes"]
        if node["kind"] == "function" and node["tensor"] == recorder.tensor_id(t["product"])
    )
    incoming = sorted(
        (edge for edge in graph["edges"] if edge["kind"] == "next" and edge["target"] == mul_id),
        key=lambda edge: edge["position"],
    )
    assert [edge["position"] for edge in incoming] == list(range(len(mul.next_functions)))
    for edge, (function, input_nr) in zip(incoming, mul.next_functions, strict=True):
        assert edge["input_nr"] == input_nr
        assert nodes[edge["source"]]["name"] == type(function).__name__


def test_saved_tensors_are_those_torch_saved() -> None:
    recorder, t = _captured()
    graph = _graph(recorder)
    mul_node = next(
        node
        for node in graph["nodes"]
        if node["kind"] == "function" and node["tensor"] == recorder.tensor_id(t["product"])
    )
    saved = {entry["name"]: entry for entry in mul_node["saved"]}
    grad_fn = t["product"].grad_fn
    assert saved["self"]["value"] == grad_fn._saved_self.tolist()
    assert saved["other"]["value"] == grad_fn._saved_other.tolist()
    assert saved["self"]["node"] == recorder.tensor_id(t["x"])


def test_a_tensor_node_shows_the_gradient_that_reached_it() -> None:
    recorder, t = _captured()
    t["y"].retain_grad()
    backward(recorder, [t["out"]], None, None, False, None, 4)
    graph = _graph(recorder, {recorder.tensor_id(t["y"]) or "": ["y"]})
    y_node = _tensor_node(graph, recorder, t["y"])
    assert t["y"].grad is not None and y_node["grad"] == t["y"].grad.tolist()
    assert y_node["names"] == ["y"]
    x_node = _tensor_node(graph, recorder, t["x"])
    assert t["x"].grad is not None and x_node["grad"] == t["x"].grad.tolist()
    # No backward reached c: it shows no gradient.
    assert _tensor_node(graph, recorder, t["c"])["grad"] is None


def test_values_past_the_graph_budget_are_cut_to_one_element() -> None:
    recorder = Recorder(Limits(value_elements=4))
    tensors = [torch.arange(4.0) + i for i in range(GRAPH_VALUES + 5)]
    for tensor in tensors:
        recorder.op_result(tensor, (), 1)
    graph = _graph(recorder)
    cut = [node for node in graph["nodes"] if node["truncated"]]
    assert len(cut) == 5
    assert all(len(node["value"]) == 1 for node in cut)
    first = _tensor_node(graph, recorder, tensors[0])
    assert first["value"] == tensors[0].tolist() and not first["truncated"]
