"""One entry per executed statement, so the page can step through a run without asking again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from app.trace.encode import encode_tensor, encode_value, encode_value_counted
from app.trace.grad_watch import GradWatch
from app.trace.nodes import FunctionRecord, NodeRegistry, TensorRecord
from app.trace.result_budget import ResultBudget

Tensor = torch.Tensor
# (step, line, bindings: name -> tensor node id or a Value, stdout_len, grads: node id -> the
# `.grad` that statement changed); one per statement.
TimelineEntry = tuple[int, int, dict[str, Any], int, dict[str, Any]]

# Each Value holds at most `value_elements` elements, but the timeline repeats a container at
# every statement that rebinds or changes it: 2000 entries of a full dict of lists are 60 MB.
# So the timeline's Values share one budget of this many full Values (a few MB of JSON);
# after it, containers, strings and tensors outside the graph are sent empty and truncated.
TIMELINE_VALUES = 50
# Once the budget is spent, longer reprs (a big nn.Sequential, say) are cut to this length.
_SPENT_REPR_CHARS = 80
# The `.grad` values the entries report (only where a statement changed one) share another
# budget of this many full Values; past it a grad is cut to its first element.
TIMELINE_GRAD_VALUES = 50


class Timeline:
    """Statement entries, capped at `max_entries` (then `truncated`).

    Ints, floats, bools, None and tensors in the graph are cheap and always shown in full; the
    other Values draw on `elements_left` (TIMELINE_VALUES full Values) and are cut once it is spent.
    """

    def __init__(
        self,
        registry: NodeRegistry,
        *,
        max_entries: int,
        value_elements: int,
        budget: ResultBudget | None = None,
    ) -> None:
        self.registry = registry
        # The run's byte budget (result_budget.py): the timeline may spend its share of it.
        self.budget = budget if budget is not None else ResultBudget(1 << 62)
        self.max_entries = max_entries
        self.value_elements = value_elements
        self.elements_left = TIMELINE_VALUES * value_elements
        self.entries: list[TimelineEntry] = []
        self.truncated = False
        self.grad_watch = GradWatch(registry, value_elements)
        self.grad_elements_left = [TIMELINE_GRAD_VALUES * value_elements]

    def add(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        """Record the statement that just ran (its nodes were created at registry.step)."""
        # Called once per statement and loop iteration: kept flat on purpose.
        registry = self.registry
        if len(self.entries) >= self.max_entries:
            self.truncated = True
            # Bound tensors still get ids: variables and later statements refer to them.
            for value in bindings.values():
                if isinstance(value, Tensor):
                    registry.record_tensor(value, line)
            return
        encoded: dict[str, Any] = {}
        watch = self.grad_watch
        # GradWatch.bind inline (one walk, not two): the names bound to a tensor now.
        bound = watch.bound
        bound_now: list[Tensor] = []
        for name, value in bindings.items():
            kind = type(value)
            if kind is int:  # loop counters: the most frequent binding
                encoded[name] = {"kind": "int", "value": value}
            elif kind is Tensor or isinstance(value, Tensor):
                bound[name] = value
                bound_now.append(value)
                record = registry.record_tensor(value, line)
                encoded[name] = record.id if record is not None else self._tensor_value(value)
                continue
            elif kind is float or kind is bool or value is None:
                encoded[name] = encode_value(value, self.value_elements)
            elif self.elements_left > 0:
                encoded[name], used = encode_value_counted(
                    value, self.value_elements, registry.tensor_id
                )
                self.elements_left -= used
                budget = self.budget
                if not budget.take(used, "timeline", floor=budget.timeline_floor):
                    self.elements_left = 0  # spent: the later bindings are cut too
                    encoded[name] = self._spent_value(value)
            else:
                encoded[name] = self._spent_value(value)
            if name in bound:  # no longer bound to a tensor
                del bound[name]
        grads = watch.changes(self.grad_elements_left, bound_now)
        self.entries.append((registry.step, line, encoded, stdout_len, grads))

    def _tensor_value(self, tensor: Tensor) -> dict[str, Any]:
        """A tensor past the graph's cap has no node id to show: its Value, if the budget lasts."""
        if self.elements_left > 0:
            self.elements_left -= max(1, min(tensor.numel(), self.value_elements))
            return encode_tensor(tensor, self.value_elements, self.registry.tensor_id)
        return encode_tensor(tensor, 1, self.registry.tensor_id)  # shape and flags stay

    def _spent_value(self, value: Any) -> dict[str, Any]:
        """The Value of a binding once the budget is spent: same kind, nothing inside."""
        kind = type(value)
        if kind is dict and value:
            return {"kind": "dict", "entries": [], "repr": "{...}", "truncated": True}
        if (kind is list or kind is tuple) and value:
            return {"kind": kind.__name__, "items": [], "truncated": True}
        if kind is str and value:
            return {"kind": "str", "value": "", "truncated": True}
        encoded = encode_value(value, self.value_elements, self.registry.tensor_id)
        text = encoded.get("repr")
        if text is not None and len(text) > _SPENT_REPR_CHARS:
            encoded["repr"] = text[: _SPENT_REPR_CHARS - 3] + "..."
            encoded["truncated"] = True
        return encoded

    def render(
        self, records: list[TensorRecord | FunctionRecord] | None = None
    ) -> list[dict[str, Any]]:
        """The `timeline` of RunResult; new_nodes lists ids in creation order per statement.

        `records` is `registry.records_in_order()` when the caller already has it.
        """
        if records is None:
            records = self.registry.records_in_order()
        new_nodes: dict[int, list[str]] = {}
        for record in records:  # in creation order, so each step's list is too
            created = new_nodes.get(record.step)
            if created is None:
                new_nodes[record.step] = [record.id]
            else:
                created.append(record.id)
        rendered = []
        for step, line, bindings, stdout_len, grads in self.entries:
            entry = {
                "step": step,
                "line": line,
                "bindings": bindings,
                "new_nodes": new_nodes.pop(step, None) or [],
                "stdout_len": stdout_len,
            }
            if grads:  # only where this statement changed a `.grad`
                entry["grads"] = grads
            rendered.append(entry)
        return rendered
