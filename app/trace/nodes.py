"""The captured tensors and grad_fn nodes, with deterministic ids in order of creation.

Every record keeps a strong reference to its tensor or Node: Python ids are then never reused
during a run (so `id(obj)` is a safe key), and saved tensors stay readable after backward.
Ids: `t0, t1, …` for tensors, `f0, f1, …` for grad_fn nodes (AccumulateGrad included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

ACCUMULATE_GRAD = "AccumulateGrad"
# How many function nodes per run get their saved tensors read (see read_saved).
SAVED_TENSOR_NODES = 1000


@dataclass(slots=True, eq=False)
class TensorRecord:
    """A tensor as the program produced it; an in-place op changing grad_fn makes a new one."""

    id: str
    tensor: torch.Tensor
    line: int | None
    step: int
    grad_fn: Any  # the grad_fn when recorded: None for leaves and tensors without grad
    producer: FunctionRecord | None = None  # the record of grad_fn (None past the node cap)
    # Gradient captured for this tensor as an input of autograd.grad: (call index, JSON data).
    captured_grad: tuple[int, Any] | None = None


@dataclass(slots=True, eq=False)
class FunctionRecord:
    """One grad_fn node; `next` mirrors next_functions once resolved (None: not yet)."""

    id: str
    node: Any  # torch.autograd.graph.Node
    name: str
    line: int | None
    step: int
    outputs: list[TensorRecord]  # the tensors whose grad_fn this is
    variable: TensorRecord | None = None  # for AccumulateGrad: the leaf it accumulates into
    next: list[tuple[FunctionRecord | None, int]] | None = None
    saved: list[tuple[str, torch.Tensor]] | None = None
    # Ids of the `next` edges, aligned with `next` (None where there is no edge); set at render.
    next_edges: list[str | None] | None = None
    # What flowed through this node (as JSON data) in the last backward call that ran it.
    last_call: int = -1
    grads_in: Sequence[Any] = ()
    grads_out: Sequence[Any] = ()


# Ids "t0", "t1", … and "f0", "f1", …, formatted once per process: a capture makes thousands
# per run, and formatting each (an f-string of an int) costs more than the rest of a record.
_TENSOR_IDS: list[str] = []
_FUNCTION_IDS: list[str] = []


def _numbered(ids: list[str], prefix: str, number: int) -> str:
    """`f"{prefix}{number}"`, from `ids` (extended up to `number` the first time it is reached)."""
    if number >= len(ids):
        ids.extend(f"{prefix}{n}" for n in range(len(ids), number + 1))
    return ids[number]


_saved_names_by_type: dict[type, tuple[str, ...]] = {}
# The node of a custom torch.autograd.Function (MyReLUBackward): its saved tensors are a tuple.
CUSTOM_FUNCTION_NODE = torch.autograd.function.BackwardCFunction


def _saved_attribute_names(node: Any) -> tuple[str, ...]:
    """The `_saved_*` attributes of a node type (dir() is slow, so once per type)."""
    kind = type(node)
    names = _saved_names_by_type.get(kind)
    if names is None:
        names = tuple(name for name in dir(kind) if name.startswith("_saved_"))
        _saved_names_by_type[kind] = names
    return names


class NodeRegistry:
    """Ids and records of everything captured, capped at `max_nodes` nodes in all."""

    def __init__(self, max_nodes: int) -> None:
        self.max_nodes = max_nodes
        self.truncated = False
        self.step = 0  # the statement being executed; nodes created now belong to it
        self._saved_read = 0
        # The current record of each captured tensor, by id() (records keep the tensors alive).
        self.records_by_tensor_id: dict[int, TensorRecord] = {}
        self._function_by_object: dict[int, FunctionRecord] = {}
        self.tensors: list[TensorRecord] = []
        self.functions: list[FunctionRecord] = []
        self.records: list[TensorRecord | FunctionRecord] = []  # both, in order of creation
        self.constant_edges: list[tuple[TensorRecord, FunctionRecord]] = []

    def _has_room(self) -> bool:
        if len(self.records) < self.max_nodes:
            return True
        self.truncated = True
        return False

    def known_tensor(self, tensor: torch.Tensor) -> TensorRecord | None:
        """The current record of `tensor`, if it was captured."""
        return self.records_by_tensor_id.get(id(tensor))

    def tensor_id(self, tensor: torch.Tensor) -> str | None:
        record = self.records_by_tensor_id.get(id(tensor))
        return None if record is None else record.id

    def record_tensor(self, tensor: torch.Tensor, line: int | None) -> TensorRecord | None:
        """Return the record of `tensor`, creating it (and its grad_fn's) when new or changed."""
        # Called for every op result and input: kept flat on purpose (no helper calls).
        by_object = self.records_by_tensor_id
        record = by_object.get(id(tensor))
        try:
            grad_fn = tensor.grad_fn
        except RuntimeError:  # see encode.grad_fn_of; inlined: this is the hot path
            grad_fn = None
        if record is not None and record.grad_fn is grad_fn:
            return record
        if len(self.records) >= self.max_nodes:
            self.truncated = True
            return record
        step = self.step
        tensors = self.tensors
        number = len(tensors)
        ids = _TENSOR_IDS
        record = TensorRecord(
            ids[number] if number < len(ids) else _numbered(ids, "t", number),
            tensor,
            line,
            step,
            grad_fn,
        )
        tensors.append(record)
        self.records.append(record)
        by_object[id(tensor)] = record
        if grad_fn is not None:
            function = self._function_by_object.get(id(grad_fn))
            if function is None:
                function = self.record_function(grad_fn, line, step)
            if function is not None:
                function.outputs.append(record)
                record.producer = function
        return record

    def known_function(self, node: Any) -> FunctionRecord | None:
        return self._function_by_object.get(id(node))

    def record_function(self, node: Any, line: int | None, step: int) -> FunctionRecord | None:
        """Return the record of a grad_fn node, creating it when first seen."""
        record = self._function_by_object.get(id(node))
        if record is not None or not self._has_room():
            return record
        number = len(self.functions)
        ids = _FUNCTION_IDS
        record = FunctionRecord(
            ids[number] if number < len(ids) else _numbered(ids, "f", number),
            node,
            type(node).__name__,
            line,
            step,
            [],
        )
        self.functions.append(record)
        self.records.append(record)
        self._function_by_object[id(node)] = record
        if record.name == ACCUMULATE_GRAD:
            variable = self.record_tensor(node.variable, line)
            record.variable = variable
            if variable is not None and variable.line is not None:
                record.line = variable.line
        return record

    def resolve_next(self, record: FunctionRecord) -> list[tuple[FunctionRecord | None, int]]:
        """`next_functions` as records; nodes seen here first belong to the consumer's step."""
        resolved = record.next
        if resolved is None:
            known = self._function_by_object.get
            resolved = []
            for node, input_nr in record.node.next_functions:
                child = None
                if node is not None:
                    child = known(id(node))
                    if child is None:
                        child = self.record_function(node, record.line, record.step)
                resolved.append((child, input_nr))
            record.next = resolved
        return resolved

    def walk(self, roots: list[FunctionRecord]) -> list[FunctionRecord]:
        """Every function reachable from `roots` via next_functions (depth-first, no recursion)."""
        # Records hash by identity (eq=False), and each has its own id.
        visited: set[FunctionRecord] = set()
        order: list[FunctionRecord] = []
        stack = list(reversed(roots))
        resolve = self.resolve_next
        while stack:
            record = stack.pop()
            if record in visited:
                continue
            visited.add(record)
            order.append(record)
            children = record.next
            if children is None:
                children = resolve(record)
            for child, _ in reversed(children):
                if child is not None and child not in visited:
                    stack.append(child)
        return order

    def discover_all(self) -> None:
        """Resolve the edges of every function seen (the list grows while we go)."""
        functions = self.functions
        resolve = self.resolve_next
        index = 0
        while index < len(functions):
            function = functions[index]
            if function.next is None:
                resolve(function)
            index += 1

    def read_all_saved(self) -> None:
        """`read_saved` for every function, in order, while the budget lasts."""
        for function in self.functions:
            if self._saved_read >= SAVED_TENSOR_NODES:
                return
            if function.saved is None:
                self.read_saved(function)

    def records_in_order(self) -> list[TensorRecord | FunctionRecord]:
        """Tensors and functions in order of creation."""
        return self.records

    def read_saved(self, record: FunctionRecord) -> None:
        """Keep the tensors a node saved for backward; must happen before backward frees them.

        Unpacking saved tensors costs a few microseconds per node, so only the first
        `SAVED_TENSOR_NODES` nodes of a run get theirs (the rest keep `saved` None: not read).
        """
        if record.saved is not None or self._saved_read >= SAVED_TENSOR_NODES:
            return
        self._saved_read += 1
        saved: list[tuple[str, torch.Tensor]] = []
        for attribute in _saved_attribute_names(record.node):
            try:
                value = getattr(record.node, attribute)
            except Exception:  # freed by an earlier backward, or modified in place
                continue
            if isinstance(value, torch.Tensor):
                saved.append((attribute.removeprefix("_saved_"), value))
        if isinstance(record.node, CUSTOM_FUNCTION_NODE):  # a Function of the program
            try:
                tensors: tuple[Any, ...] = record.node.saved_tensors  # ctx.save_for_backward
            except RuntimeError:  # freed by an earlier backward
                tensors = ()
            for index, value in enumerate(tensors):
                if isinstance(value, torch.Tensor):
                    saved.append((f"saved_tensors[{index}]", value))
        record.saved = saved

    def add_constant_edge(self, constant: TensorRecord, function: FunctionRecord) -> None:
        self.constant_edges.append((constant, function))

    def release(self) -> None:
        """Drop every record (after rendering): frees the tensors and nodes they hold at once."""
        for function in self.functions:
            # A function and its outputs point at each other (outputs / producer): without
            # this, only the collector could free them.
            function.outputs.clear()
        self.records_by_tensor_id.clear()
        self._function_by_object.clear()
        self.tensors.clear()
        self.functions.clear()
        self.records.clear()
        self.constant_edges.clear()
