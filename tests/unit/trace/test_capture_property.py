"""Random autograd programs through run_program: capture never fails and stays consistent.

For every generated program: no InternalError, strict JSON, every id the result mentions is a
node of the graph, the same bytes twice, and the final grads equal real torch's (CPython runs
the same source as the oracle).
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import torch
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.runner import run_program
from app.trace.encode import json_float

PRELUDE = (
    "import torch\n"
    "x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n"
    "w = torch.tensor([1.5, 0.25, -0.5], requires_grad=True)\n"
    "c = torch.tensor([2.0, 3.0, 4.0])\n"
    "y = x * w\n"
)
NAMES = ("x", "w", "c", "y", "z")

operand = st.sampled_from(NAMES)
expression = st.one_of(
    st.tuples(operand, st.sampled_from(["+", "-", "*", "/"]), operand).map(
        lambda p: f"{p[0]} {p[1]} {p[2]}"
    ),
    st.tuples(
        operand,
        st.sampled_from(["exp()", "sin()", "tanh()", "relu()", "sigmoid()", "abs()", "clone()"]),
    ).map(lambda p: f"{p[0]}.{p[1]}"),
    st.tuples(operand, st.sampled_from(["sum()", "mean()", "pow(2)", "detach()", "data"])).map(
        lambda p: f"{p[0]}.{p[1]}"
    ),
    operand.map(lambda name: f"torch.stack([{name}, {name} * 2])[1]"),
    operand.map(lambda name: f"{name}.chunk(3)[0]"),
)
statement = st.one_of(
    st.tuples(st.sampled_from(("y", "z")), expression).map(lambda p: f"{p[0]} = {p[1]}"),
    st.sampled_from(("y", "z")).map(lambda name: f"{name}.sum().backward(retain_graph=True)"),
    st.sampled_from(("y", "z")).map(lambda name: f"{name}.sum().backward()"),
    st.sampled_from(("y", "z")).map(lambda name: f"{name}.retain_grad()"),
    st.sampled_from(("y", "z")).map(
        lambda name: f"g = torch.autograd.grad({name}.sum(), [x], allow_unused=True)"
    ),
    st.sampled_from(("y", "z")).map(lambda name: f"{name}.backward(torch.ones_like({name}))"),
    st.just("with torch.no_grad():\n    x.add_(0.5)"),
    st.just("x.grad = None"),
    st.just("for i in range(2):\n    y = y * 2"),
)
programs = st.lists(statement, min_size=1, max_size=6).map(
    lambda lines: PRELUDE + "z = y\n" + "\n".join(lines) + "\n"
)


def reference_grads(source: str) -> dict[str, Any] | None:
    """x.grad and w.grad from real torch as JSON data (inf and nan as strings, as the result
    sends them), or None when the program fails there."""
    torch.manual_seed(0)
    namespace: dict[str, Any] = {}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<program>", "exec"), namespace)
    except Exception:
        return None
    return {
        name: None
        if namespace[name].grad is None
        else [json_float(element) for element in namespace[name].grad.tolist()]
        for name in ("x", "w")
    }


def mentioned_ids(result: dict[str, Any]) -> set[str]:
    ids = {value["node"] for value in result["variables"].values() if value.get("node")}
    for entry in result["timeline"]:
        ids.update(entry["new_nodes"])
        ids.update(value for value in entry["bindings"].values() if isinstance(value, str))
    for call in result["backward_trace"]:
        ids.update(root for root in call["roots"] if root)
        ids.update(call["leaf_grads"])
        ids.update(step["node"] for step in call["steps"])
    return ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs)
# Found by hypothesis: a gradient of inf, which the result sends as "inf".
@example(PRELUDE + "z = y\ny = x.relu()\nz = x / y\nz.sum().backward(retain_graph=True)\n")
def test_capture_is_consistent_and_agrees_with_torch(source: str) -> None:
    result = run_program(source)
    again = run_program(source)
    assert result["error"] is None or result["error"]["type"] != "InternalError", result["error"]
    encoded = json.dumps({**result, "timing_ms": None}, sort_keys=True, allow_nan=False)
    assert encoded == json.dumps({**again, "timing_ms": None}, sort_keys=True, allow_nan=False)

    graph = result["graph"]
    node_ids = {node["id"] for node in graph["nodes"]}
    edge_ids = {edge["id"] for edge in graph["edges"]}
    for edge in graph["edges"]:
        assert edge["source"] in node_ids and edge["target"] in node_ids
    assert mentioned_ids(result) <= node_ids
    for call in result["backward_trace"]:
        for step in call["steps"]:
            assert {edge for edge in step["edges"] if edge} <= edge_ids

    expected = reference_grads(source)
    assert result["ok"] is (expected is not None), result["error"]
    if expected is not None:
        for name, grad in expected.items():
            assert result["variables"][name]["grad"] == grad
