"""The bytes one RunResult may take: `limits.result_bytes`, charged as values are encoded.

A program amplifies its answer through the parts whose size it controls: every name it binds
is a Value in `variables`, and every statement that rebinds a container repeats it in the
timeline. Those parts draw on one `ResultBudget` while they are encoded (an estimate from the
elements each Value keeps, text by its length); past it, a Value is sent empty and marked
`truncated`, and the result lists what was cut in `result_cut`. The parts bounded by their own
caps (graph nodes, timeline entries, trace steps) are measured at the end: `fit_result`
encodes the result once and, only when it is still too long, cuts the heaviest values in a
fixed order until it fits. So no answer a worker sends is longer than `result_bytes`, and the
web process, which holds at most one answer per queued request, holds at most
queue_size × result_bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Estimated JSON bytes per element a Value keeps: a tensor's float such as -0.12345678 with its
# comma takes 10-25, an item of a list its own small Value (`{"kind":"float","value":1.5}`: 30)
# and per Value (its kind, shape, dtype and flags). An over-estimate: fit_result has the last word.
BYTES_PER_ELEMENT = 40
BYTES_PER_VALUE = 160
# The timeline may spend at most this share of the budget: the final variables come first.
TIMELINE_SHARE = 0.5
# `result_cut` names this many places, then says how many more (it is part of the answer too).
LISTED_CUTS = 20


class ResultBudget:
    """Bytes left for the program-controlled parts of one result, and what was cut."""

    __slots__ = ("_cut", "_unlisted", "left", "timeline_floor")

    def __init__(self, total: int) -> None:
        self.left = total
        self.timeline_floor = int(total * (1 - TIMELINE_SHARE))
        self._cut: list[str] = []
        self._unlisted = 0

    @property
    def cut(self) -> list[str]:
        """The places cut, in order (at most LISTED_CUTS, then "… and N more")."""
        if self._unlisted:
            return [*self._cut, f"… and {self._unlisted} more"]
        return list(self._cut)

    def affordable(self, elements: int) -> int:
        """The most elements (at least 1) of a Value the budget can still pay for."""
        return max(1, min(elements, (self.left - BYTES_PER_VALUE) // BYTES_PER_ELEMENT))

    def take(self, elements: int, where: str, *, floor: int = 0) -> bool:
        """Pay for a Value keeping `elements`; False (and `where` noted as cut) if it does not
        fit above `floor`."""
        cost = BYTES_PER_VALUE + elements * BYTES_PER_ELEMENT
        if self.left - cost < floor:
            self.mark(where)
            return False
        self.left -= cost
        return True

    def mark(self, where: str) -> None:
        if where in self._cut:
            return
        if len(self._cut) < LISTED_CUTS:
            self._cut.append(where)
        else:
            self._unlisted += 1


def empty_value(value_encoded: dict[str, Any]) -> dict[str, Any]:
    """The Value of something cut for the budget: same kind and shape, nothing inside."""
    kind = value_encoded.get("kind")
    cut: dict[str, Any] = {"kind": kind, "truncated": True}
    if kind == "tensor":
        for field in ("node", "shape", "dtype", "requires_grad", "is_leaf", "grad_fn"):
            cut[field] = value_encoded.get(field)
        cut["value"] = cut["grad"] = None
    elif kind == "dict":
        cut.update(entries=[], repr="{...}")
    elif "items" in value_encoded:
        cut["items"] = []
    elif "value" in value_encoded:
        cut["value"] = "" if kind == "str" else value_encoded["value"]
    elif "repr" in value_encoded:
        cut["repr"] = str(value_encoded["repr"])[:80]
    return cut


def _cut_timeline_values(result: dict[str, Any]) -> bool:
    timeline = result.get("timeline")
    if not timeline:
        return False
    for entry in timeline:
        bindings = entry["bindings"]
        for name, binding in bindings.items():
            if isinstance(binding, dict) and binding.get("kind") not in ("int", "float", "bool"):
                bindings[name] = empty_value(binding)
    return True


def _cut_trace_values(result: dict[str, Any]) -> bool:
    calls = result.get("backward_trace")
    if not calls:
        return False
    for call in calls:
        call["root_grads"] = [None] * len(call.get("root_grads") or [])
        call["leaf_grads"] = dict.fromkeys(call.get("leaf_grads") or {})
        call.pop("jacobians", None)
        call.pop("results", None)
        for step in call.get("steps", ()):
            step["grads_in"] = [None] * len(step.get("grads_in") or [])
            step["grads_out"] = [None] * len(step.get("grads_out") or [])
            step["truncated"] = True
    return True


def _cut_graph_values(result: dict[str, Any]) -> bool:
    graph = result.get("graph")
    if not graph:
        return False
    for node in graph["nodes"]:
        if node.get("kind") == "tensor":
            node["value"] = node["grad"] = None
            node["truncated"] = True
        elif node.get("saved"):
            for saved in node["saved"]:
                saved["value"] = None
                saved["truncated"] = True
    for edge in graph["edges"]:
        if "grad" in edge:
            edge["grad"] = None
    return True


def _drop_part(part: str, truncated_flag: str) -> Callable[[dict[str, Any]], bool]:
    def drop(result: dict[str, Any]) -> bool:
        if result.get(part) is None:
            return False
        result[part] = None
        result[truncated_flag] = True
        return True

    return drop


def _cut_variables(result: dict[str, Any]) -> bool:
    variables = result.get("variables")
    if not variables:
        return False
    result["variables"] = {name: empty_value(value) for name, value in variables.items()}
    return True


# What goes first when a result is too long: the repeated values, then the bulk of the trace
# and the graph, then whole parts; the final variables last.
_CUTS: tuple[tuple[str, Callable[[dict[str, Any]], bool]], ...] = (
    ("timeline.values", _cut_timeline_values),
    ("backward_trace.values", _cut_trace_values),
    ("graph.values", _cut_graph_values),
    ("timeline", _drop_part("timeline", "timeline_truncated")),
    ("backward_trace", _drop_part("backward_trace", "backward_trace_truncated")),
    ("graph", _drop_part("graph", "graph_truncated")),
    ("jacobian", _drop_part("jacobian", "jacobian_truncated")),
    ("variables", _cut_variables),
)


def fit_result(result: dict[str, Any], limit: int, encode: Callable[[Any], bytes]) -> bytes:
    """`encode(result)`, cut until it takes at most `limit` bytes (result_cut says what went).

    Only an oversized result pays for more than the one encoding every result needs."""
    encoded = encode(result)
    if len(encoded) <= limit:
        return encoded
    cut = result.setdefault("result_cut", [])
    result["result_truncated"] = True
    for where, apply in _CUTS:
        if apply(result):
            cut.append(where)
            encoded = encode(result)
            if len(encoded) <= limit:
                return encoded
    # Only the text the program printed and the error are left (each bounded by its limit).
    result["stdout"] = result.get("stdout", "")[: limit // 4]
    result["stdout_truncated"] = True
    cut.append("stdout")
    return encode(result)
