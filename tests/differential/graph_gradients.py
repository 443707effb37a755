"""Check every gradient a RunResult's graph and backward trace show against torch.autograd.grad.

The program ends with `<loss>.backward()` (its only backward call) and binds each name once.
The oracle runs it in real CPython + torch without that last line, then asks
`torch.autograd.grad(loss, ...)` (graph retained) for each gradient the result shows:

- tensor node `grad`: the gradient w.r.t. that tensor (by name; an unnamed result through its
  gradient edge `(grad_fn, output_nr)`; a leaf through its AccumulateGrad's variable);
- `backward_trace[0].steps[].grads_in[j]`: the gradient w.r.t. output j of the step's node;
- next edges (`graph.edges[*].grad`, and the same gradients as `steps[].grads_out`): an edge
  carries what its consumer sent to the input at `position`. Two independent sums pin it down:
  * all edges leaving one input `(source, input_nr)` add up to the gradient w.r.t. that input
    (a single edge is checked exactly);
  * the edges from one named tensor into one statement's nodes add up to the vector-Jacobian
    product of that statement alone, w.r.t. that tensor: the statement is evaluated again on
    detached copies of its inputs and `autograd.grad` is asked for each copy.
- `leaf_grads` and `root_grads` of the call.

The sandbox's function nodes are matched to torch's real nodes by walking `next_functions` from
the named tensors' `grad_fn`s along the edges' positions; a node torch does not have there is a
difference too. `eval` of a statement happens here, in the test oracle, never in the server.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch.autograd.graph import GradientEdge

from tests.differential.oracle import run_reference

ACCUMULATE_GRAD = "AccumulateGrad"
# The sandbox runs the same torch ops as the oracle; sums of several edges and recomputed
# statements may round differently in the last bits of float32.
RTOL = 1e-5
ATOL = 1e-6


@dataclass
class Statement:
    """One top-level `target(s) = expression` of the program."""

    line: int
    targets: list[str]
    expression: str
    inputs: list[str]  # the names the expression reads, in order of first use


def _program_parts(source: str) -> tuple[str, str, list[Statement]]:
    """(source without its final backward call, the loss name, the assignments before it)."""
    tree = ast.parse(source)
    last = tree.body[-1]
    if not (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Attribute)
        and last.value.func.attr == "backward"
        and isinstance(last.value.func.value, ast.Name)
        and not last.value.args
        and not last.value.keywords
    ):
        raise ValueError("the program must end with `<name>.backward()`")
    loss = last.value.func.value.id
    prefix = "\n".join(source.splitlines()[: last.lineno - 1]) + "\n"
    statements: list[Statement] = []
    bound: set[str] = set()
    for node in tree.body[:-1]:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name):
            targets = [target.id]
        elif isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts):
            targets = [e.id for e in target.elts if isinstance(e, ast.Name)]
        else:
            continue
        if bound & set(targets):
            raise ValueError(f"line {node.lineno}: each name must be bound once")
        bound.update(targets)
        inputs: list[str] = []
        for child in ast.walk(node.value):
            if isinstance(child, ast.Name) and child.id not in inputs:
                inputs.append(child.id)
        statements.append(Statement(node.lineno, targets, ast.unparse(node.value), inputs))
    return prefix, loss, statements


def _as_tensor(data: Any) -> torch.Tensor:
    """A gradient as the result sends it (nested lists; non-finite floats as strings)."""

    def number(value: Any) -> Any:
        if isinstance(value, list):
            return [number(item) for item in value]
        if isinstance(value, str):
            return float(value)
        return value

    return torch.tensor(number(data), dtype=torch.float64)


def _same(shown: Any, expected: torch.Tensor | None, scale: float = 0.0) -> bool:
    """Whether a shown gradient (data or a tensor) is torch's; `scale`: see _sum."""
    if expected is None or shown is None:
        return expected is None and shown is None
    tensor = shown if isinstance(shown, torch.Tensor) else _as_tensor(shown)
    wanted = expected.detach().to(torch.float64)
    if tensor.shape != wanted.shape:
        return False
    atol = ATOL + RTOL * scale
    return bool(torch.allclose(tensor, wanted, rtol=RTOL, atol=atol, equal_nan=True))


