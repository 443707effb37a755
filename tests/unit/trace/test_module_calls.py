"""graph.modules: which autograd nodes each nn.Module call created (app/trace/module_calls.py)."""

from __future__ import annotations

from typing import Any

import pytest
from torch.nn.modules import module as module_hooks

from app.runner import run_program

MLP = """import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
x = torch.randn(4, 2)
out = model(x)
loss = out.pow(2).mean()
loss.backward()
"""


def by_name(result: dict[str, Any]) -> dict[str, list[str]]:
    """Module label → the grad_fn names / tensor names of its nodes."""
    nodes = {node["id"]: node for node in result["graph"]["nodes"]}

    def describe(node_id: str) -> str:
        node = nodes[node_id]
        return node["name"] if node["kind"] == "function" else ",".join(node.get("names") or [])

    calls = result["graph"]["modules"]
    return {call["label"]: [describe(i) for i in call["nodes"]] for call in calls}


def test_each_layer_owns_the_functions_it_created_named_by_its_path() -> None:
    result = run_program(MLP, seed=0)
    assert result["ok"], result["error"]
    modules = by_name(result)
    assert modules == {
        "model.0: Linear(2→3)": ["AddmmBackward0", "TBackward0"],
        "model.1: ReLU": ["ReluBackward0"],
        # The last layer made the Sequential's output too: the innermost call owns it.
        "model.2: Linear(3→1)": ["out", "AddmmBackward0", "TBackward0"],
    }
    parents = {call["label"]: call["parent"] for call in result["graph"]["modules"]}
    assert len(set(parents.values())) == 1 and None not in parents.values()


def test_a_module_never_bound_to_a_variable_is_named_by_its_class() -> None:
    source = "import torch\nfrom torch import nn\nx = torch.ones(1, 2, requires_grad=True)\n"
    source += "y = nn.Linear(2, 2)(x).sum()\n"
    result = run_program(source, seed=0)
    assert [call["label"] for call in result["graph"]["modules"]] == ["Linear(2→2)"]
    assert [call["name"] for call in result["graph"]["modules"]] == [None]


def test_leaves_and_their_accumulate_grad_belong_to_no_call() -> None:
    result = run_program(MLP, seed=0)
    owned = {node_id for call in result["graph"]["modules"] for node_id in call["nodes"]}
    for node in result["graph"]["nodes"]:
        if node.get("is_leaf") or node.get("name") == "AccumulateGrad":
            assert node["id"] not in owned, node


def test_without_modules_the_list_is_empty_and_no_hook_outlives_the_run() -> None:
    result = run_program("import torch\nx = torch.ones(2, requires_grad=True)\n(x * 2).sum()\n")
    assert result["graph"]["modules"] == []
    failing = MLP.replace("model(x)", "model(torch.ones(4, 5))")  # a shape error inside forward
    assert run_program(failing, seed=0)["error"]["type"] == "RuntimeError"
    assert not module_hooks._global_forward_pre_hooks
    assert not module_hooks._global_forward_hooks


def test_the_walks_share_one_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each call of `m` reaches past its input into a long chain it holds: without one budget for
    # all walks, rendering would visit that chain once per call.
    from app.trace import module_calls

    monkeypatch.setattr(module_calls, "WALK_BUDGET", 50)
    source = """import torch
from torch import nn

class Shift(nn.Module):
    def __init__(self, t):
        super().__init__()
        self.t = t

    def forward(self, x):
        return x + self.t

c = torch.ones(1, requires_grad=True)
for i in range(200):
    c = c * 1.0
m = Shift(c)
for i in range(30):
    y = m(torch.ones(1))
"""
    result = run_program(source, seed=0)
    assert result["ok"], result["error"]
    owned = [node for call in result["graph"]["modules"] for node in call["nodes"]]
    assert 0 < len(owned) <= 2 * 50  # outputs (not walked) plus at most the budget's functions


def test_more_module_calls_than_the_limit_say_so_in_the_graph() -> None:
    # nn.Identity makes no node, so the graph stays far below limits.graph_nodes while the
    # calls pass it: only the module calls are cut.
    from app.sandbox.limits import Limits

    source = """import torch
from torch import nn
x = torch.ones(2, requires_grad=True)
same = nn.Identity()
for i in range(CALLS):
    x = same(x)
y = nn.Linear(2, 1)(x)
"""
    limits = Limits(graph_nodes=12)
    within = run_program(source.replace("CALLS", "10"), seed=0, limits=limits)
    assert within["ok"], within["error"]
    assert within["graph"]["modules_truncated"] is False
    assert [call["type"] for call in within["graph"]["modules"]] == ["Linear"]
    beyond = run_program(source.replace("CALLS", "12"), seed=0, limits=limits)
    assert beyond["ok"], beyond["error"]
    assert beyond["graph"]["modules_truncated"] is True
    assert beyond["graph_truncated"] is False, "the graph itself was not cut"
    # The 13th call (the Linear) came after the limit: its nodes are in no call.
    assert beyond["graph"]["modules"] == []
    assert len(beyond["graph"]["nodes"]) == len(within["graph"]["nodes"])
