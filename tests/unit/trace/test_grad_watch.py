"""The timeline's `grads`: `.grad` exactly as torch holds it after each statement."""

from __future__ import annotations

from typing import Any

import torch

from app.runner import run_program

PROGRAM = """import torch
x = torch.ones(2, requires_grad=True)
y = x * 3
z = (y * y).sum()
z.backward(retain_graph=True)
z.backward()
x.grad.zero_()
q = x * 2
q.retain_grad()
q.sum().backward()
x.grad = None
"""


def grads_by_line(result: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(line, .grad of every tensor as of that statement), replaying the entries' changes."""
    names = {n["id"]: n["names"] for n in result["graph"]["nodes"] if n.get("names")}
    state: dict[str, Any] = {}
    seen = []
    for entry in result["timeline"]:
        for node, grad in entry.get("grads", {}).items():
            state[names.get(node, [node])[0]] = None if grad is None else grad["value"]
        seen.append((entry["line"], {name: v for name, v in state.items() if v is not None}))
    return seen


def torch_grads_by_line() -> list[tuple[int, dict[str, Any]]]:
    """The same program in torch, reading .grad after every line (no sandbox, no capture)."""
    seen: list[tuple[int, dict[str, Any]]] = [(1, {})]

    def note(line: int, **tensors: torch.Tensor) -> None:
        seen.append((line, {n: t.grad.tolist() for n, t in tensors.items() if t.grad is not None}))

    x = torch.ones(2, requires_grad=True)
    note(2, x=x)
    y = x * 3
    note(3, x=x)
    z = (y * y).sum()
    note(4, x=x)
    z.backward(retain_graph=True)
    note(5, x=x)
    z.backward()
    note(6, x=x)
    assert x.grad is not None
    x.grad.zero_()
    note(7, x=x)
    q = x * 2
    note(8, x=x)
    q.retain_grad()
    note(9, x=x, q=q)
    q.sum().backward()
    note(10, x=x, q=q)
    x.grad = None
    note(11, x=x, q=q)
    return seen


def test_grads_follow_accumulation_zeroing_retain_grad_and_none() -> None:
    result = run_program(PROGRAM)
    assert result["ok"], result["error"]
    assert grads_by_line(result) == torch_grads_by_line()


def test_a_non_leaf_without_retain_grad_never_has_a_grad() -> None:
    result = run_program(
        "import torch\nx = torch.ones(2, requires_grad=True)\ny = x + 1\ny.sum().backward()\n"
    )
    y_node = result["variables"]["y"]["node"]
    reported = {node for entry in result["timeline"] for node in entry.get("grads", {})}
    assert y_node not in reported
    # The graph still shows the gradient that reached y: the two are different things.
    reached = next(n for n in result["graph"]["nodes"] if n["id"] == y_node)["grad"]
    assert reached == [1.0, 1.0]


def test_statements_that_change_no_grad_carry_no_grads_key() -> None:
    result = run_program("import torch\nx = torch.ones(2, requires_grad=True)\nprint(x)\n")
    assert all("grads" not in entry for entry in result["timeline"])


def test_a_tensor_that_comes_to_require_grad_later_is_watched() -> None:
    result = run_program(
        "import torch\nx = torch.ones(2)\nx.requires_grad_()\n(x * 3).sum().backward()\n"
    )
    x_node = result["variables"]["x"]["node"]
    reported = [entry.get("grads", {}).get(x_node) for entry in result["timeline"]]
    assert reported[-1] == {"value": [3.0, 3.0], "truncated": False}
