"""`.grad` as PyTorch stores it, statement by statement, for the timeline's `grads`.

The graph's tensor `grad` is the gradient that *reached* a node in a backward pass; `.grad` is
what torch keeps: only leaves (and `retain_grad()` tensors) have one, it accumulates over
backward calls, and `zero_()`, `= None` or `optimizer.zero_grad()` change it between them. The
page must show it as of any statement, so after each statement this reports the tensors whose
`.grad` changed (another object, or the same one modified in place) and its new value.

Watched: every captured leaf that requires grad (scanned once, as the registry grows) and every
tensor a top-level name is bound to right now (covers `retain_grad()` and `requires_grad_()`).

Re-reading all of them after every statement is most of what a loop of plain tensor arithmetic
costs to capture, so the run's grad epoch (`RunContext.grad_epoch`, bumped by every surface
primitive that can change a `.grad`, `requires_grad` or `retains_grad`) says when nothing can
have changed since the last full walk between top-level statements: then only the tensors the
statement bound are looked at, and the full walk runs whenever one of them might have something
to report. The answer is the full walk's either way (tests/unit/trace/test_grad_epoch.py).
"""

from __future__ import annotations

from typing import Any, Protocol

import torch

from app.trace.encode import tensor_data
from app.trace.nodes import NodeRegistry, TensorRecord

Tensor = torch.Tensor


class GradEpochSource(Protocol):
    """The run's context (sandbox/context.py): `grad_epoch` moves when a `.grad` may change,
    before it does; `call_depth` is 0 between top-level statements."""

    grad_epoch: int
    call_depth: int


class GradWatch:
    """Reports `.grad` changes; values share the caller's element budget (`take`)."""

    __slots__ = (
        "_checked_epoch",
        "_leaf_ids",
        "_leaves",
        "_scanned",
        "_seen",
        "bound",
        "epoch_source",
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
        # Without a source (a recorder used outside a run) every statement gets the full walk.
        self.epoch_source: GradEpochSource | None = None
        self._checked_epoch = -1  # the epoch at the last full walk

    def clear(self) -> None:
        """Drop the references (the run is over and rendered)."""
        self._leaves.clear()
        self._leaf_ids.clear()
        self.bound.clear()
        self._seen.clear()

    def changes(self, budget: list[int], bound_now: list[Tensor]) -> dict[str, Any]:
        """`{node id: {"value", "truncated"} | None}` for each `.grad` changed since last time.

        `budget[0]` is the elements left to show in full; past it a grad is cut to one element.
        `bound_now`: the tensors the statement bound to names. Called after every statement:
        the no-change path is kept flat and cheap.
        """
        registry = self.registry
        tensors = registry.tensors
        leaves = self._leaves
        leaf_count = len(leaves)
        if self._scanned != len(tensors):
            for index in range(self._scanned, len(tensors)):
                record = tensors[index]
                if record.grad_fn is None and record.tensor.requires_grad:
                    leaves.append(record)
                    self._leaf_ids.add(record.id)
            self._scanned = len(tensors)
        seen = self._seen
        source = self.epoch_source
        # Only between top-level statements: program code torch runs inside a call (a hook, a
        # Function's backward) is one call deeper and may see a pass half done.
        if source is not None and source.call_depth == 0:
            if source.grad_epoch == self._checked_epoch and len(leaves) == leaf_count:
                # No .grad, requires_grad or retains_grad changed since the last top-level walk;
                # no new leaf to watch: only a tensor bound just now can have one to report (a
                # non-leaf that retained its grad while no name held it). A fresh op result —
                # a non-leaf never reported, not retaining — has none.
                known = registry.records_by_tensor_id
                leaf_ids = self._leaf_ids
                for tensor in bound_now:
                    bound_record = known.get(id(tensor))
                    if bound_record is None or bound_record.id in leaf_ids:
                        continue  # the walk skips both
                    if (
                        bound_record.grad_fn is None
                        or bound_record.id in seen
                        or tensor.retains_grad
                    ):
                        break  # it might report: walk
                else:
                    return {}
            self._checked_epoch = source.grad_epoch
        changed: dict[str, Any] = {}
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
