"""The capturing Observer: what the interpreter reports becomes graph, timeline and trace.

It only listens: the surface runs every backward pass, inside the listener `backward_pass`
returns (hooks on the graph while the engine runs).

`op_result` is on the hot path (called for every torch op), so it only files references and
ids; everything expensive (edges, saved tensors, encoding values) happens once, at the end, in
`render` — except what must be read before backward frees it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from app.result import HEAVY_PARTS
from app.sandbox.limits import Limits
from app.sandbox.observer import NOT_LISTENING, BackwardPass, PassListener
from app.trace.backward_trace import BackwardTracer, render_calls
from app.trace.grad_watch import GradEpochSource
from app.trace.graph import build_edges, build_graph
from app.trace.module_calls import ModuleCalls
from app.trace.nodes import NodeRegistry, TensorRecord
from app.trace.result_budget import ResultBudget
from app.trace.timeline import Timeline

_PLAIN_SCALARS = frozenset({int, float, bool, complex, str, type(None)})
Tensor = torch.Tensor


class Recorder:
    """Observer that records the run; `parts` chooses which heavy parts are built at all."""

    def __init__(
        self,
        limits: Limits,
        parts: Sequence[str] = HEAVY_PARTS,
        budget: ResultBudget | None = None,
    ) -> None:
        self.limits = limits
        self.parts = frozenset(parts)
        self.registry = NodeRegistry(limits.graph_nodes)
        self.budget = budget if budget is not None else ResultBudget(limits.result_bytes)
        self.timeline = Timeline(
            self.registry,
            max_entries=limits.timeline_entries,
            value_elements=limits.value_elements,
            budget=self.budget,
        )
        self.tracer = BackwardTracer(
            self.registry,
            jacobian_cells=limits.jacobian_cells,
            max_steps=limits.graph_nodes,
            value_elements=limits.value_elements,
        )
        self.tracer.read_saved = "graph" in self.parts
        # Which nodes each nn.Module call made (graph.modules); watched by the runner.
        self.module_calls = ModuleCalls(limits.graph_nodes)
        self._keep_timeline = "timeline" in self.parts
        self._trace_backward = bool({"graph", "backward_trace"} & self.parts)

    # -- Observer -------------------------------------------------------------------------

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        # The hot path: `type(...) is` tests first (isinstance on torch.Tensor is far slower),
        # plain Python scalars among the inputs skipped at once.
        registry = self.registry
        kind = type(result)
        if kind is Tensor or isinstance(result, Tensor):
            produced = registry.record_tensor(result, line)
        elif kind is tuple or kind is list or isinstance(result, tuple):
            produced = None
            for item in result:
                if isinstance(item, Tensor):
                    produced = registry.record_tensor(item, line) or produced
        elif isinstance(result, nn.Module):
            for parameter in result.parameters():
                registry.record_tensor(parameter, line)
            return
        else:
            return
        known = registry.records_by_tensor_id
        for value in inputs:
            kind = type(value)
            if kind in _PLAIN_SCALARS:
                continue
            if kind is Tensor or isinstance(value, Tensor):
                # Seen before and requiring grad (the usual case): nothing to do.
                if not value.requires_grad or id(value) not in known:
                    self._record_input(value, line, produced)
            elif kind is tuple or kind is list:
                for item in value:
                    if isinstance(item, Tensor):
                        self._record_input(item, line, produced)

    def _record_input(self, tensor: torch.Tensor, line: int, produced: TensorRecord | None) -> None:
        """Give an input an id; one without grad that fed a differentiable op is a constant."""
        registry = self.registry
        if tensor.requires_grad:
            # Seen before (the usual case): nothing to do, and no grad_fn read on the hot path.
            if registry.known_tensor(tensor) is None:
                registry.record_tensor(tensor, line)
            return
        record = registry.record_tensor(tensor, line)
        if record is not None and produced is not None and produced.grad_fn is not None:
            function = registry.known_function(produced.grad_fn)
            if function is not None:
                registry.add_constant_edge(record, function)

    def statement_executed(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        if self._keep_timeline:
            self.timeline.add(line, bindings, stdout_len)
        elif bindings:
            for value in bindings.values():
                if isinstance(value, torch.Tensor):
                    self.registry.record_tensor(value, line)
        self.registry.step += 1

    def follow_grad_epoch(self, source: GradEpochSource) -> None:
        """Re-read `.grad` after a statement only once the run's grad epoch moved (context.py)."""
        self.timeline.grad_watch.epoch_source = source

    def backward_pass(self, backward: BackwardPass) -> PassListener:
        # Gradients are shown on the graph and in the trace; without either, nothing to hear.
        if not self._trace_backward:
            return NOT_LISTENING
        return self.tracer.listen(backward)

    # -- results --------------------------------------------------------------------------

    def tensor_id(self, tensor: torch.Tensor) -> str | None:
        """The id of a captured tensor (None when the graph cap was hit before it appeared)."""
        return self.registry.tensor_id(tensor)

    def adopt_final(self, variables: Mapping[str, Any]) -> None:
        """Give ids to final tensors never reported (`g = x.grad`), so `variables` can point."""
        for value in variables.values():
            if isinstance(value, torch.Tensor):
                self.registry.record_tensor(value, None)

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Hear no statement meanwhile (code run aside after the run: sandbox/aside.py).

        Compiled code holds this recorder, not the context's observer (which the aside swaps
        for a passive one); shadowing the method costs the hot path nothing."""
        self.statement_executed = _ignore_statement  # type: ignore[method-assign]
        try:
            yield
        finally:
            del self.statement_executed

    def release(self) -> None:
        """Drop everything recorded, once rendered (the run's cycles may keep `self` alive)."""
        self.registry.release()
        self.timeline.entries.clear()
        self.timeline.grad_watch.clear()
        self.tracer.calls.clear()
        self.module_calls.release()

    def graph_tensors(self) -> list[torch.Tensor]:
        return [record.tensor for record in self.registry.tensors]

    def render(self, variables: Mapping[str, Any]) -> dict[str, Any]:
        """graph / timeline / backward_trace (those asked for) as RunResult fields."""
        registry = self.registry
        registry.discover_all()
        records = registry.records_in_order()
        edges = build_edges(registry, records)
        rendered: dict[str, Any] = {
            "graph": None,
            "graph_truncated": registry.truncated,
            "timeline": None,
            "timeline_truncated": self.timeline.truncated,
            "backward_trace": None,
            "backward_trace_truncated": self.tracer.truncated,
        }
        if "graph" in self.parts:
            names = _names_by_tensor(registry, variables)
            rendered["graph"] = build_graph(
                registry, edges, names, self.limits.value_elements, records
            )
            rendered["graph"]["modules"] = self.module_calls.render(registry, variables)
            rendered["graph"]["modules_truncated"] = self.module_calls.truncated
        if "timeline" in self.parts:
            rendered["timeline"] = self.timeline.render(records)
        if "backward_trace" in self.parts:
            rendered["backward_trace"] = render_calls(self.tracer.calls)
        return rendered


def _ignore_statement(line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
    return None


def _names_by_tensor(registry: NodeRegistry, variables: Mapping[str, Any]) -> dict[str, list[str]]:
    """Tensor id → the final names bound to it, module parameters as `model.weight`."""
    names: dict[str, list[str]] = {}

    def bind(record: TensorRecord | None, name: str) -> None:
        if record is not None:
            names.setdefault(record.id, []).append(name)

    for name, value in variables.items():
        if isinstance(value, torch.Tensor):
            bind(registry.known_tensor(value), name)
        elif isinstance(value, nn.Module):
            for parameter_name, parameter in value.named_parameters():
                bind(registry.known_tensor(parameter), f"{name}.{parameter_name}")
    return names
