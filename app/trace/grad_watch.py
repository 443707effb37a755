"""`.grad` as PyTorch stores it, statement by statement, for the timeline's `grads`.

The graph's tensor `grad` is the gradient that *reached* a node in a backward pass; `.grad` is
what torch keeps: only leaves (and `retain_grad()` tensors) have one, it accumulates over
backward calls, and `zero_()`, `= None` or `optimizer.zero_grad()` change it between them. The
page must show it as of any statement, so after each statement this reports the tensors whose
`.grad` changed (another object, or the same one modified in place) and its new value.

Watched: every captured leaf that requires grad (scanned once, as the registry grows) and every
tensor a top-level name is bound to right now (covers `retain_grad()` and `requires_grad_()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from app.trace.encode import grad_of, tensor_data
from app.trace.nodes import NodeRegistry, TensorRecord

Tensor = torch.Tensor


class GradWatch:
    """Reports `.grad` changes; values share the caller's element budget (`take`)."""

    __slots__ = ("_bound", "_leaves", "_scanned", "_seen", "registry", "value_elements")

    def __init__(self, registry: NodeRegistry, value_elements: int) -> None:
        self.registry = registry
        self.value_elements = value_elements
        self._leaves: list[TensorRecord] = []
        self._scanned = 0
        self._bound: dict[str, Tensor] = {}
        # tensor record id -> (the .grad object last reported, its _version): holding the object
        # keeps its id from being reused by another tensor while we compare.
        self._seen: dict[str, tuple[Tensor, int]] = {}

    def clear(self) -> None:
        """Drop the references (the run is over and rendered)."""
        self._leaves.clear()
        self._bound.clear()
        self._seen.clear()

    def bind(self, bindings: Mapping[str, Any]) -> None:
        """Follow the top-level names a statement (re)bound."""
        bound = self._bound
        for name, value in bindings.items():
            if type(value) is Tensor or isinstance(value, Tensor):
                bound[name] = value
            elif name in bound:
                del bound[name]

    def changes(self, budget: list[int]) -> dict[str, Any]:
        """`{node id: {"value", "truncated"} | None}` for each `.grad` changed since last time.

        `budget[0]` is the elements left to show in full; past it a grad is cut to one element.
        """
        registry = self.registry
        tensors = registry.tensors
        leaves = self._leaves
        for index in range(self._scanned, len(tensors)):
            record = tensors[index]
            if record.grad_fn is None and record.tensor.requires_grad:
                leaves.append(record)
        self._scanned = len(tensors)
        changed: dict[str, Any] = {}
        seen = self._seen
        for record in leaves:
            self._check(record.id, record.tensor, seen, changed, budget)
        for tensor in self._bound.values():
            bound = registry.known_tensor(tensor)
            if bound is not None and bound.id not in changed:
                self._check(bound.id, tensor, seen, changed, budget)
        return changed

    def _check(
        self,
        node_id: str,
        tensor: Tensor,
        seen: dict[str, tuple[Tensor, int]],
        changed: dict[str, Any],
        budget: list[int],
    ) -> None:
        grad = grad_of(tensor)
        last = seen.get(node_id)
        if grad is None:
            if last is not None:
                del seen[node_id]
                changed[node_id] = None
            return
        version = grad._version
        if last is not None and last[0] is grad and last[1] == version:
            return
        seen[node_id] = (grad, version)
        limit = self.value_elements if budget[0] > 0 else 1
        budget[0] -= min(grad.numel(), limit)
        value, truncated = tensor_data(grad, limit)
        changed[node_id] = {"value": value, "truncated": truncated}
