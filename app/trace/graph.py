"""Build `graph.nodes` / `graph.edges` of RunResult from the captured records.

Edges point in the direction of the forward computation: next (input's function → consumer),
output (function → its tensor), variable (leaf → its AccumulateGrad), constant (tensor without
grad → the function it fed). Edge ids follow the creation order of the records they belong to.

This runs once per run over every record, so it is written as flat loops building the final
dicts directly (no intermediate objects per node or edge).
"""

from __future__ import annotations

from typing import Any

from app.trace.encode import dtype_name, tensor_data
from app.trace.nodes import FunctionRecord, NodeRegistry, TensorRecord

Record = TensorRecord | FunctionRecord
# (source id, target id, kind, consumer, position in next_functions, input_nr)
Edge = tuple[str, str, str, FunctionRecord | None, int, int]


def build_edges(registry: NodeRegistry, records: list[Record] | None = None) -> list[Edge]:
    """Every edge between captured nodes, in creation order of the records.

    Also sets `next_edges` of every function (the edge id per position in next_functions).
    `records` is `registry.records_in_order()` when the caller already has it.
    """
    registry.discover_all()
    if records is None:
        records = registry.records_in_order()
    constants: dict[FunctionRecord, list[TensorRecord]] = {}
    for constant, function in registry.constant_edges:
        fed = constants.get(function)
        if fed is None:
            constants[function] = [constant]
        elif constant not in fed:
            fed.append(constant)
    edges: list[Edge] = []
    append = edges.append
    known_function = registry.known_function
    for record in records:
        if type(record) is TensorRecord:
            if record.grad_fn is not None:
                producer = known_function(record.grad_fn)
                if producer is not None:
                    append((producer.id, record.id, "output", None, 0, 0))
            continue
        assert type(record) is FunctionRecord
        variable = record.variable
        if variable is not None:
            append((variable.id, record.id, "variable", None, 0, 0))
        ids: list[str | None] = []
        for position, (child, input_nr) in enumerate(record.next or ()):
            if child is None:
                ids.append(None)
            else:
                ids.append(f"e{len(edges)}")
                append((child.id, record.id, "next", record, position, input_nr))
        record.next_edges = ids
        fed_constants = constants.get(record)
        if fed_constants is not None:
            for constant in fed_constants:
                append((constant.id, record.id, "constant", None, 0, 0))
    return edges


def _function_node(record: FunctionRecord, registry: NodeRegistry, limit: int) -> dict[str, Any]:
    saved: list[dict[str, Any]] | None = None
    if record.saved is not None:  # None: not read (see read_saved)
        saved = []
        for name, tensor in record.saved:
            known = registry.known_tensor(tensor)
            if known is None and name == "result" and record.outputs:
                known = record.outputs[0]  # a saved output unpacks to a new tensor object
            value, truncated = tensor_data(tensor, limit)
            saved.append(
                {
                    "name": name,
                    "node": None if known is None else known.id,
                    "shape": list(tensor.shape),
                    "dtype": dtype_name(tensor.dtype),
                    "value": value,
                    "truncated": truncated,
                }
            )
    outputs = record.outputs
    owner = record.variable or (outputs[0] if outputs else None)
    return {
        "id": record.id,
        "kind": "function",
        "name": record.name,
        "line": record.line,
        "step": record.step,
        "tensor": None if owner is None else owner.id,
        "outputs": [output.id for output in outputs],
        "saved": saved,
    }


def build_graph(
    registry: NodeRegistry,
    edges: list[Edge],
    names: dict[str, list[str]],
    value_elements: int,
    records: list[Record] | None = None,
) -> dict[str, Any]:
    """The `graph` of RunResult. `names`: tensor id → the final variable names bound to it."""
    registry.read_all_saved()  # functions no backward reached
    if records is None:
        records = registry.records_in_order()
    constants = {id(constant) for constant, _ in registry.constant_edges}
    # leaf → its (newest) AccumulateGrad; tensor → the function it is an output of
    accumulators = {
        id(function.variable): function
        for function in registry.functions
        if function.variable is not None
    }
    producers = {
        id(output): function for function in registry.functions for output in function.outputs
    }
    limit = value_elements
    nodes: list[dict[str, Any]] = []
    append = nodes.append
    for record in records:
        if type(record) is FunctionRecord:
            append(_function_node(record, registry, limit))
            continue
        assert type(record) is TensorRecord
        tensor = record.tensor
        grad_fn = record.grad_fn
        producer = producers.get(id(record)) if grad_fn is not None else None
        if grad_fn is not None:
            role = "intermediate"
        elif tensor.requires_grad:
            role = "leaf"
        elif id(record) in constants:
            role = "constant"
        else:
            role = "detached"
        # The gradient that reached this tensor in the last backward that reached it.
        reached: Any = None
        best_call = -1
        accumulator = accumulators.get(id(record))
        function = accumulator or producer
        if function is not None and function.last_call >= 0:
            position = 0 if accumulator is not None else tensor.output_nr
            if position < len(function.grads_in):
                best_call = function.last_call
                reached = function.grads_in[position]
        captured = record.captured_grad
        if captured is not None and captured[0] > best_call:
            reached = captured[1]
        value, truncated = tensor_data(tensor, limit)  # a gradient has the same shape: cut alike
        append(
            {
                "id": record.id,
                "kind": "tensor",
                "names": names.get(record.id, []),
                "line": record.line,
                "step": record.step,
                "role": role,
                "shape": list(tensor.shape),
                "dtype": dtype_name(tensor.dtype),
                "requires_grad": tensor.requires_grad,
                "is_leaf": grad_fn is None,
                "retains_grad": tensor.retains_grad,
                "grad_fn": None if grad_fn is None else type(grad_fn).__name__,
                "grad_fn_node": None if producer is None else producer.id,
                "value": value,
                "grad": reached,
                "truncated": truncated,
            }
        )
    rendered_edges: list[dict[str, Any]] = []
    append = rendered_edges.append
    for number, (source, target, kind, consumer, position, input_nr) in enumerate(edges):
        if consumer is None:
            append({"id": f"e{number}", "source": source, "target": target, "kind": kind})
        else:
            grads_out = consumer.grads_out
            append(
                {
                    "id": f"e{number}",
                    "source": source,
                    "target": target,
                    "kind": kind,
                    "input_nr": input_nr,
                    "position": position,
                    # the gradient that flowed along it (target → source) in its last backward
                    "grad": grads_out[position] if position < len(grads_out) else None,
                }
            )
    return {"nodes": nodes, "edges": rendered_edges}
