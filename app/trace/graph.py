"""Build `graph.nodes` / `graph.edges` of RunResult from the captured records.

Edges point in the direction of the forward computation: next (input's function → consumer),
output (function → its tensor), variable (leaf → its AccumulateGrad), constant (tensor without
grad → the function it fed). Edge ids follow the creation order of the records they belong to.

This runs once per run over every record, so it is written as flat loops building the final
dicts directly (no intermediate objects per node or edge).
"""

from __future__ import annotations

from typing import Any

import torch

from app.sandbox.classes import backward_line
from app.trace.encode import ElementBudget, dtype_name, tensors_data
from app.trace.nodes import CUSTOM_FUNCTION_NODE, FunctionRecord, NodeRegistry, TensorRecord

Record = TensorRecord | FunctionRecord
# The graph's tensor and saved values share a budget of this many full Values (see
# ElementBudget): a few MB of JSON at the default 1,000 elements per Value.
GRAPH_VALUES = 100


def build_edges(
    registry: NodeRegistry, records: list[Record] | None = None
) -> list[dict[str, Any]]:
    """Every edge between captured nodes as `graph.edges`, in creation order of the records.

    Also sets `next_edges` of every function (the edge id per position in next_functions).
    A next edge carries the gradient that flowed along it (target → source) in the last
    backward call that ran its consumer, so this runs after every backward call.
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
    edges: list[dict[str, Any]] = []
    append = edges.append
    for record in records:
        if type(record) is TensorRecord:
            producer = record.producer
            if producer is not None:
                append(
                    {
                        "id": f"e{len(edges)}",
                        "source": producer.id,
                        "target": record.id,
                        "kind": "output",
                    }
                )
            continue
        assert type(record) is FunctionRecord
        target = record.id
        variable = record.variable
        if variable is not None:
            append(
                {
                    "id": f"e{len(edges)}",
                    "source": variable.id,
                    "target": target,
                    "kind": "variable",
                }
            )
        ids: list[str | None] = []
        grads_out = record.grads_out
        sent = len(grads_out)
        for position, (child, input_nr) in enumerate(record.next or ()):
            if child is None:
                ids.append(None)
                continue
            edge_id = f"e{len(edges)}"
            ids.append(edge_id)
            append(
                {
                    "id": edge_id,
                    "source": child.id,
                    "target": target,
                    "kind": "next",
                    "input_nr": input_nr,
                    "position": position,
                    "grad": grads_out[position] if position < sent else None,
                }
            )
        record.next_edges = ids
        if constants:
            fed_constants = constants.get(record)
            if fed_constants is not None:
                for constant in fed_constants:
                    append(
                        {
                            "id": f"e{len(edges)}",
                            "source": constant.id,
                            "target": target,
                            "kind": "constant",
                        }
                    )
    return edges


def _saved_tensors(
    registry: NodeRegistry, budget: ElementBudget
) -> dict[FunctionRecord, list[dict[str, Any]]]:
    """The `saved` list of every function whose saved tensors were read (see read_saved)."""
    owners: list[tuple[FunctionRecord, str, torch.Tensor]] = [
        (record, name, tensor)
        for record in registry.functions
        if record.saved
        for name, tensor in record.saved
    ]
    tensors = [tensor for _, _, tensor in owners]
    shapes = [tensor.shape for tensor in tensors]
    dtypes = [tensor.dtype for tensor in tensors]
    values = tensors_data(tensors, budget, shapes, dtypes)
    saved: dict[FunctionRecord, list[dict[str, Any]]] = {}
    known = registry.records_by_tensor_id.get
    for (record, name, tensor), shape, dtype, (value, truncated) in zip(
        owners, shapes, dtypes, values, strict=True
    ):
        node = known(id(tensor))
        if node is None and name == "result" and record.outputs:
            node = record.outputs[0]  # a saved output unpacks to a new tensor object
        entry = {
            "name": name,
            "node": None if node is None else node.id,
            "shape": [*shape],
            "dtype": dtype_name(dtype),
            "value": value,
            "truncated": truncated,
        }
        entries = saved.get(record)
        if entries is None:
            saved[record] = [entry]
        else:
            entries.append(entry)
    return saved


def build_graph(
    registry: NodeRegistry,
    edges: list[dict[str, Any]],
    names: dict[str, list[str]],
    value_elements: int,
    records: list[Record] | None = None,
) -> dict[str, Any]:
    """The `graph` of RunResult. `names`: tensor id → the final variable names bound to it."""
    registry.read_all_saved()  # functions no backward reached
    if records is None:
        records = registry.records_in_order()
    constants = {id(constant) for constant, _ in registry.constant_edges}
    # leaf → its (newest) AccumulateGrad
    accumulators = {
        id(function.variable): function
        for function in registry.functions
        if function.variable is not None
    }
    budget = ElementBudget(GRAPH_VALUES, value_elements)
    # Aligned with registry.tensors, which is in creation order like `records`.
    tensors = [record.tensor for record in registry.tensors]
    shapes = [tensor.shape for tensor in tensors]
    dtypes = [tensor.dtype for tensor in tensors]
    values = tensors_data(tensors, budget, shapes, dtypes)
    saved = _saved_tensors(registry, budget)  # what the budget leaves, after the tensors
    tensor_number = 0
    nodes: list[dict[str, Any]] = []
    append = nodes.append
    for record in records:
        if type(record) is FunctionRecord:
            outputs = record.outputs
            owner = record.variable or (outputs[0] if outputs else None)
            function_node = {
                "id": record.id,
                "kind": "function",
                "name": record.name,
                "line": record.line,
                "step": record.step,
                "tensor": None if owner is None else owner.id,
                "outputs": [output.id for output in outputs],
                # None: not read (see read_saved)
                "saved": None if record.saved is None else saved.get(record, []),
            }
            if isinstance(record.node, CUSTOM_FUNCTION_NODE):  # a Function of the program
                function_node["backward_line"] = backward_line(record.node)
            append(function_node)
            continue
        assert type(record) is TensorRecord
        tensor = record.tensor
        grad_fn = record.grad_fn
        producer = record.producer
        requires_grad = tensor.requires_grad
        if grad_fn is not None:
            role = "intermediate"
        elif requires_grad:
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
        value, truncated = values[tensor_number]  # a gradient has the same shape: cut alike
        if producer is not None:
            grad_fn_name: str | None = producer.name
        else:
            grad_fn_name = None if grad_fn is None else type(grad_fn).__name__
        append(
            {
                "id": record.id,
                "kind": "tensor",
                "names": names.get(record.id, []),
                "line": record.line,
                "step": record.step,
                "role": role,
                "shape": [*shapes[tensor_number]],
                "dtype": dtype_name(dtypes[tensor_number]),
                "requires_grad": requires_grad,
                "is_leaf": grad_fn is None,
                "retains_grad": tensor.retains_grad,
                "grad_fn": grad_fn_name,
                "grad_fn_node": None if producer is None else producer.id,
                "value": value,
                "grad": reached,
                "truncated": truncated,
            }
        )
        tensor_number += 1
    return {"nodes": nodes, "edges": edges}