def _sum(values: list[Any]) -> tuple[torch.Tensor | None, float]:
    """The sum of shown gradients (None = nothing flowed) and the largest magnitude summed.

    Terms that nearly cancel leave a small sum whose float32 rounding error is relative to the
    terms, not to the sum: the comparison allows for it through that magnitude.
    """
    present = [_as_tensor(value) for value in values if value is not None]
    if not present:
        return None, 0.0
    total = present[0]
    for value in present[1:]:
        total = total + value
    finite = [value[value.isfinite()] for value in present]
    scale = max((float(value.abs().max()) for value in finite if value.numel()), default=0.0)
    return total, scale


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return repr(value.detach().tolist())
    return repr(value)


class _Oracle:
    """`torch.autograd.grad(loss, ...)` over the real program's graph (kept alive)."""

    def __init__(self, loss: torch.Tensor) -> None:
        self.loss = loss

    def grad(self, target: torch.Tensor | GradientEdge) -> torch.Tensor | None:
        if isinstance(target, torch.Tensor) and not target.requires_grad:
            return None
        (result,) = torch.autograd.grad(self.loss, target, retain_graph=True, allow_unused=True)
        return result

    def input_grad(self, node: Any, output_nr: int) -> torch.Tensor | None:
        """The gradient w.r.t. output `output_nr` of `node` (a leaf: w.r.t. the leaf)."""
        if type(node).__name__ == ACCUMULATE_GRAD:
            return self.grad(node.variable)
        # torch crashes (not raises) on an output number the node does not have.
        if not 0 <= output_nr < len(node._input_metadata):
            raise IndexError(f"{type(node).__name__} has no output {output_nr}")
        return self.grad(GradientEdge(node, output_nr))


def _match_functions(
    nodes: dict[str, dict[str, Any]],
    next_edges: list[dict[str, Any]],
    namespace: dict[str, Any],
    found: list[str],
) -> dict[str, Any]:
    """Sandbox function id → torch's Node, walking from the named tensors' grad_fns."""
    matched: dict[str, Any] = {}

    def match(function_id: str, node: Any, why: str) -> None:
        name = nodes[function_id]["name"]
        if type(node).__name__ != name:
            found.append(f"{function_id}: sandbox {name}, torch {type(node).__name__} ({why})")
            return
        known = matched.get(function_id)
        if known is None:
            matched[function_id] = node
        elif known is not node:
            found.append(f"{function_id} ({name}) stands for two torch nodes ({why})")

    for node in nodes.values():
        if node["kind"] != "tensor" or node["grad_fn_node"] is None:
            continue
        for name in node["names"]:
            tensor = namespace.get(name)
            if isinstance(tensor, torch.Tensor) and tensor.grad_fn is not None:
                match(node["grad_fn_node"], tensor.grad_fn, f"grad_fn of {name}")
    by_target: dict[str, list[dict[str, Any]]] = {}
    for edge in next_edges:
        by_target.setdefault(edge["target"], []).append(edge)
    pending = list(matched)
    while pending:
        function_id = pending.pop()
        consumer = matched[function_id]
        for edge in by_target.get(function_id, []):
            position = edge["position"]
            if position >= len(consumer.next_functions):
                found.append(f"{edge['id']}: position {position} beyond next_functions")
                continue
            child, input_nr = consumer.next_functions[position]
            if child is None:
                found.append(f"{edge['id']}: torch has no next function at {position}")
                continue
            if input_nr != edge["input_nr"]:
                found.append(f"{edge['id']}: input_nr {edge['input_nr']}, torch {input_nr}")
            first = edge["source"] not in matched
            match(edge["source"], child, f"next function {position} of {function_id}")
            if first and edge["source"] in matched:
                pending.append(edge["source"])
    for function_id, node in nodes.items():
        if node["kind"] == "function" and function_id not in matched:
            found.append(f"{function_id} ({node['name']}) matches no node of torch's graph")
    return matched


