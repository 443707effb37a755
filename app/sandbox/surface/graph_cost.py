"""What one backward pass costs: the graph it will traverse, priced before it runs.

A pass calls every node reachable from its roots once. Forward ops paid for their nodes only
once, but a graph can be traversed many times (`retain_graph=True` in a loop), and graphs built
by `create_graph=True` passes were never paid at all (each higher-order `autograd.grad` can
double the graph). So each `backward`, `autograd.grad` and each pass of `autograd.functional`
pays for the whole graph it walks: per node the gradients it receives and sends (its
`_input_metadata` shapes, as the engine allocates them), and the inner dimension too for the
matmul family, whose backward is a matmul again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

# Element operations per gradient element a node receives: read it, compute and allocate the
# gradients of its inputs, accumulate them. Measured on torch 2.13, one thread: a backward pass
# through 20 muls of 10**6 elements takes 90-240 ms where the forward took 12 ms (2·10**7
# units of run_cost), so a gradient element costs ~8 forward units.
WORK_PER_GRAD_ELEMENT = 8
# Fixed work of calling one node, in the same units: the engine's dispatch and bookkeeping take
# ~6 µs a node on small tensors (≈ 10,000 units at the forward's rate); counted twice, so that
# run_cost stops a pass-heavy program well inside the deadline on a loaded machine too.
NODE_WORK = 20_000
# A create_graph=True pass records a new node for every node it calls: ~17 µs a node, measured.
CREATE_GRAPH_FACTOR = 3
# Nodes whose backward multiplies by a saved matrix: the gradient costs its inner dimension
# per element (name → attribute holding the saved left operand's sizes, or the tensor itself).
_MATMUL_NODES = {
    "MmBackward0": "_saved_self_sym_sizes",
    "AddmmBackward0": "_saved_mat1_sym_sizes",
    "BmmBackward0": "_saved_self",
    "BaddbmmBackward0": "_saved_batch1",
}


def _inner_dimension(node: Any, attribute: str) -> int:
    try:
        saved = getattr(node, attribute)
    except (AttributeError, RuntimeError):  # freed buffers: torch refuses the pass itself
        return 1
    sizes = saved.shape if isinstance(saved, torch.Tensor) else saved
    return max(int(sizes[-1]), 1) if len(sizes) else 1


def graph_cost(roots: Iterable[Any], cap: int, create_graph: bool = False) -> int:
    """Element operations of one backward pass from `roots` (tensors), or `cap + 1` as soon as
    the count passes `cap` (the pass is refused then: no need to walk the rest)."""
    node_work = NODE_WORK * (CREATE_GRAPH_FACTOR if create_graph else 1)
    stack = [root.grad_fn for root in roots if isinstance(root, torch.Tensor)]
    seen: set[Any] = set()
    cost = 0
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        received = 0
        for metadata in node._input_metadata:
            elements = 1
            for size in metadata.shape:
                elements *= size
            received += elements
        work = received * WORK_PER_GRAD_ELEMENT
        inner = _MATMUL_NODES.get(type(node).__name__)
        if inner is not None:
            work *= _inner_dimension(node, inner)
        cost += node_work + work
        if cost > cap:
            return cap + 1
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in seen:
                stack.append(next_node)
    return max(cost, 1)
