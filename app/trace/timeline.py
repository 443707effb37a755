"""One entry per executed statement, so the page can step through a run without asking again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from app.trace.encode import encode_tensor, encode_value
from app.trace.nodes import NodeRegistry


@dataclass(slots=True)
class TimelineEntry:
    step: int
    line: int
    bindings: dict[str, Any]  # name -> tensor node id, or a Value
    stdout_len: int


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
        registry = self.registry
        if len(self.entries) >= self.max_entries:
            self.truncated = True
            # Bound tensors still get ids: variables and later statements refer to them.
            for value in bindings.values():
                if isinstance(value, torch.Tensor):
                    registry.record_tensor(value, line)
            return
        encoded: dict[str, Any] = {}
        for name, value in bindings.items():
            kind = type(value)
            if kind is int:  # loop counters: the most frequent binding
                encoded[name] = {"kind": "int", "value": value}
            elif isinstance(value, torch.Tensor):
                record = registry.record_tensor(value, line)
                encoded[name] = (
                    record.id
                    if record is not None
                    else encode_tensor(value, self.value_elements, registry.tensor_id)
                )
            else:
                encoded[name] = encode_value(value, self.value_elements, registry.tensor_id)
        self.entries.append(TimelineEntry(registry.step, line, encoded, stdout_len))

    def render(self) -> list[dict[str, Any]]:
        """The `timeline` of RunResult; new_nodes lists ids in creation order per statement."""
        new_nodes: dict[int, list[tuple[int, str]]] = {}
        for tensor in self.registry.tensors:
            new_nodes.setdefault(tensor.step, []).append((tensor.sequence, tensor.id))
        for function in self.registry.functions:
            new_nodes.setdefault(function.step, []).append((function.sequence, function.id))
        return [
            {
                "step": entry.step,
                "line": entry.line,
                "bindings": entry.bindings,
                "new_nodes": [node for _, node in sorted(new_nodes.get(entry.step, []))],
                "stdout_len": entry.stdout_len,
            }
            for entry in self.entries
        ]
