"""Build `graph.nodes` / `graph.edges` of RunResult from the captured records.

Edges point in the direction of the forward computation: next (input's function → consumer),
output (function → its tensor), variable (leaf → its AccumulateGrad), constant (tensor without
grad → the function it fed). Edge ids follow the creation order of the records they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.trace.encode import dtype_name, tensor_data
from app.trace.nodes import FunctionRecord, NodeRegistry, TensorRecord


@dataclass(slots=True)
class Edge:
    id: str
    source: str
    target: str
    kind: str  # "next" | "output" | "variable" | "constant"
    function: FunctionRecord | None = None  # for next edges: the consumer (target)
    position: int = 0  # for next edges: index in the consumer's next_functions
    input_nr: int = 0


def build_edges(registry: NodeRegistry) -> list[Edge]:
    """Every edge between captured nodes, in creation order of the records."""
    registry.discover_all()
    constants: dict[str, list[TensorRecord]] = {}
    for constant, function in registry.constant_edges:
        fed = constants.setdefault(function.id, [])
        if constant not in fed:
            fed.append(constant)
    records: list[TensorRecord | FunctionRecord] = [*registry.tensors, *registry.functions]
    records.sort(key=lambda record: record.sequence)
    edges: list[Edge] = []

    def add(source: str, target: str, kind: str, **details: Any) -> None:
        edges.append(Edge(f"e{len(edges)}", source, target, kind, **details))

    for record in records:
        if isinstance(record, TensorRecord):
            if record.grad_fn is not None:
                producer = registry.known_function(record.grad_fn)
                if producer is not None:
                    add(producer.id, record.id, "output")
            continue
        if record.variable is not None:
            add(record.variable.id, record.id, "variable")
        for position, (child, input_nr) in enumerate(record.next or ()):
            if child is not None:
                add(
                    child.id,
                    record.id,
                    "next",
                    function=record,
                    position=position,
                    input_nr=input_nr,
                )
        for constant in constants.get(record.id, ()):
            add(constant.id, record.id, "constant")
    return edges


def next_edge_ids(edges: list[Edge]) -> dict[tuple[str, int], str]:
    """(consumer function id, position in next_functions) → edge id."""
    return {
        (edge.function.id, edge.position): edge.id
        for edge in edges
        if edge.kind == "next" and edge.function is not None
    }


def _reached_grad(
    record: TensorRecord,
    accumulator: FunctionRecord | None,
    grad_fn: FunctionRecord | None,
) -> Any:
    """The gradient (JSON data) that reached this tensor in the last backward that reached it."""
    best_call = -1
    best: Any = None
    function = accumulator or grad_fn
    if function is not None and function.last_call >= 0:
        position = 0 if accumulator is not None else record.tensor.output_nr
        if position < len(function.grads_in):
            best_call, best = function.last_call, function.grads_in[position]
    if record.captured_grad is not None and record.captured_grad[0] > best_call:
        best = record.captured_grad[1]
    return best


def _tensor_node(
    record: TensorRecord,
    names: list[str],
    role: str,
    grad_fn: FunctionRecord | None,
    reached: Any,
    limit: int,
) -> dict[str, Any]:
    tensor = record.tensor
    value, truncated = tensor_data(tensor, limit)  # a gradient has the same shape: cut alike
    return {
        "id": record.id,
        "kind": "tensor",
        "names": names,
        "line": record.line,
        "step": record.step,
        "role": role,
        "shape": list(tensor.shape),
        "dtype": dtype_name(tensor.dtype),
        "requires_grad": tensor.requires_grad,
        "is_leaf": record.grad_fn is None,
        "retains_grad": tensor.retains_grad,
        "grad_fn": None if record.grad_fn is None else type(record.grad_fn).__name__,
        "grad_fn_node": None if grad_fn is None else grad_fn.id,
        "value": value,
        "grad": reached,
        "truncated": truncated,
    }


def _function_node(record: FunctionRecord, registry: NodeRegistry, limit: int) -> dict[str, Any]:
    saved: list[dict[str, Any]] = []
    for name, tensor in record.saved or ():
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
    owner = record.variable or (record.outputs[0] if record.outputs else None)
    return {
        "id": record.id,
        "kind": "function",
        "name": record.name,
        "line": record.line,
        "step": record.step,
        "tensor": None if owner is None else owner.id,
        "outputs": [output.id for output in record.outputs],
        "saved": None if record.saved is None else saved,  # None: not read (see read_saved)
    }


def _role(record: TensorRecord, constants: set[str]) -> str:
    tensor = record.tensor
    if record.grad_fn is not None:
        return "intermediate"
    if tensor.requires_grad:
        return "leaf"
    return "constant" if record.id in constants else "detached"


def build_graph(
    registry: NodeRegistry,
    edges: list[Edge],
    names: dict[str, list[str]],
    value_elements: int,
) -> dict[str, Any]:
    """The `graph` of RunResult. `names`: tensor id → the final variable names bound to it."""
    for function in registry.functions:
        registry.read_saved(function)  # functions no backward reached
    accumulators = {
        function.variable.id: function
        for function in registry.functions
        if function.variable is not None
    }
    function_of_tensor = {
        output.id: function for function in registry.functions for output in function.outputs
    }
    constants = {constant.id for constant, _ in registry.constant_edges}
    nodes: list[dict[str, Any]] = []
    records: list[TensorRecord | FunctionRecord] = [*registry.tensors, *registry.functions]
    records.sort(key=lambda record: record.sequence)
    for record in records:
        if isinstance(record, FunctionRecord):
            nodes.append(_function_node(record, registry, value_elements))
            continue
        grad_fn = function_of_tensor.get(record.id)
        nodes.append(
            _tensor_node(
                record,
                names.get(record.id, []),
                _role(record, constants),
                grad_fn,
                _reached_grad(record, accumulators.get(record.id), grad_fn),
                value_elements,
            )
        )
    edge_grads = _edge_grads(edges)
    return {
        "nodes": nodes,
        "edges": [_edge_dict(edge, edge_grads.get(edge.id)) for edge in edges],
    }


def _edge_grads(edges: list[Edge]) -> dict[str, Any]:
    """Edge id → the gradient that flowed along it (target → source) in its last backward."""
    grads: dict[str, Any] = {}
    for edge in edges:
        function = edge.function
        if function is not None and edge.position < len(function.grads_out):
            grads[edge.id] = function.grads_out[edge.position]
    return grads


def _edge_dict(edge: Edge, grad: Any) -> dict[str, Any]:
    encoded: dict[str, Any] = {
        "id": edge.id,
        "source": edge.source,
        "target": edge.target,
        "kind": edge.kind,
    }
    if edge.kind == "next":
        encoded["input_nr"] = edge.input_nr
        encoded["position"] = edge.position
        encoded["grad"] = grad
    return encoded
