"""C-level work in one step is paid before it runs, and the limit that stops it is named.

Each program below did its work (or tried to) in one interpreter step, out of reach of the
step budget: before these checks it ended at RLIMIT_AS, at the watchdog's kill, or ran to
the end with 150 M items. Each must now stop with LimitExceeded naming the limit.
"""

from __future__ import annotations

import pytest

from app.runner import run_program
from app.sandbox.limits import Limits

# What is asserted is which budget runs out first, not how fast this machine is: the deadline
# is taken out of the race (the corpus runs the same programs under the default limits).
PATIENT = Limits(seconds=120.0)

NEST = "x = [0] * 100000\ny = [0] * 100000\na = [x] * 100000\nb = [y] * 100000\n"
# A list equal to x but for its last item: every comparison with it walks all of it.
NEAR = "x = [0] * 100000\ny = [0] * 99999 + [1]\na = [x] * 100000\n"
KEEP = "keep = []\nfor i in range(400):\n"

PROGRAMS = {
    "list-copy": ("l = [0] * 100000\n" + KEEP + "    keep.append(l.copy())\n", "items"),
    "dict-copy": ("d = dict(zip(range(50000), range(50000)))\n" + KEEP
                  + "    keep.append(d.copy())\n", "items"),
    "list-slice": ("l = [0] * 100000\n" + KEEP + "    keep.append(l[:])\n", "items"),
    "list-step-slice": ("l = [0] * 100000\n" + KEEP + "    keep.append(l[::-1])\n", "items"),
    "str-slice": ("s = 'a' * 100000\n" + KEEP + "    keep.append(s[1:])\n", "items"),
    "str-upper": ("s = 'a' * 100000\n" + KEEP + "    keep.append(s.upper())\n", "items"),
    "str-lower": ("s = 'A' * 100000\n" + KEEP + "    keep.append(s.lower())\n", "items"),
    "str-strip": ("s = ' ' + 'a' * 99998 + ' '\n" + KEEP + "    keep.append(s.strip())\n",
                  "items"),
    "str-replace": ("s = 'a' * 100000\n" + KEEP + "    keep.append(s.replace('a', 'b'))\n",
                    "items"),
    "str-split": ("s = 'a ' * 50000\nkeep = []\nfor i in range(3000):\n"
                  "    keep.append(s.split())\n", "items"),
    "str-split-sep": ("s = 'a,' * 50000\nkeep = []\nfor i in range(3000):\n"
                      "    keep.append(s.split(','))\n", "items"),
    "container-repr": ("l = ['a' * 9000] * 10\n" + KEEP + "    keep.append(str(l))\n",
                       "items"),
    "nested-equal": (NEST + "c = a == b\n", "op_cost"),
    "nested-less": (NEST + "c = a < b\n", "op_cost"),
    "nested-in": (NEAR + "c = y in a\n", "op_cost"),
    "nested-count": (NEAR + "c = a.count(y)\n", "op_cost"),
    "nested-index": (NEAR + "c = a.index(y)\n", "op_cost"),
    "nested-tuple-count": ("x = (0,) * 100000\nt = (x,) * 100000\n"
                           "c = t.count((0,) * 99999 + (1,))\n", "op_cost"),
    "nested-dict-values-in": (NEAR + "d = dict(zip(range(50000), a))\nc = y in d.values()\n",
                              "op_cost"),
    "tuple-key-hash": ("x = (0,) * 100000\nt = (x,) * 100000\nd = {}\nd[t] = 1\n", "op_cost"),
    "tuple-key-in": ("x = (0,) * 100000\nt = (x,) * 100000\nc = t in {}\n", "op_cost"),
    "tuple-key-get": ("x = (0,) * 100000\nt = (x,) * 100000\nc = {}.get(t)\n", "op_cost"),
    "tuple-set-add": ("x = (0,) * 100000\nt = (x,) * 100000\ns = set()\ns.add(t)\n", "op_cost"),
    "tuple-set-discard": ("x = (0,) * 100000\nt = (x,) * 100000\nset().discard(t)\n",
                          "op_cost"),
    "tuple-set-in": ("x = (0,) * 100000\nt = (x,) * 100000\nc = t in {1, 2}\n", "op_cost"),
    "tuple-key-dict-comprehension": ("x = (0,) * 100000\nt = (x,) * 100000\n"
                                     "d = {t: i for i in range(2)}\n", "op_cost"),
    "tuple-set-comprehension": ("x = (0,) * 100000\nt = (x,) * 100000\n"
                                "s = {t for i in range(2)}\n", "op_cost"),
    "round-negative": ("r = round(5, -10**8)\n", "int_bits"),
    "linear-tensor-sizes": (
        "import torch\nimport torch.nn as nn\n"
        "m = nn.Linear(torch.tensor(12000), torch.tensor(12000))\n",
        "tensor_elements",
    ),
    "linear-keyword-tensor-sizes": (
        "import torch\nimport torch.nn as nn\n"
        "m = nn.Linear(in_features=torch.tensor(12000), out_features=12000)\n",
        "tensor_elements",
    ),
    "nuclear-norm": ("import torch\nx = torch.ones(1000, 1000)\nn = x.norm(p='nuc')\n",
                     "op_cost"),
    "nuclear-norm-function": ("import torch\nx = torch.ones(1000, 1000)\n"
                              "n = torch.norm(x, 'nuc')\n", "op_cost"),
    "grad-create-graph-tower": (
        "import torch\nx = torch.ones(100, requires_grad=True)\ng = x.tanh().sum()\n"
        "for i in range(16):\n    g = torch.autograd.grad(g, x, create_graph=True)[0].sum()\n",
        "run_cost",
    ),
    "backward-retain-loop": (
        "import torch\nx = torch.ones(10000, requires_grad=True)\ny = x\n"
        "for i in range(200):\n    y = y * 1.0001\ns = y.sum()\n"
        "for i in range(10000):\n    s.backward(retain_graph=True)\n",
        "run_cost",
    ),
    "hessian-long-chain": (
        "import torch\nx = torch.ones(1000)\ndef f(v):\n    y = v\n    for i in range(300):\n"
        "        y = y.sin()\n    return y.sum()\nh = torch.autograd.functional.hessian(f, x)\n",
        "run_cost",
    ),
    "jacobian-long-chain": (
        "import torch\nx = torch.ones(1000)\ndef f(v):\n    y = v\n    for i in range(3000):\n"
        "        y = y * 1.0001\n    return y\nj = torch.autograd.functional.jacobian(f, x)\n",
        "run_cost",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("source", "limit"), PROGRAMS.values(), ids=PROGRAMS.keys())
def test_one_step_of_c_level_work_is_stopped_by_its_named_limit(source: str, limit: str) -> None:
    result = run_program(source, include=[], limits=PATIENT)
    error = result["error"]
    assert error is not None, result["stdout"]
    assert (error["type"], error["limit"]) == ("LimitExceeded", limit), error
    assert error["line"] is not None


HONEST = {
    "copies": ("a = [1, [2, 3]]\nb = a.copy()\nc = a[:]\nd = a[::-1]\nprint(b, c, d, b is a)\n"),
    "strings": ("s = ' Hello, World '\nprint(s.strip().upper(), s.lower().split(','),"
                " s.replace('l', 'L'), s.split(), 'a,b,,c'.split(',', 2), s.find('W'))\n"),
    "comparisons": ("a = [1, [2, 3], (4, 5)]\nb = [1, [2, 3], (4, 5)]\n"
                    "print(a == b, a < [1, [2, 4]], [2, 3] in a, a.count([2, 3]),"
                    " a.index((4, 5)))\n"),
    "dicts": ("d = {(1, 2): 'x'}\nprint((1, 2) in d, d[(1, 2)], d.get((1, 2)), d.copy(),"
              " 'x' in d.values())\n"),
    "round": "print(round(1234, -2), round(2.675, 2), round(5, 3), round(7))\n",
    "small-grads": (
        "import torch\nx = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "g, = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)\n"
        "h, = torch.autograd.grad(g.sum(), x)\nprint(g, h)\n"
        "print(torch.autograd.functional.hessian(lambda v: (v ** 3).sum(), x))\n"
        "print(torch.ones(3, 2).norm(p='nuc'))\n"
    ),
}  # fmt: skip


@pytest.mark.parametrize("source", HONEST.values(), ids=HONEST.keys())
def test_honest_programs_print_what_cpython_and_torch_print(
    source: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_program(source, include=[])
    assert result["ok"], result["error"]
    exec(compile(source, "<honest>", "exec"), {})  # the test's own program, as CPython runs it
    assert result["stdout"] == capsys.readouterr().out