def _regions(
    statements: list[Statement], namespace: dict[str, Any]
) -> tuple[dict[int, int], list[list[Any]]]:
    """Which torch nodes each statement created: id(node) → statement index, and the nodes.

    A statement's nodes are those reached from its results' grad_fns without passing a node
    that belongs to an earlier statement's result or a leaf's AccumulateGrad.
    """
    owner: dict[int, int] = {}
    regions: list[list[Any]] = []
    earlier: set[int] = set()
    for index, statement in enumerate(statements):
        results = [
            value
            for name in statement.targets
            for value in _flatten(namespace.get(name))
            if isinstance(value, torch.Tensor)
        ]
        region: list[Any] = []
        stack = [t.grad_fn for t in results if t.grad_fn is not None]
        while stack:
            node = stack.pop()
            if id(node) in earlier or id(node) in owner:
                continue
            if type(node).__name__ == ACCUMULATE_GRAD:
                continue
            owner[id(node)] = index
            region.append(node)
            stack.extend(child for child, _ in node.next_functions if child is not None)
        regions.append(region)
        earlier.update(id(t.grad_fn) for t in results if t.grad_fn is not None)
    return owner, regions


def _statement_vjp(
    statement: Statement, namespace: dict[str, Any], oracle: _Oracle
) -> dict[str, torch.Tensor | None] | None:
    """d loss / d input through this statement alone, for each tensor input that needs grad.

    None when no gradient reaches the statement's results (nothing flows into it).
    """
    copies: dict[str, Any] = {}
    differentiable: list[str] = []
    for name in statement.inputs:
        value = namespace.get(name)
        if isinstance(value, torch.Tensor):
            copy = value.detach().clone()
            if value.requires_grad:
                copy.requires_grad_(True)
                differentiable.append(name)
            copies[name] = copy
        elif name in namespace:
            copies[name] = value
    if not differentiable:
        return {}
    scope = {"torch": torch, "F": F, "nn": torch.nn, **copies}
    # The test oracle recomputes the statement on copies (never done by the server).
    recomputed = list(_flatten(eval(statement.expression, scope)))
    originals = list(_flatten([namespace[name] for name in statement.targets]))
    outputs: list[torch.Tensor] = []
    gradients: list[torch.Tensor | None] = []
    for copy, original in zip(recomputed, originals, strict=True):
        if isinstance(copy, torch.Tensor) and copy.requires_grad:
            outputs.append(copy)
            gradients.append(oracle.grad(original))
    if not outputs or all(g is None for g in gradients):
        return None
    filled = [
        torch.zeros_like(output) if g is None else g
        for output, g in zip(outputs, gradients, strict=True)
    ]
    results = torch.autograd.grad(
        outputs, [copies[name] for name in differentiable], filled, allow_unused=True
    )
    return dict(zip(differentiable, results, strict=True))


def _input_name(statement: Statement, namespace: dict[str, Any], node: Any, nr: int) -> str | None:
    """The input of `statement` whose gradient edge is (node, nr), if it is one by name."""
    for name in statement.inputs:
        value = namespace.get(name)
        if not isinstance(value, torch.Tensor):
            continue
        if type(node).__name__ == ACCUMULATE_GRAD:
            if value is node.variable:
                return name
        elif value.grad_fn is node and value.output_nr == nr:
            return name
    return None


