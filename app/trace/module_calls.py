"""Which graph nodes each `nn.Module` call created, so the page can fold them into one box.

While a run is captured, torch's global module hooks (`register_module_forward_pre_hook` /
`register_module_forward_hook`, torch's own extension point: nothing is patched) note every
module call with its enclosing call, its input tensors and its outputs. Nested calls (a
`Sequential` calling its `Linear`s) are seen too, although torch's own code makes them.
After the run, `render` walks each call's autograd graph from its outputs back to its inputs:
the functions on the way and the outputs are the call's nodes, given to the innermost call that
made them. Calls are named by where the program's variables
hold the module (`model.0`, as `named_modules()` names it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn.modules import module as module_hooks

from app.trace.nodes import NodeRegistry

# Graph nodes the walks of all calls may visit together: a forward that reaches past its inputs
# (a module holding a long chain's end) would otherwise walk that chain once per call.
WALK_BUDGET = 50_000


@dataclass(eq=False)
class ModuleCall:
    """One call of a module: what went in, what came out, and the call it happened in."""

    module: nn.Module
    parent: ModuleCall | None
    inputs: list[torch.Tensor]
    outputs: list[torch.Tensor] = field(default_factory=list)


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [item for item in value if isinstance(item, torch.Tensor)]
    return []


class ModuleCalls:
    """The module calls of one run (at most `max_calls`; later ones are not recorded)."""

    def __init__(self, max_calls: int) -> None:
        self.max_calls = max_calls
        self.calls: list[ModuleCall] = []
        self.truncated = False
        self._open: list[ModuleCall | None] = []

    @contextmanager
    def watching(self) -> Iterator[None]:
        """Record module calls inside the block; the hooks are removed when it ends."""
        before = module_hooks.register_module_forward_pre_hook(self._entered)
        after = module_hooks.register_module_forward_hook(self._left, always_call=True)
        try:
            yield
        finally:
            before.remove()
            after.remove()
            self._open.clear()

    def _entered(self, module: nn.Module, args: tuple[Any, ...]) -> None:
        if len(self.calls) >= self.max_calls:
            self.truncated = True
            self._open.append(None)
            return
        parent = next((call for call in reversed(self._open) if call is not None), None)
        call = ModuleCall(module, parent, [t for arg in args for t in _tensors(arg)])
        self.calls.append(call)
        self._open.append(call)

    def _left(self, module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        if not self._open:
            return
        call = self._open.pop()
        if call is not None and call.module is module:
            call.outputs = _tensors(output)

    def release(self) -> None:
        self.calls.clear()

    def render(self, registry: NodeRegistry, variables: Mapping[str, Any]) -> list[dict[str, Any]]:
        """`graph.modules`: each call that created a captured node, with those nodes' ids."""
        names = _module_names(variables)
        owner: dict[str, int] = {}  # node id → index of the innermost call that created it
        depth = {id(call): _depth(call) for call in self.calls}
        budget = [WALK_BUDGET]
        for index, call in enumerate(self.calls):
            for node_id in _created_nodes(call, registry, budget):
                held = owner.get(node_id)
                if held is None or depth[id(self.calls[held])] < depth[id(call)]:
                    owner[node_id] = index
        nodes_of: dict[int, list[str]] = {}
        for node_id, index in owner.items():
            nodes_of.setdefault(index, []).append(node_id)
        index_of = {id(call): index for index, call in enumerate(self.calls)}
        rendered: list[dict[str, Any]] = []
        for index, call in enumerate(self.calls):
            nodes = nodes_of.get(index)
            if not nodes:
                continue
            name = names.get(id(call.module))
            parent = call.parent
            rendered.append(
                {
                    "id": f"m{index}",
                    "name": name,
                    "type": type(call.module).__name__,
                    "label": _label(name, call.module),
                    "parent": None if parent is None else f"m{index_of[id(parent)]}",
                    "nodes": list(dict.fromkeys(nodes)),
                }
            )
        return rendered


def _depth(call: ModuleCall) -> int:
    depth = 0
    while call.parent is not None:
        call, depth = call.parent, depth + 1
    return depth


def _created_nodes(call: ModuleCall, registry: NodeRegistry, budget: list[int]) -> list[str]:
    """The captured nodes the call created: its outputs and the functions between its inputs
    and its outputs. Leaves (the module's parameters among them) and their AccumulateGrad
    nodes outlive the call and are shared by every call, so they belong to none."""
    stop = {id(t.grad_fn) for t in call.inputs if t.grad_fn is not None}
    found: list[str] = []
    seen: set[int] = set()
    stack = []
    for output in call.outputs:
        record = registry.known_tensor(output)
        if record is not None and output.grad_fn is not None:
            found.append(record.id)
        if output.grad_fn is not None:
            stack.append(output.grad_fn)
    while stack and budget[0] > 0:
        budget[0] -= 1
        function = stack.pop()
        if id(function) in seen or id(function) in stop or hasattr(function, "variable"):
            continue
        seen.add(id(function))
        known = registry.known_function(function)
        if known is not None:
            found.append(known.id)
        stack.extend(child for child, _ in function.next_functions if child is not None)
    return found


def _module_names(variables: Mapping[str, Any]) -> dict[int, str]:
    """id(module) → its name: the variable holding it, then `named_modules()` paths."""
    names: dict[int, str] = {}
    for variable, value in variables.items():
        if isinstance(value, nn.Module):
            for path, module in value.named_modules():
                names.setdefault(id(module), f"{variable}.{path}" if path else variable)
    return names


def _label(name: str | None, module: nn.Module) -> str:
    """`model.0: Linear(2→4)`: the name, the class, and a Linear's sizes."""
    kind = type(module).__name__
    if isinstance(module, nn.Linear):
        kind = f"{kind}({module.in_features}→{module.out_features})"
    return kind if name is None else f"{name}: {kind}"
