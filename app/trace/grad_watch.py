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

from typing import Any

import torch

from app.trace.encode import tensor_data
from app.trace.nodes import NodeRegistry, TensorRecord

Tensor = torch.Tensor


class GradWatch:
    """Reports `.grad` changes; values share the caller's element budget (`take`)."""

    __slots__ = (
        "_leaf_ids",
        "_leaves",
        "_scanned",
        "_seen",
        "bound",
        "registry",
        "value_elements",
    )

    def __init__(self, registry: NodeRegistry, value_elements: int) -> None:
        self.registry = registry
        self.value_elements = value_elements
        self._leaves: list[TensorRecord] = []
        self._leaf_ids: set[str] = set()
        self._scanned = 0
        # Top-level name -> the tensor it is bound to now. Timeline.add keeps it up to date
        # while it walks each statement's bindings (one walk per statement, not two).
        self.bound: dict[str, Tensor] = {}
        # tensor record id -> (the .grad object last reported, its _version): holding the object
        # keeps its id from being reused by another tensor while we compare.
        self._seen: dict[str, tuple[Tensor, int]] = {}

    def clear(self) -> None:
        """Drop the references (the run is over and rendered)."""
        self._leaves.clear()
        self._leaf_ids.clear()
        self.bound.clear()
        self._seen.clear()

    def changes(self, budget: list[int]) -> dict[str, Any]:
        """`{node id: {"value", "truncated"} | None}` for each `.grad` changed since last time.

        `budget[0]` is the elements left to show in full; past it a grad is cut to one element.
        Called after every statement: the no-change path is kept flat and cheap.
        """
        registry = self.registry
        tensors = registry.tensors
        leaves = self._leaves
        if self._scanned != len(tensors):
            for index in range(self._scanned, len(tensors)):
                record = tensors[index]
                if record.grad_fn is None and record.tensor.requires_grad:
                    leaves.append(record)
                    self._leaf_ids.add(record.id)
            self._scanned = len(tensors)
        changed: dict[str, Any] = {}
        seen = self._seen
        for record in leaves:
            # A leaf stays a leaf (an in-place op on one that requires grad is refused, and
            # under no_grad it records no grad_fn): reading .grad never warns.
            grad = record.tensor.grad
            last = seen.get(record.id)
            if grad is None:
                if last is not None:
                    self._report(record.id, None, changed, budget)
            elif last is None or last[0] is not grad or last[1] != grad._version:
                self._report(record.id, grad, changed, budget)
        for tensor in self.bound.values():
            if not tensor.requires_grad:
                continue
            bound = registry.known_tensor(tensor)
            if bound is None or bound.id in changed or bound.id in self._leaf_ids:
                continue  # leaves were checked above
            if bound.grad_fn is None:
                # A leaf that came to require grad later (`x.requires_grad_()`): watch it too.
                leaves.append(bound)
                self._leaf_ids.add(bound.id)
                grad = tensor.grad
            else:
                grad = tensor.grad if tensor.retains_grad else None
            last = seen.get(bound.id)
            if grad is None:
                if last is not None:
                    self._report(bound.id, None, changed, budget)
            elif last is None or last[0] is not grad or last[1] != grad._version:
                self._report(bound.id, grad, changed, budget)
        return changed

    def _report(
        self, node_id: str, grad: Tensor | None, changed: dict[str, Any], budget: list[int]
    ) -> None:
        if grad is None:
            del self._seen[node_id]
            changed[node_id] = None
            return
        self._seen[node_id] = (grad, grad._version)
        limit = self.value_elements if budget[0] > 0 else 1
        budget[0] -= min(grad.numel(), limit)
        value, truncated = tensor_data(grad, limit)
        changed[node_id] = {"value": value, "truncated": truncated}
