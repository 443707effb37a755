"""The gradients on the graph's edges and nodes and in the backward trace are torch's.

Each program is run in the sandbox; every edge `grad`, tensor node `grad`, step
`grads_in`/`grads_out`, `leaf_grads` and `root_grads` of its RunResult is compared with
`torch.autograd.grad` of the loss in real torch (graph_gradients.py says how).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.runner import run_program
from tests.differential.graph_gradients import gradient_differences

HEADER = "import torch\nimport torch.nn.functional as F\n"

PROGRAMS: dict[str, str] = {
    # Both inputs of one MulBackward0 come from AccumulateGrad output 0 (input_nr 0): the
    # edge from w must carry x, the one from x must carry w.
    "mul-two-leaves": """
x = torch.tensor([1.0, 2.0], requires_grad=True)
w = torch.tensor([3.0, 4.0], requires_grad=True)
z = (x * w).sum()
z.backward()
""",
    # The second output of split reaches its consumer through input_nr 1 at position 0.
    "split-weighted-outputs": """
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
a, b = x.split(2)
c = a * 2
d = b * 5
loss = c.sum() + d.sum()
loss.backward()
""",
    "split-first-output-unused": """
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
a, b = x.split(2)
loss = (b * 5).sum()
loss.backward()
""",
    "chunk-three-ways": """
x = torch.linspace(-1.0, 1.0, 6).reshape(3, 2).requires_grad_()
top, middle, bottom = x.chunk(3)
loss = (top * 3).sum() + (bottom * -2).sum() + (middle * middle).sum()
loss.backward()
""",
    "max-and-min-along-a-dim": """
x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 0.5, 3.0]], requires_grad=True)
biggest, where_big = x.max(dim=1)
smallest, where_small = x.min(dim=0)
loss = (biggest * torch.tensor([2.0, 3.0])).sum() + (smallest * 10).sum()
loss.backward()
""",
    "same-tensor-twice": """
x = torch.tensor([0.5, -1.5, 2.0], requires_grad=True)
y = x * x
z = x * x.exp()
loss = y.sum() + z.sum()
loss.backward()
""",
    "matmul-both-sides": """
a = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
b = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]], requires_grad=True)
c = a @ b
v = torch.matmul(b, a[:, 0])
loss = (c * c).mean() + v.sum()
loss.backward()
""",
    "where-cat-stack": """
a = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
b = torch.tensor([-1.0, 4.0, 0.5], requires_grad=True)
picked = torch.where(a > b, a, b)
joined = torch.cat([a, b * 2])
stacked = torch.stack([a, b], dim=1)
weights = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
loss = picked.sum() + (joined * joined).sum() + (stacked * weights).sum()
loss.backward()
""",
    # F.linear with a bias is one AddmmBackward0 with three differentiable inputs, the weight
    # reaching it through an internal TBackward0 (a node with no tensor of its own).
    "linear-layers-mse": """
x = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
target = torch.tensor([[1.0], [0.0]])
w1 = torch.tensor([[0.1, 0.2, 0.3], [-0.3, 0.1, 0.2]], requires_grad=True)
b1 = torch.tensor([0.05, -0.05], requires_grad=True)
w2 = torch.tensor([[0.7, -0.4]], requires_grad=True)
b2 = torch.tensor([0.1], requires_grad=True)
hidden = F.linear(x, w1, b1).tanh()
out = F.linear(hidden, w2, b2)
loss = F.mse_loss(out, target)
loss.backward()
""",
    "split-then-matmul": """
w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [1.0, 0.0, 1.0]])
w.requires_grad_()
upper, lower = w.split([1, 3])
x = torch.tensor([1.0, -1.0, 2.0], requires_grad=True)
first = upper @ x
rest = lower @ x
loss = first.sum() * 3 + (rest * torch.tensor([1.0, 2.0, 3.0])).sum()
loss.backward()
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_gradient_shown_is_autograd_grad(name: str) -> None:
    source = HEADER + PROGRAMS[name].lstrip("\n")
    result = run_program(source)
    assert result["ok"], result["error"]
    found = gradient_differences(source, result)
    assert not found, "\n".join(found)


def _doctored(source: str, change: Any) -> list[str]:
    result = copy.deepcopy(run_program(source))
    change(result)
    return gradient_differences(source, result)


def _edges_into(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    nodes = {node["id"]: node for node in result["graph"]["nodes"]}
    return [
        edge
        for edge in result["graph"]["edges"]
        if edge["kind"] == "next" and nodes[edge["target"]].get("name") == name
    ]


def test_the_comparison_catches_swapped_edge_gradients() -> None:
    source = HEADER + PROGRAMS["mul-two-leaves"].lstrip("\n")

    def swap(result: dict[str, Any]) -> None:
        first, second = _edges_into(result, "MulBackward0")
        first["grad"], second["grad"] = second["grad"], first["grad"]

    assert _doctored(source, swap)


def test_the_comparison_catches_a_wrong_step_gradient() -> None:
    source = HEADER + PROGRAMS["mul-two-leaves"].lstrip("\n")

    def swap(result: dict[str, Any]) -> None:
        for step in result["backward_trace"][0]["steps"]:
            if step["name"] == "MulBackward0":
                step["grads_out"].reverse()

    assert _doctored(source, swap)


def test_the_comparison_catches_a_later_output_showing_the_first_ones_gradient() -> None:
    source = HEADER + PROGRAMS["split-weighted-outputs"].lstrip("\n")

    def first_output(result: dict[str, Any]) -> None:
        nodes = {node["id"]: node for node in result["graph"]["nodes"]}
        split = next(node for node in nodes.values() if node.get("name") == "SplitBackward0")
        first, second = (nodes[output] for output in split["outputs"])
        second["grad"] = first["grad"]

    found = _doctored(source, first_output)
    assert any("['b']" in line for line in found), found


def test_the_comparison_catches_a_missing_edge_gradient() -> None:
    source = HEADER + PROGRAMS["split-weighted-outputs"].lstrip("\n")

    def drop(result: dict[str, Any]) -> None:
        for edge in _edges_into(result, "MulBackward0"):
            edge["grad"] = None

    assert _doctored(source, drop)
