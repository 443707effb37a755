"""Run a program's backward/grad call exactly as asked while recording what the engine did.

Before the call we walk the graph from the roots and put a post-hook on every node: the engine
calls it after the node ran, with the gradient that arrived (w.r.t. the node's outputs) and the
gradients it sends along its next edges, so the hooks see the engine's real order. The hooks
only copy gradients and return None, so nothing the program can observe changes; they are
removed afterwards, also when torch raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import torch

from app.trace.encode import tensor_data
from app.trace.jacobian import jacobian_matrices
from app.trace.nodes import FunctionRecord, NodeRegistry, TensorRecord

Result = TypeVar("Result")


@dataclass(slots=True)
class BackwardStep:
    """One node the engine ran: what arrived at it and what it sent along each next edge."""

    function: FunctionRecord
    grads_in: list[torch.Tensor | None]
    grads_out: list[torch.Tensor | None]


@dataclass(slots=True)
class TraceJacobian:
    root: TensorRecord
    input: TensorRecord
    matrix: torch.Tensor


@dataclass
class BackwardCall:
    """One backward or autograd.grad call, from the program or from the request."""

    index: int
    line: int | None
    source: str  # "program" | "request"
    call: str  # "backward" | "autograd.grad"
    roots: list[TensorRecord | None]
    root_grads: list[torch.Tensor | None]
    steps: list[BackwardStep] = field(default_factory=list)
    leaf_grads: list[tuple[TensorRecord, torch.Tensor | None]] = field(default_factory=list)
    jacobians: list[TraceJacobian] = field(default_factory=list)
    inputs: list[TensorRecord | None] = field(default_factory=list)
    results: list[torch.Tensor | None] = field(default_factory=list)
    error: str | None = None


def _copy(grads: Sequence[torch.Tensor | None]) -> list[torch.Tensor | None]:
    # A copy: the engine may later accumulate into the very buffers it handed the hook.
    return [None if grad is None else grad.detach().clone() for grad in grads]


def _root_gradients(
    roots: Sequence[torch.Tensor], given: Sequence[torch.Tensor | None] | None
) -> list[torch.Tensor | None]:
    """The vector each root starts with: as given, or the implicit 1.0 of a scalar root."""
    gradients: list[torch.Tensor | None] = []
    for position, root in enumerate(roots):
        gradient = None if given is None or position >= len(given) else given[position]
        if isinstance(gradient, torch.Tensor):
            gradients.append(gradient.detach().clone())
        elif gradient is None and root.numel() == 1:
            gradients.append(torch.ones_like(root, memory_format=torch.preserve_format).detach())
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

    def __init__(self, registry: NodeRegistry, *, jacobian_cells: int, max_steps: int) -> None:
        self.registry = registry
        self.jacobian_cells = jacobian_cells
        self.max_steps = max_steps
        self.calls: list[BackwardCall] = []
        self.steps_recorded = 0
        self.truncated = False

    def run(
        self,
        *,
        call: str,
        source: str,
        line: int | None,
        roots: Sequence[torch.Tensor],
        root_grads: Sequence[torch.Tensor | None] | None,
        inputs: Sequence[torch.Tensor] | None,
        perform: Callable[[], Result],
    ) -> Result:
        """Call `perform` (the real torch call) with recording hooks on the graph of `roots`."""
        registry = self.registry
        root_records = [registry.record_tensor(root, line) for root in roots]
        input_records = [registry.record_tensor(tensor, line) for tensor in inputs or ()]
        start: list[FunctionRecord] = []
        for root in roots:
            if root.grad_fn is not None:
                function = registry.record_function(root.grad_fn, line, registry.step)
                if function is not None:
                    start.append(function)
        walked = registry.walk(start)
        for function in walked:
            registry.read_saved(function)
        record = BackwardCall(
            index=len(self.calls),
            line=line,
            source=source,
            call=call,
            roots=root_records,
            root_grads=_root_gradients(roots, root_grads),
            inputs=input_records,
        )
        record.jacobians = self._jacobians(roots, root_records, walked, inputs, input_records)
        handles = []
        try:
            for function in walked:
                handles.append(function.node.register_hook(self._hook(record, function)))
            result = perform()
        except BaseException as error:
            if record.steps:
                record.error = f"{type(error).__name__}: {error}"
                self._finish(record, walked, None)
            raise
        finally:
            for handle in handles:
                handle.remove()
        self._finish(record, walked, result)
        return result

    def _hook(self, record: BackwardCall, function: FunctionRecord) -> Callable[..., None]:
        def after_node(grad_inputs: Sequence[Any], grad_outputs: Sequence[Any]) -> None:
            if self.steps_recorded >= self.max_steps:
                self.truncated = True
                return
            self.steps_recorded += 1
            record.steps.append(BackwardStep(function, _copy(grad_outputs), _copy(grad_inputs)))

        return after_node

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
            if root_record is None or root.numel() <= 1 or root.grad_fn is None:
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
                found.append(TraceJacobian(root_record, target, matrix))
        return found

    def _finish(self, record: BackwardCall, walked: list[FunctionRecord], result: object) -> None:
        """Store leaf grads and the gradients each node and tensor last received."""
        for step in record.steps:
            function = step.function
            function.last_call = record.index
            function.grads_in = step.grads_in
            function.grads_out = step.grads_out
        for function in walked:
            leaf = function.variable
            if leaf is not None:
                grad = leaf.tensor.grad
                record.leaf_grads.append((leaf, None if grad is None else grad.detach().clone()))
        if isinstance(result, tuple):
            record.results = _copy(result)
            for target, grad in zip(record.inputs, record.results, strict=False):
                if target is not None:
                    target.captured_grad = (record.index, grad)
        self.calls.append(record)


def _data(tensor: torch.Tensor | None, limit: int) -> Any:
    return None if tensor is None else tensor_data(tensor, limit)[0]


def _record_id(record: TensorRecord | None) -> str | None:
    return None if record is None else record.id


def render_calls(
    calls: list[BackwardCall],
    next_edges: dict[tuple[str, int], str],
    limit: int,
    jacobian_cells: int,
) -> list[dict[str, Any]]:
    """The `backward_trace` of RunResult (gradients as nested lists, cut at `limit` elements)."""
    rendered: list[dict[str, Any]] = []
    for call in calls:
        entry: dict[str, Any] = {
            "index": call.index,
            "line": call.line,
            "source": call.source,
            "call": call.call,
            "roots": [_record_id(root) for root in call.roots],
            "root_grads": [_data(grad, limit) for grad in call.root_grads],
            "steps": [
                {
                    "step": number,
                    "node": step.function.id,
                    "name": step.function.name,
                    "grads_in": [_data(grad, limit) for grad in step.grads_in],
                    "grads_out": [_data(grad, limit) for grad in step.grads_out],
                    "edges": [
                        next_edges.get((step.function.id, position))
                        for position in range(len(step.grads_out))
                    ],
                }
                for number, step in enumerate(call.steps)
            ],
            "leaf_grads": {leaf.id: _data(grad, limit) for leaf, grad in call.leaf_grads},
            "jacobians": [
                {
                    "output": jacobian.root.id,
                    "input": jacobian.input.id,
                    "shape": list(jacobian.matrix.shape),
                    "matrix": _data(jacobian.matrix, jacobian_cells),
                }
                for jacobian in call.jacobians
            ],
        }
        if call.call == "autograd.grad":
            entry["inputs"] = [_record_id(target) for target in call.inputs]
            entry["results"] = [_data(grad, limit) for grad in call.results]
        if call.error is not None:
            entry["error"] = call.error
        rendered.append(entry)
    return rendered
