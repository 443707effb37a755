"""The grad epoch only saves work: every timeline is the one a full `.grad` walk after every
statement gives (trace/grad_watch.py; the epoch is `RunContext.grad_epoch`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import torch

from app.runner import run_program
from app.trace.recorder import Recorder
from tests.differential.cases import CASES

# Each one changes a `.grad` (or what is watched) in a way a statement can hide: through an
# alias, in place, inside a function or an operator the program defined, or on a tensor no name
# held when it changed.
PROGRAMS = {
    "retained-in-a-list-then-bound": """import torch
x = torch.ones(2, requires_grad=True)
ys = [x * 2]
ys[0].retain_grad()
ys[0].sum().backward()
y = ys[0]
z = y * 3
""",
    "grad-of-grad-retained-then-bound": """import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
(x ** 3).sum().backward(create_graph=True)
gs = [x.grad]
gs[0].retain_grad()
gs[0].sum().backward()
g = gs[0]
h = g * 1
""",
    "in-place-through-an-alias": """import torch
x = torch.ones(2, requires_grad=True)
(x * 2).sum().backward()
g = x.grad
g += 1
g *= 2
g[0] = 5.0
d = g.data
d.fill_(3.0)
e = d * 1
""",
    "in-place-on-a-grad-no-name-holds": """import torch
x = torch.ones(2, requires_grad=True)
(x * 2).sum().backward()
gs = [x.grad]
gs[0] += 1
gs[0][1] = 7.0
x.grad[0] = 5.0
z = x * 1
""",
    "assigned-then-changed-through-the-assigned-tensor": """import torch
x = torch.ones(2, requires_grad=True)
t = torch.zeros(2)
x.grad = t
t.add_(1)
u = t * 2
x.grad = None
v = u + 1
""",
    "requires-grad-by-attribute": """import torch
a = torch.ones(2)
b = a * 2
a.requires_grad = True
(a * a).sum().backward()
c = a + 1
""",
    "optimizer-loop": """import torch
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for step in range(3):
    opt.zero_grad()
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    s = w * 1
""",
    "manual-update-under-no-grad": """import torch
w = torch.tensor([1.0, -2.0], requires_grad=True)
for step in range(2):
    loss = (w * w).sum()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
    k = w * 1
""",
    "a-function-changes-the-grad-inside-an-expression": """import torch
def bump(t):
    t.grad.add_(1)
    return t
x = torch.ones(2, requires_grad=True)
(x * 2).sum().backward()
y = bump(x) * 1
z = y * 1
""",
    "an-operator-the-program-defined": """import torch
x = torch.ones(2, requires_grad=True)
(x * 2).sum().backward()
class Zeroing:
    def __mul__(self, other):
        x.grad.zero_()
        return other
r = Zeroing() * 2
q = x * 1
""",
    "a-leaf-first-seen-when-bound": """import torch
ps = [torch.ones(2, requires_grad=True)]
total = (ps[0] * 2).sum()
total.backward()
p = ps[0]
q = p * 1
""",
    "a-hook-with-statements-runs-mid-pass": """import torch
def doubled(grad):
    scaled = grad * 2
    return scaled
x = torch.ones(2, requires_grad=True)
y = x * 3
handle = y.register_hook(doubled)
y.sum().backward()
z = x * 1
""",
    "module-zero-grad-and-hooks": """import torch
from torch import nn
torch.manual_seed(0)
lin = nn.Linear(2, 1)
x = torch.ones(1, 2, requires_grad=True)
h = x.register_hook(lambda g: g * 2)
lin(x).sum().backward()
w = lin.weight
lin.zero_grad()
v = w * 1
""",
    "autograd-grad-and-pure-loop": """import torch
x = torch.tensor([0.5, 1.5], requires_grad=True)
y = x
for i in range(20):
    y = y * 1.01
(gx,) = torch.autograd.grad(y.sum(), x, retain_graph=True)
y.sum().backward()
z = y * 1
""",
}


@contextmanager
def full_walk_every_statement() -> Iterator[None]:
    """The reference: no epoch source, so GradWatch walks every watched tensor every time."""
    follow = Recorder.follow_grad_epoch
    Recorder.follow_grad_epoch = lambda self, source: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Recorder.follow_grad_epoch = follow  # type: ignore[method-assign]


def _timelines(source: str, seed: int = 0) -> tuple[Any, Any]:
    with_epoch = run_program(source, seed=seed)
    with full_walk_every_statement():
        walked = run_program(source, seed=seed)
    return with_epoch, walked


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_hidden_grad_changes_match_the_full_walk(name: str) -> None:
    with_epoch, walked = _timelines(PROGRAMS[name])
    assert walked["ok"], walked["error"]
    assert any(entry.get("grads") for entry in walked["timeline"])  # the program shows grads
    assert with_epoch["timeline"] == walked["timeline"]
    assert with_epoch["variables"] == walked["variables"]


_GRAD_CASES = [case for case in CASES if "backward" in case.source or ".grad" in case.source]


@pytest.mark.parametrize("case", _GRAD_CASES, ids=[case.id for case in _GRAD_CASES])
def test_differential_programs_match_the_full_walk(case: Any) -> None:
    with_epoch, walked = _timelines(case.source, case.seed)
    if with_epoch["timeline"] != walked["timeline"]:
        with full_walk_every_statement():
            again = run_program(case.source, seed=case.seed)
        if again["timeline"] != walked["timeline"]:
            pytest.skip("the program's own timeline varies between runs (a set of objects)")
    assert with_epoch["timeline"] == walked["timeline"]


@contextmanager
def counting_grad_reads() -> Iterator[list[int]]:
    """Count reads of `Tensor.grad` (a property on torch.Tensor shadowing torch's own)."""
    own = torch._C.TensorBase.grad  # type: ignore[attr-defined]
    reads = [0]

    def read(tensor: torch.Tensor) -> Any:
        reads[0] += 1
        return own.__get__(tensor)

    torch.Tensor.grad = property(read, own.__set__, own.__delete__)  # type: ignore[assignment,method-assign]
    try:
        yield reads
    finally:
        del torch.Tensor.grad


def test_a_loop_of_arithmetic_reads_no_grad_per_statement() -> None:
    source = "import torch\nx = torch.ones(3, requires_grad=True)\ny = x\n"
    source += "for i in range(200):\n    y = y * 1.0001\n"
    with counting_grad_reads() as reads:
        run_program(source)
    with_epoch = reads[0]
    with full_walk_every_statement(), counting_grad_reads() as reads:
        run_program(source)
    walked = reads[0]
    assert walked >= 400  # x's .grad after each of the loop's 400 statements
    assert with_epoch < 20