def _edge_checks(
    label: str,
    shown: dict[str, Any],
    next_edges: list[dict[str, Any]],
    matched: dict[str, Any],
    oracle: _Oracle,
    statements: list[Statement],
    namespace: dict[str, Any],
    found: list[str],
) -> None:
    """Both sums of the module docstring over `shown` (edge id → gradient as shown)."""
    owner, _ = _regions(statements, namespace)
    by_input: dict[tuple[str, int], list[dict[str, Any]]] = {}
    by_statement: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for edge in next_edges:
        source, target = matched.get(edge["source"]), matched.get(edge["target"])
        if source is None or target is None:
            continue
        by_input.setdefault((edge["source"], edge["input_nr"]), []).append(edge)
        index = owner.get(id(target))
        if index is None or owner.get(id(source)) == index:
            continue  # an edge inside one statement: only the first sum applies
        name = _input_name(statements[index], namespace, source, edge["input_nr"])
        if name is not None:
            by_statement.setdefault((index, name), []).append(edge)
    for (source_id, nr), edges in by_input.items():
        expected = oracle.input_grad(matched[source_id], nr)
        total, scale = _sum([shown.get(edge["id"]) for edge in edges])
        if not _same(total, expected, scale):
            ids = ", ".join(edge["id"] for edge in edges)
            found.append(
                f"{label} {ids} (from {source_id} output {nr}): sum {_describe(total)}, "
                f"autograd.grad {_describe(expected)}"
            )
    vjps: dict[int, dict[str, torch.Tensor | None] | None] = {}
    for (index, name), edges in by_statement.items():
        if index not in vjps:
            vjps[index] = _statement_vjp(statements[index], namespace, oracle)
        vjp = vjps[index]
        expected = None if vjp is None else vjp.get(name)
        total, scale = _sum([shown.get(edge["id"]) for edge in edges])
        if not _same(total, expected, scale):
            ids = ", ".join(edge["id"] for edge in edges)
            found.append(
                f"{label} {ids} (from {name} into line {statements[index].line}): "
                f"{_describe(total)}, autograd.grad {_describe(expected)}"
            )


def _tensor_node_checks(
    nodes: dict[str, dict[str, Any]],
    matched: dict[str, Any],
    oracle: _Oracle,
    namespace: dict[str, Any],
    found: list[str],
) -> None:
    accumulators = {
        node["tensor"]: function_id
        for function_id, node in nodes.items()
        if node["kind"] == "function" and node["name"] == ACCUMULATE_GRAD
    }
    for node_id, node in nodes.items():
        if node["kind"] != "tensor":
            continue
        named = [namespace[n] for n in node["names"] if isinstance(namespace.get(n), torch.Tensor)]
        target: Any
        if named:
            target, how = named[0], f"w.r.t. {node['names'][0]}"
        elif node["grad_fn_node"] is not None:
            function = matched.get(node["grad_fn_node"])
            if function is None:
                continue  # reported by the matching
            outputs = nodes[node["grad_fn_node"]]["outputs"]
            if len(function._input_metadata) != 1:
                found.append(f"{node_id}: unnamed output of {outputs}, cannot tell which")
                continue
            target, how = GradientEdge(function, 0), f"w.r.t. output 0 of {node['grad_fn']}"
        elif node_id in accumulators and accumulators[node_id] in matched:
            target, how = matched[accumulators[node_id]].variable, "w.r.t. the leaf"
        elif node["requires_grad"]:
            found.append(f"{node_id}: a leaf the oracle cannot find")
            continue
        else:
            target, how = None, "no grad"
        expected = None if target is None else oracle.grad(target)
        if not _same(node["grad"], expected):
            found.append(
                f"node {node_id} {node['names']} grad: sandbox {node['grad']!r}, "
                f"autograd.grad {how} {_describe(expected)}"
            )


