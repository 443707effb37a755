"""User functions handed to torch (hooks, autograd.functional) run in the interpreter, under the
run's budget, and the program prints what CPython + torch print."""

from __future__ import annotations

import contextlib
import io

import pytest
import torch

from app.sandbox.context import RunContext
from app.sandbox.interpreter import Interpreter
from app.sandbox.limits import Limits


def run_sandboxed(source: str, limits: Limits | None = None):  # type: ignore[no-untyped-def]
    return Interpreter(RunContext(limits or Limits())).run(source)


def run_real(source: str) -> str:
    """The oracle: the same program under CPython with real torch."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(source, "<program>", "exec"), {})  # the test's own trusted source
    return buffer.getvalue()


PROGRAMS = {
    "retain_grad_vs_hooks": """
import torch
x = torch.ones(3, requires_grad=True)
y = x * 2
y.retain_grad()
seen = []
def hook(g):
    seen.append(g)
    return g * 10
handle = y.register_hook(hook)
z = (y * y).sum()
z.backward()
print(y.grad, x.grad, seen)
handle.remove()
x.grad = None
y = x * 2
handle = y.register_hook(hook)
handle.remove()
(y * 3).sum().backward()
print(x.grad, y.grad, len(seen))
""",
    "hook_on_leaf": """
import torch
w = torch.tensor([1.0, -2.0], requires_grad=True)
w.register_hook(lambda g: g.clamp(min=0))
(w * w).sum().backward()
print(w.grad)
""",
    "jacobian_of_lambda": """
import torch
x = torch.tensor([1.0, 2.0, 3.0])
print(torch.autograd.functional.jacobian(lambda t: t ** 2 + t.sum(), x))
print(torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), x))
def f(a, b):
    return a * b
print(torch.autograd.functional.jacobian(f, (x, x * 2)))
print(torch.autograd.functional.vjp(lambda t: t.exp(), x, torch.ones(3)))
""",
    "gradcheck_of_def": """
import torch
def f(t):
    return (t * t).sin()
print(torch.autograd.gradcheck(f, (torch.randn(3, dtype=torch.float64, requires_grad=True),)))
""",
    "grad_fn_walk": """
import torch
x = torch.ones(2, requires_grad=True)
y = (x * 3 + 1).mean()
print(y.grad_fn.name(), [n.name() for n, i in y.grad_fn.next_functions if n is not None])
leaf = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
print(leaf.name(), leaf.variable is x)
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_prints_what_torch_prints(name: str) -> None:
    source = PROGRAMS[name]
    torch.manual_seed(0)
    expected = run_real(source)
    torch.manual_seed(0)
    outcome = run_sandboxed(source)
    assert outcome.error is None
    assert outcome.stdout == expected


def test_error_inside_a_hook_comes_out_as_the_programs_error() -> None:
    source = """
import torch
w = torch.ones(2, requires_grad=True)
w.register_hook(lambda g: g + undefined_name)
w.sum().backward()
"""
    outcome = run_sandboxed(source)
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.message) == (
        "NameError",
        "name 'undefined_name' is not defined",
    )


def test_a_hook_runs_under_the_step_budget() -> None:
    source = """
import torch
w = torch.ones(2, requires_grad=True)
def spin(g):
    while True:
        pass
w.register_hook(spin)
w.sum().backward()
"""
    outcome = run_sandboxed(source, Limits(steps=2_000))
    assert outcome.error is not None
    assert outcome.error.limit == "steps"


def test_the_jacobian_size_is_refused_before_torch_builds_it() -> None:
    source = """
import torch
x = torch.ones(2000)
j = torch.autograd.functional.jacobian(lambda t: t * 2, x)
"""
    outcome = run_sandboxed(source)
    assert outcome.error is not None
    assert outcome.error.limit == "tensor_elements"


def test_builtins_cannot_be_handed_to_torch_as_hooks() -> None:
    source = """
import torch
w = torch.ones(2, requires_grad=True)
w.register_hook(print)
"""
    outcome = run_sandboxed(source)
    assert outcome.error is not None
    assert outcome.error.type == "SandboxViolation"
