"""bench/capture_floor.py must build what the core builds for the loop, or its floor is no floor."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from app.runner import run_program
from bench.capture_floor import capture_loop
from bench.engine import loop_program


def _shape(items: list[dict[str, Any]], kind: str) -> Counter[tuple[str, tuple[str, ...]]]:
    """How many items of each kind there are, with which keys."""
    return Counter((item.get(kind, ""), tuple(item)) for item in items)


def _values(nodes: list[dict[str, Any]], key: str) -> list[Any]:
    return sorted(repr(node[key]) for node in nodes if node["kind"] == "tensor")


@pytest.mark.parametrize("ops", [0, 1, 7])
def test_the_floor_builds_what_the_core_builds(ops: int) -> None:
    real = run_program(loop_program(ops))
    floor = capture_loop(ops)
    real_nodes, floor_nodes = real["graph"]["nodes"], floor["graph"]["nodes"]
    assert _shape(floor_nodes, "kind") == _shape(real_nodes, "kind")
    assert _shape(floor["graph"]["edges"], "kind") == _shape(real["graph"]["edges"], "kind")
    for key in ("value", "grad", "line", "step"):
        assert _values(floor_nodes, key) == _values(real_nodes, key)
    real_trace, floor_trace = real["backward_trace"][0], floor["backward_trace"][0]
    assert floor_trace.keys() == real_trace.keys()
    assert [step["grads_out"] for step in floor_trace["steps"]] == [
        step["grads_out"] for step in real_trace["steps"]
    ]
    assert floor_trace["leaf_grads"] == real_trace["leaf_grads"]
    assert [len(entry["new_nodes"]) for entry in floor["timeline"]] == [
        len(entry["new_nodes"]) for entry in real["timeline"]
    ]
    assert [entry.keys() for entry in floor["timeline"]] == [
        entry.keys() for entry in real["timeline"]
    ]
