"""Record what the engine did in a program's backward/grad call (the surface runs the call).

Before the call we walk the graph from the roots and put a post-hook on every node: the engine
calls it after the node ran, with the gradient that arrived (w.r.t. the node's outputs) and the
gradients it sends along its next edges, so the hooks see the engine's real order. The hooks
only read gradients (turned into JSON data on the spot, so later in-place changes cannot alter
the record) and return None, so nothing the program can observe changes; they are removed
afterwards, also when torch raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import torch

from app.sandbox.observer import BackwardPass, Gradients
from app.trace.encode import ElementBudget, JsonData, grad_fn_of, tensor_data
from app.trace.jacobian import jacobian_matrices
from app.trace.nodes import CUSTOM_FUNCTION_NODE, FunctionRecord, NodeRegistry, TensorRecord

# The gradients of a run's trace (every step, root and leaf, over all calls) share a budget of
# this many full Values (see ElementBudget); the graph shows the same gradients.
TRACE_VALUES = 100
HookMaker = Callable[[FunctionRecord], Callable[[Sequence[Any], Sequence[Any]], None]]


# One node the engine ran: (its record, what arrived at it, what it sent along each next edge,
# whether a gradient was cut). A plain tuple: there is one per node per backward call.
BackwardStep = tuple[FunctionRecord, list[JsonData], list[JsonData], bool]


@dataclass(slots=True)
class TraceJacobian:
    root: TensorRecord
    input: TensorRecord
    shape: list[int]
    matrix: JsonData


@dataclass
class BackwardCall:
    """One backward or autograd.grad call, from the program or from the request."""

    index: int
    line: int | None
    source: str  # "program" | "request"
    call: str  # "backward" | "autograd.grad"
    roots: list[TensorRecord | None]
    root_grads: list[JsonData]
    steps: list[BackwardStep] = field(default_factory=list)
    leaf_grads: list[tuple[TensorRecord, JsonData]] = field(default_factory=list)
    jacobians: list[TraceJacobian] = field(default_factory=list)
    inputs: list[TensorRecord | None] = field(default_factory=list)
    results: list[JsonData] = field(default_factory=list)
    error: str | None = None


def encode_grads(grads: Sequence[Any], budget: ElementBudget) -> tuple[list[JsonData], bool]:
    """Gradients as JSON data (None stays None), and whether any was cut."""
    encoded: list[JsonData] = []
    truncated = False
    for grad in grads:
        if grad is None:
            encoded.append(None)
        else:
            data, cut = tensor_data(grad, budget.take(grad.numel()))
            encoded.append(data)
            truncated = truncated or cut
    return encoded, truncated


def _accumulator_of(leaf: torch.Tensor) -> Any:
    """The AccumulateGrad node of a leaf that requires grad (the node a leaf root starts at).

    torch only exposes it as the next function of an op on the leaf; a view is the cheapest
    such op and changes nothing the program can see (the node is cached on the leaf anyway).
    """
    if not leaf.requires_grad:
        return None
    try:
        with torch.enable_grad():
            grad_fn = leaf.view_as(leaf).grad_fn
    except RuntimeError:  # e.g. an inference tensor: then no node to start from
        return None
    if grad_fn is None:
        return None
    return grad_fn.next_functions[0][0]


def _root_gradients(
    roots: Sequence[torch.Tensor], given: Sequence[torch.Tensor | None] | None
) -> list[torch.Tensor | None]:
    """The vector each root starts with: as given, or the implicit 1.0 of a scalar root."""
    gradients: list[torch.Tensor | None] = []
    for position, root in enumerate(roots):
        gradient = None if given is None or position >= len(given) else given[position]
        if isinstance(gradient, torch.Tensor):
            gradients.append(gradient)
        elif gradient is None and root.numel() == 1:
            gradients.append(torch.ones_like(root, memory_format=torch.preserve_format))
        else:
            gradients.append(None)
    return gradients


def _graph_tensors(walked: list[FunctionRecord]) -> list[torch.Tensor]:
    tensors: list[torch.Tensor] = []
    for function in walked:
        tensors.extend(output.tensor for output in function.outputs)
        if function.variable is not None:
            tensors.append(function.variable.tensor)
    return tensors


class BackwardTracer:
    """Records every backward call of a run; owned by the Recorder."""

    def __init__(
        self, registry: NodeRegistry, *, jacobian_cells: int, max_steps: int, value_elements: int
    ) -> None:
        self.registry = registry
        self.value_elements = value_elements
        # Every gradient the trace shows, over all calls (see ElementBudget).
        self.budget = ElementBudget(TRACE_VALUES, value_elements)
        self.jacobian_cells = jacobian_cells
        self.max_steps = max_steps
        self.calls: list[BackwardCall] = []
        self.steps_recorded = 0
        self.truncated = False
        # Saved tensors are only shown on the graph: without it, none need reading.
        self.read_saved = True

    def listen(self, backward: BackwardPass) -> TracedPass:
        """A listener that records `backward` (the surface runs it inside the listener)."""
        return TracedPass(self, backward)

    def _start(self, backward: BackwardPass) -> tuple[BackwardCall, list[FunctionRecord]]:
        """Record the call and walk the graph of its roots, before torch starts the pass."""
        registry = self.registry
        line, roots, inputs = backward.line, backward.roots, backward.inputs
        root_records = [registry.record_tensor(root, line) for root in roots]
        input_records = [registry.record_tensor(tensor, line) for tensor in inputs or ()]
        start: list[FunctionRecord] = []
        for root in roots:
            grad_fn = grad_fn_of(root)
            node = grad_fn if grad_fn is not None else _accumulator_of(root)
            if node is not None:
                function = registry.record_function(node, line, registry.step)
                if function is not None:
                    start.append(function)
        walked = registry.walk(start)
        if self.read_saved and not backward.keeps_graph:  # otherwise readable later
            for function in walked:
                registry.read_saved(function)
        record = BackwardCall(
            index=len(self.calls),
            line=line,
            source=backward.source,
            call=backward.call,
            roots=root_records,
            root_grads=encode_grads(_root_gradients(roots, backward.root_grads), self.budget)[0],
            inputs=input_records,
        )
        record.jacobians = self._jacobians(roots, root_records, walked, inputs, input_records)
        return record, walked

    def _hook_maker(self, record: BackwardCall) -> tuple[HookMaker, dict[int, Any]]:
        """Post-hooks for one call: each records what flowed through its node, as JSON data.

        The gradients are encoded on the spot (later in-place changes, e.g. by a program's
        tensor hook, cannot alter the record), each tensor once per call (most flow out of one
        node into the next), again when such a hook changed it in place: its version tells.
        `seen` (returned, cleared when the call ends) holds the tensors until then, so an id()
        cannot be reused meanwhile; holding them also keeps the engine from accumulating into
        them in place. Hooks only read and return None: nothing the
        program can observe changes.
        """
        tracer = self
        steps = record.steps
        take = self.budget.take
        max_steps = self.max_steps
        seen: dict[int, tuple[torch.Tensor, int, JsonData, bool]] = {}
        known = seen.get

        def make_hook(function: FunctionRecord) -> Callable[[Sequence[Any], Sequence[Any]], None]:
            def after_node(grad_inputs: Sequence[Any], grad_outputs: Sequence[Any]) -> None:
                if tracer.steps_recorded >= max_steps:
                    tracer.truncated = True
                    return
                tracer.steps_recorded += 1
                truncated = False
                grads_in: list[JsonData] = []
                grads_out: list[JsonData] = []
                # grads_in: what arrived (w.r.t. the node's outputs); grads_out: what it sent.
                for grads, encoded in ((grad_outputs, grads_in), (grad_inputs, grads_out)):
                    for grad in grads:
                        if grad is None:
                            encoded.append(None)
                            continue
                        entry = known(id(grad))
                        if entry is None or entry[1] != grad._version:
                            data, cut = tensor_data(grad, take(grad.numel()))
                            seen[id(grad)] = (grad, grad._version, data, cut)
                        else:
                            data, cut = entry[2], entry[3]
                        encoded.append(data)
                        if cut:
                            truncated = True
                steps.append((function, grads_in, grads_out, truncated))

            return after_node

        return make_hook, seen

    def _jacobians(
        self,
        roots: Sequence[torch.Tensor],
        root_records: list[TensorRecord | None],
        walked: list[FunctionRecord],
        inputs: Sequence[torch.Tensor] | None,
        input_records: list[TensorRecord | None],
    ) -> list[TraceJacobian]:
        """J of each non-scalar root w.r.t. each leaf (or input), computed before the real call.

        Skipped when the program put hooks on the graph (they would run a second time) or the
        registry is full (a hook could sit on a tensor we never saw).
        """
        if all(root.numel() <= 1 for root in roots) or self.registry.truncated:
            return []
        if any(isinstance(function.node, CUSTOM_FUNCTION_NODE) for function in walked):
            return []  # a Function of the program: its backward would run a second time
        if inputs is not None:
            targets = [
                (tensor, target)
                for tensor, target in zip(inputs, input_records, strict=True)
                if target is not None
            ]
        else:
            targets = [
                (function.variable.tensor, function.variable)
                for function in walked
                if function.variable is not None
            ]
        if not targets:
            return []
        graph_tensors = _graph_tensors(walked) + [tensor for tensor, _ in targets]
        found: list[TraceJacobian] = []
        for root, root_record in zip(roots, root_records, strict=True):
            if root_record is None or root.numel() <= 1 or grad_fn_of(root) is None:
                continue
            wanted = [
                (tensor, target)
                for tensor, target in targets
                if root.numel() * tensor.numel() <= self.jacobian_cells
            ]
            if not wanted:
                continue
            matrices = jacobian_matrices(root, [tensor for tensor, _ in wanted], graph_tensors)
            if matrices is None:
                return found
            for (_, target), matrix in zip(wanted, matrices, strict=True):
                data = tensor_data(matrix, self.jacobian_cells)[0]
                found.append(TraceJacobian(root_record, target, list(matrix.shape), data))
        return found

    def _finish(self, record: BackwardCall, walked: list[FunctionRecord], result: object) -> None:
        """Store leaf grads and the gradients each node and tensor last received."""
        index = record.index
        for function, grads_in, grads_out, _ in record.steps:
            function.last_call = index
            function.grads_in = grads_in
            function.grads_out = grads_out
        for function in walked:
            leaf = function.variable
            if leaf is not None:
                data = encode_grads([leaf.tensor.grad], self.budget)[0][0]
                record.leaf_grads.append((leaf, data))
        if isinstance(result, tuple):
            record.results = encode_grads(result, self.budget)[0]
            for target, grad in zip(record.inputs, record.results, strict=False):
                if target is not None:
                    target.captured_grad = (record.index, grad)
        self.calls.append(record)


def _record_id(record: TensorRecord | None) -> str | None:
    return None if record is None else record.id


def _step_edges(function: FunctionRecord, count: int) -> list[str | None]:
    """The next-edge ids of a step, aligned with its grads_out (set by graph.build_edges)."""
    ids = function.next_edges or []
    if len(ids) == count:
        return ids[:]
    return [ids[position] if position < len(ids) else None for position in range(count)]


def render_calls(calls: list[BackwardCall]) -> list[dict[str, Any]]:
    """The `backward_trace` of RunResult (the gradients were encoded when recorded).

    `graph.build_edges` must have run first: it numbers the edges the steps refer to.
    """
    rendered: list[dict[str, Any]] = []
    for call in calls:
        entry: dict[str, Any] = {
            "index": call.index,
            "line": call.line,
            "source": call.source,
            "call": call.call,
            "roots": [_record_id(root) for root in call.roots],
            "root_grads": call.root_grads,
            "steps": [
                {
                    "step": number,
                    "node": function.id,
                    "name": function.name,
                    "grads_in": grads_in,
                    "grads_out": grads_out,
                    "edges": _step_edges(function, len(grads_out)),
                    "truncated": truncated,
                }
                for number, (function, grads_in, grads_out, truncated) in enumerate(call.steps)
            ],
            "leaf_grads": {leaf.id: grad for leaf, grad in call.leaf_grads},
            "jacobians": [
                {
                    "output": jacobian.root.id,
                    "input": jacobian.input.id,
                    "shape": jacobian.shape,
                    "matrix": jacobian.matrix,
                }
                for jacobian in call.jacobians
            ],
        }
        if call.call == "autograd.grad":
            entry["inputs"] = [_record_id(target) for target in call.inputs]
            entry["results"] = call.results
        if call.error is not None:
            entry["error"] = call.error
        rendered.append(entry)
    return rendered


class TracedPass:
    """One pass being recorded: hooks on every node of its graph while torch runs it, removed
    when it ends (also when torch raises); a pass torch failed in the middle of is kept with
    its error and the steps that ran, one that failed before any node ran is not listed."""

    def __init__(self, tracer: BackwardTracer, backward: BackwardPass) -> None:
        self.tracer = tracer
        self.backward = backward
        self.result: Gradients | None = None

    def __enter__(self) -> TracedPass:
        tracer = self.tracer
        self.record, self.walked = tracer._start(self.backward)
        make_hook, self.held = tracer._hook_maker(self.record)
        self.handles: list[Any] = []
        try:
            for function in self.walked:
                self.handles.append(function.node.register_hook(make_hook(function)))
        except BaseException:
            self._unhook()
            raise
        return self

    def finished(self, result: Gradients | None) -> None:
        self.result = result

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._unhook()
        record = self.record
        if error is None:
            self.tracer._finish(record, self.walked, self.result)
        elif record.steps:
            record.error = f"{type(error).__name__}: {error}"
            self.tracer._finish(record, self.walked, None)

    def _unhook(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.held.clear()
