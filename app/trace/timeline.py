"""One entry per executed statement, so the page can step through a run without asking again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from app.trace.encode import encode_tensor, encode_value
from app.trace.nodes import FunctionRecord, NodeRegistry, TensorRecord

Tensor = torch.Tensor
# (step, line, bindings: name -> tensor node id or a Value, stdout_len); one per statement.
TimelineEntry = tuple[int, int, dict[str, Any], int]


class Timeline:
    """Statement entries, capped at `max_entries` (then `truncated`)."""

    def __init__(self, registry: NodeRegistry, *, max_entries: int, value_elements: int) -> None:
        self.registry = registry
        self.max_entries = max_entries
        self.value_elements = value_elements
        self.entries: list[TimelineEntry] = []
        self.truncated = False

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
        for name, value in bindings.items():
            kind = type(value)
            if kind is int:  # loop counters: the most frequent binding
                encoded[name] = {"kind": "int", "value": value}
            elif kind is Tensor or isinstance(value, Tensor):
                record = registry.record_tensor(value, line)
                encoded[name] = (
                    record.id
                    if record is not None
                    else encode_tensor(value, self.value_elements, registry.tensor_id)
                )
            else:
                encoded[name] = encode_value(value, self.value_elements, registry.tensor_id)
        self.entries.append((registry.step, line, encoded, stdout_len))

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
        return [
            {
                "step": step,
                "line": line,
                "bindings": bindings,
                "new_nodes": new_nodes.pop(step, None) or [],
                "stdout_len": stdout_len,
            }
            for step, line, bindings, stdout_len in self.entries
        ]