def _step_checks(
    call: dict[str, Any],
    nodes: dict[str, dict[str, Any]],
    edges: dict[str, dict[str, Any]],
    matched: dict[str, Any],
    oracle: _Oracle,
    found: list[str],
) -> dict[str, Any]:
    """grads_in of every step; returns the steps' grads_out by edge id (for the edge sums)."""
    sent: dict[str, Any] = {}
    for step in call["steps"]:
        function = matched.get(step["node"])
        if function is None:
            found.append(f"step {step['step']}: node {step['node']} not in torch's graph")
            continue
        for output_nr, shown in enumerate(step["grads_in"]):
            try:
                expected = oracle.input_grad(function, output_nr)
            except IndexError as error:
                found.append(f"step {step['step']} ({step['name']}): {error}")
                continue
            if not _same(shown, expected):
                found.append(
                    f"step {step['step']} ({step['name']}) grads_in[{output_nr}]: sandbox "
                    f"{shown!r}, autograd.grad {_describe(expected)}"
                )
        if len(step["grads_out"]) != len(function.next_functions):
            found.append(f"step {step['step']}: {len(step['grads_out'])} grads_out")
        if len(step["edges"]) != len(step["grads_out"]):
            found.append(f"step {step['step']}: edges not aligned with grads_out")
        for position, (edge_id, grad) in enumerate(
            zip(step["edges"], step["grads_out"], strict=False)
        ):
            if edge_id is None:
                if function.next_functions[position][0] is not None:
                    found.append(f"step {step['step']}: no edge at position {position}")
                continue
            edge = edges.get(edge_id)
            if edge is None or edge["target"] != step["node"] or edge["position"] != position:
                found.append(f"step {step['step']}: edge {edge_id} is not at {position}")
                continue
            sent[edge_id] = grad
    return sent


def gradient_differences(source: str, result: dict[str, Any], seed: int = 0) -> list[str]:
    """Every gradient of `result` (a RunResult of `source`) that torch.autograd.grad disputes."""
    prefix, loss_name, statements = _program_parts(source)
    reference = run_reference(prefix, seed)
    if reference.error is not None:
        raise ValueError(f"the program fails in CPython: {reference.error}")
    found: list[str] = []
    if not result["ok"]:
        return [f"the sandbox failed: {result['error']}"]
    namespace = reference.namespace
    oracle = _Oracle(namespace[loss_name])
    graph = result["graph"]
    nodes = {node["id"]: node for node in graph["nodes"]}
    edges = {edge["id"]: edge for edge in graph["edges"]}
    next_edges = [edge for edge in graph["edges"] if edge["kind"] == "next"]
    matched = _match_functions(nodes, next_edges, namespace, found)
    _tensor_node_checks(nodes, matched, oracle, namespace, found)
    calls = result["backward_trace"]
    if len(calls) != 1:
        return [*found, f"{len(calls)} backward calls recorded, expected 1"]
    call = calls[0]
    loss = namespace[loss_name]
    if not _same(call["root_grads"][0], torch.ones_like(loss)):
        found.append(f"root_grads {call['root_grads']!r}")
    for leaf_id, shown in call["leaf_grads"].items():
        names = nodes[leaf_id]["names"]
        leaf = namespace.get(names[0]) if names else None
        if isinstance(leaf, torch.Tensor) and not _same(shown, oracle.grad(leaf)):
            found.append(f"leaf_grads[{leaf_id}] {shown!r}: autograd.grad {oracle.grad(leaf)}")
    sent = _step_checks(call, nodes, edges, matched, oracle, found)
    shown_on_edges = {edge["id"]: edge["grad"] for edge in next_edges}
    _edge_checks("edges", shown_on_edges, next_edges, matched, oracle, statements, namespace, found)
    ran = set(sent)
    step_edges = [edge for edge in next_edges if edge["id"] in ran]
    _edge_checks("grads_out", sent, step_edges, matched, oracle, statements, namespace, found)
    for edge in next_edges:
        if edge["id"] not in ran and edge["grad"] is not None:
            found.append(f"{edge['id']} shows {edge['grad']!r} but no step sent it")
    return found
