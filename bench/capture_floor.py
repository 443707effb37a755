"""The least work full capture of the 2,000-op loop needs: a floor for bench/instructions.py.

`loop_program(ops)` of bench/engine.py, run with torch directly (no sandbox: its cost is what
capture off adds) while doing only what a RunResult with graph, backward_trace and timeline
cannot do without, written as plainly as Python allows:

- forward: keep each op's tensor, grad_fn, line and step, and each statement's bindings;
- backward: walk the graph, keep each node's saved tensors, put one post-hook on every node
  that turns the gradients it saw into lists, run the program's backward, remove the hooks;
- render: one dict per graph node, edge, trace step and timeline entry, with the keys of
  api-v1.md, and every value and gradient as lists.

No caps, budgets, in-place checks or other edge cases, and nothing but this one program. What
the real core spends beyond this floor plus capture off's interpreting is its own overhead; what
the floor itself costs, no implementation in Python with torch's hook API can avoid.
`tests/unit/test_capture_floor.py` keeps it honest: same nodes, edges, steps, entries, keys
and values as the core's result for the same program.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

import torch

LOOP_LINE = 4  # `for i in range(ops):`
BODY_LINE = 5  # `    y = y * 1.0001`
BACKWARD_LINE = 6  # `y.sum().backward()`


def capture_loop(ops: int) -> dict[str, Any]:
    """Run `loop_program(ops)` and return its graph, backward_trace and timeline."""
    torch.default_generator.manual_seed(0)
    produced: list[tuple[torch.Tensor, Any, int, int]] = []  # tensor, grad_fn, line, step
    entries: list[tuple[int, int, dict[str, Any]]] = []  # step, line, bindings
    step = 0
    entries.append((step, 1, {}))  # `import torch`: its module Value is not the graph's cost
    step += 1
    x = torch.ones(3, requires_grad=True)
    produced.append((x, None, 2, step))
    entries.append((step, 2, {"x": x}))
    step += 1
    y = x
    entries.append((step, 3, {"y": y}))
    for i in range(ops):
        step += 1
        entries.append((step, LOOP_LINE, {"i": i}))
        step += 1
        y = y * 1.0001
        produced.append((y, y.grad_fn, BODY_LINE, step))
        entries.append((step, BODY_LINE, {"y": y}))
    step += 1
    total = y.sum()
    produced.append((total, total.grad_fn, BACKWARD_LINE, step))
    entries.append((step, BACKWARD_LINE, {}))

    walked, next_of, saved = _walk(total.grad_fn)
    steps: list[tuple[Any, list[Any], list[Any]]] = []

    def hook_for(node: Any) -> Callable[[Any, Any], None]:
        def after(grad_inputs: Any, grad_outputs: Any) -> None:
            steps.append((node, _lists(grad_outputs), _lists(grad_inputs)))

        return after

    handles = [node.register_hook(hook_for(node)) for node in walked]
    total.backward()
    for handle in handles:
        handle.remove()
    return _render(produced, entries, walked, next_of, saved, steps)


def _walk(root: Any) -> tuple[list[Any], dict[Any, Any], dict[Any, list[torch.Tensor]]]:
    """Every node from `root`, its next_functions, and its saved tensors (read before backward)."""
    walked: list[Any] = []
    next_of: dict[Any, Any] = {}
    saved: dict[Any, list[torch.Tensor]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node in next_of:
            continue
        walked.append(node)
        next_of[node] = node.next_functions
        other = getattr(node, "_saved_other", None)
        saved[node] = [other] if isinstance(other, torch.Tensor) else []
        stack.extend(child for child, _ in next_of[node] if child is not None)
    return walked, next_of, saved


def _lists(grads: Any) -> list[Any]:
    return [None if grad is None else grad.tolist() for grad in grads]


def _render(
    produced: list[tuple[torch.Tensor, Any, int, int]],
    entries: list[tuple[int, int, dict[str, Any]]],
    walked: list[Any],
    next_of: dict[Any, Any],
    saved: dict[Any, list[torch.Tensor]],
    steps: list[tuple[Any, list[Any], list[Any]]],
) -> dict[str, Any]:
    arrived = {node: grads_in for node, grads_in, _ in steps}
    sent = {node: grads_out for node, _, grads_out in steps}
    function_ids = {node: f"f{number}" for number, node in enumerate(walked)}
    accumulator = next(node for node in walked if not next_of[node])  # x's AccumulateGrad
    tensor_ids = {id(tensor): f"t{number}" for number, (tensor, *_) in enumerate(produced)}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    new_nodes: dict[int, list[str]] = {}
    for (tensor, grad_fn, line, step), tensor_id in zip(produced, tensor_ids.values(), strict=True):
        created = new_nodes.setdefault(step, [])
        created.append(tensor_id)
        reached = arrived.get(accumulator if grad_fn is None else grad_fn)
        nodes.append(
            {
                "id": tensor_id,
                "kind": "tensor",
                "names": [],
                "line": line,
                "step": step,
                "role": "leaf" if grad_fn is None else "intermediate",
                "shape": [*tensor.shape],
                "dtype": "float32",
                "requires_grad": tensor.requires_grad,
                "is_leaf": grad_fn is None,
                "retains_grad": tensor.retains_grad,
                "grad_fn": None if grad_fn is None else type(grad_fn).__name__,
                "grad_fn_node": function_ids.get(grad_fn),
                "value": tensor.tolist(),
                "grad": reached[0] if reached else None,
                "truncated": False,
            }
        )
        if grad_fn is None:
            continue
        function_id = function_ids[grad_fn]
        created.append(function_id)
        nodes.append(
            {
                "id": function_id,
                "kind": "function",
                "name": type(grad_fn).__name__,
                "line": line,
                "step": step,
                "tensor": tensor_id,
                "outputs": [tensor_id],
                "saved": [
                    {
                        "name": "other",
                        "node": None,
                        "shape": [*value.shape],
                        "dtype": "float64",
                        "value": value.tolist(),
                        "truncated": False,
                    }
                    for value in saved[grad_fn]
                ],
            }
        )
        edges.append(
            {"id": f"e{len(edges)}", "source": function_id, "target": tensor_id, "kind": "output"}
        )
    function_id = function_ids[accumulator]
    first_use = produced[1][3] if len(produced) > 2 else produced[-1][3]
    new_nodes.setdefault(first_use, []).append(function_id)
    nodes.append(
        {
            "id": function_id,
            "kind": "function",
            "name": type(accumulator).__name__,
            "line": 2,
            "step": first_use,
            "tensor": "t0",
            "outputs": [],
            "saved": [],
        }
    )
    variable_edge = {
        "id": f"e{len(edges)}",
        "source": "t0",
        "target": function_id,
        "kind": "variable",
    }
    edges.append(variable_edge)
    edge_ids: dict[Any, list[str | None]] = {}
    for node in walked:
        ids: list[str | None] = []
        grads_out = sent.get(node, [])
        for position, (child, input_nr) in enumerate(next_of[node]):
            if child is None:
                ids.append(None)
                continue
            edge_id = f"e{len(edges)}"
            ids.append(edge_id)
            edges.append(
                {
                    "id": edge_id,
                    "source": function_ids[child],
                    "target": function_ids[node],
                    "kind": "next",
                    "input_nr": input_nr,
                    "position": position,
                    "grad": grads_out[position],
                }
            )
        edge_ids[node] = ids
    trace = {
        "index": 0,
        "line": BACKWARD_LINE,
        "source": "program",
        "call": "backward",
        "roots": [tensor_ids[id(produced[-1][0])]],
        "root_grads": [1.0],
        "steps": [
            {
                "step": number,
                "node": function_ids[node],
                "name": type(node).__name__,
                "grads_in": grads_in,
                "grads_out": grads_out,
                "edges": edge_ids[node],
                "truncated": False,
            }
            for number, (node, grads_in, grads_out) in enumerate(steps)
        ],
        "leaf_grads": {"t0": accumulator.variable.grad.tolist()},
        "jacobians": [],
    }
    timeline = []
    for step, line, bindings in entries:
        encoded = {
            name: {"kind": "int", "value": value} if type(value) is int else tensor_ids[id(value)]
            for name, value in bindings.items()
        }
        entry = {
            "step": step,
            "line": line,
            "bindings": encoded,
            "new_nodes": new_nodes.pop(step, []),
            "stdout_len": 0,
        }
        if line == BACKWARD_LINE:  # the one statement that changes a `.grad` (x's)
            entry["grads"] = {"t0": {"value": trace["leaf_grads"]["t0"], "truncated": False}}
        timeline.append(entry)
    return {
        "graph": {"nodes": nodes, "edges": edges},
        "backward_trace": [trace],
        "timeline": timeline,
    }


def floor_action(ops: int) -> Callable[[], None]:
    """One floor run, as bench/engine.py's `through_core` runs the core (result freed, then a
    full collection)."""

    def run() -> None:
        result = capture_loop(ops)
        del result
        gc.collect()

    return run
