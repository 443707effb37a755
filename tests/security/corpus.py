# ruff: noqa: E501  (the programs are literals; splitting them would hide what they do)
"""The hostile corpus: programs that try to escape, exhaust or crash the sandbox.

Each entry names its category (the threat classes of shared/sandbox-threats.md), the program,
and what must happen:

- ``refuse``: stopped before it runs (SyntaxError or SandboxViolation) with a clear message;
- ``limit``: stopped by a named limit (LimitExceeded or Timeout);
- ``stop``: either of the two above;
- ``bounded``: may run or fail with any documented error, but must come back within the
  deadline without harming the service (the global canaries are checked for every entry);
- ``run``: a positive control that must run to the end.

Placeholders filled in by the test: ``{SECRET}`` (path of a readable secret file), ``{CANARY}``
(a path that must never be created) and ``{PORT}`` (a loopback listener that must never see a
connection).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HostileProgram:
    id: str
    category: str
    source: str
    expect: str
    # For ``limit``: the Limits field that must stop it (LimitExceeded naming it), when the
    # program is aimed at one; None accepts any named limit or the deadline.
    limit: str | None = None


def _p(id: str, category: str, expect: str, source: str) -> HostileProgram:
    return HostileProgram(id, category, source.strip("\n") + "\n", expect)


def _named(id: str, category: str, limit: str, source: str) -> HostileProgram:
    """A program that one named limit must stop, before it runs out of time or memory."""
    return HostileProgram(id, category, source.strip("\n") + "\n", "limit", limit)


_TORCH_REEXPORTS = [
    "os",
    "sys",
    "builtins",
    "ctypes",
    "importlib",
    "hub",
    "serialization",
    "ops",
    "library",
    "utils.cpp_extension",
    "jit",
    "fx",
    "multiprocessing",
    "distributed",
    "backends",
    "testing",
    "package",
    "compiler",
    "overrides",
    "storage",
    "classes",
    "profiler",
    "onnx",
    "export",
]

ESCAPE = [
    _p("escape-dunder-class", "escape", "refuse", "x = (1).__class__"),
    _p("escape-mro-walk", "escape", "refuse", "s = ().__class__.__bases__[0].__subclasses__()"),
    _p("escape-getattr", "escape", "refuse", "f = getattr(1, '__class__')"),
    _p("escape-getattr-torch", "escape", "refuse", "import torch\ngetattr(torch, 'os')"),
    _p("escape-setattr", "escape", "refuse", "import torch\nsetattr(torch, 'x', 1)"),
    _p("escape-delattr", "escape", "refuse", "import torch\ndelattr(torch, 'ones')"),
    _p("escape-eval", "escape", "refuse", "eval('1+1')"),
    _p("escape-exec", "escape", "refuse", "exec('import os')"),
    _p("escape-compile", "escape", "refuse", "compile('1', 'x', 'eval')"),
    _p("escape-globals", "escape", "refuse", "g = globals()"),
    _p("escape-locals", "escape", "refuse", "l = locals()"),
    _p("escape-vars", "escape", "refuse", "v = vars()"),
    _p("escape-dir", "escape", "refuse", "d = dir()"),
    # type() is a read-only class view since issue 21 (see LANGUAGE for its doors)
    _p("escape-type", "escape", "run", "t = type(1)\nprint(t, t is int)"),
    _p("escape-type-3arg", "escape", "refuse", "T = type('T', (), {})"),
    _p("escape-id", "escape", "refuse", "i = id(1)"),
    _p("escape-input", "escape", "refuse", "s = input()"),
    _p("escape-breakpoint", "escape", "refuse", "breakpoint()"),
    _p("escape-help", "escape", "refuse", "help(print)"),
    _p("escape-exit", "escape", "refuse", "exit()"),
    _p("escape-quit", "escape", "refuse", "quit()"),
    _p("escape-dunder-import", "escape", "refuse", "os = __import__('os')"),
    _p("escape-builtins-name", "escape", "refuse", "b = __builtins__"),
    _p("escape-format-walk", "escape", "refuse", "s = '{0.__class__}'.format(1)"),
    _p("escape-format-map", "escape", "refuse", "s = '{a.__class__}'.format_map({'a': 1})"),
    _p("escape-percent-format", "escape", "run", "s = '%s' % (1,)\nprint(s)"),
    _p("escape-fstring-dunder", "escape", "refuse", "s = f'{(1).__class__}'"),
    _p("escape-fstring-conv", "escape", "bounded", "s = f'{1!r:>{5}}'\nprint(s)"),
    _p("escape-lambda-dunder", "escape", "refuse", "f = lambda: (1).__class__\nf()"),
    # Classes run since issue 15 (tests/security/corpus_classes.py holds their attacks).
    _p("escape-class", "escape", "refuse", "class A:\n    __class__ = int"),
    _p("escape-try", "escape", "run", "try:\n    x = 1\nexcept Exception as e:\n    pass"),
    _p("escape-raise", "escape", "bounded", "raise ValueError('x')"),
    _p("escape-global", "escape", "refuse", "def f():\n    global x\n    x = 1"),
    _p(
        "escape-nonlocal",
        "escape",
        "refuse",
        "def f():\n    x = 1\n    def g():\n        nonlocal x\n",
    ),
    _p("escape-yield", "escape", "refuse", "def g():\n    yield 1"),
    _p("escape-generator-expr-frame", "escape", "refuse", "g = (i for i in [1])\nf = g.gi_frame"),
    _p("escape-async", "escape", "refuse", "async def f():\n    await g()"),
    _p("escape-match-class", "escape", "refuse", "match 1:\n    case int(real=r):\n        pass"),
    _p("escape-decorator", "escape", "refuse", "def d(f):\n    return f\n@d\ndef g():\n    pass"),
    _p("escape-walrus", "escape", "refuse", "if (n := 10) > 5:\n    pass"),
    _p("escape-star-import", "escape", "refuse", "from torch import *"),
    _p(
        "escape-grad-fn-internals",
        "escape",
        "refuse",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\nz = y.grad_fn._saved_self",
    ),
    _p(
        "escape-grad-fn-register-hook",
        "escape",
        "stop",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\ny.grad_fn.register_hook(print)",
    ),
    _p("escape-tensor-class", "escape", "refuse", "import torch\nc = torch.ones(1).__class__"),
    _p("escape-tensor-new", "escape", "refuse", "import torch\nt = torch.Tensor.__new__"),
    _p("escape-unicode-dunder", "escape", "refuse", "x = (1).\uff3f\uff3fclass\uff3f\uff3f"),
    _p(
        "escape-unicode-getattr",
        "escape",
        "refuse",
        "f = \U0001d558\U0001d556\U0001d565\U0001d552\U0001d565\U0001d565\U0001d563(1, 'real')",
    ),
    _p(
        "escape-nn-module-apply",
        "escape",
        "refuse",
        "import torch.nn as nn\nm = nn.Linear(2, 2)\nm.apply(print)",
    ),
    _p(
        "escape-module-dict",
        "escape",
        "refuse",
        "import torch.nn as nn\nm = nn.Linear(2, 2)\nd = m.__dict__",
    ),
    _p(
        "escape-module-forward-hook",
        "escape",
        "refuse",
        "import torch.nn as nn\nm = nn.Linear(2, 2)\nm.register_forward_hook(print)",
    ),
    _p(
        "escape-optim-state",
        "escape",
        "stop",
        "import torch\nimport torch.nn as nn\nm = nn.Linear(2, 2)\no = torch.optim.SGD(m.parameters(), lr=0.1)\no.add_param_group({'params': []})",
    ),
    _p("escape-print-file", "escape", "refuse", "print('x', file=None)"),
    _p("escape-torch-compile", "escape", "refuse", "import torch\nf = torch.compile(lambda x: x)"),
    _p(
        "escape-torch-jit-script", "escape", "refuse", "import torch\ntorch.jit.script(lambda x: x)"
    ),
    _p("escape-torch-func", "escape", "refuse", "import torch\ng = torch.func.grad(lambda x: x)"),
    _p(
        "escape-torch-overrides-call",
        "escape",
        "refuse",
        "import torch\ntorch.overrides.get_ignored_functions()",
    ),
    _p("escape-isinstance-type", "escape", "bounded", "ok = isinstance(1, print)"),
    _p("escape-str-method", "escape", "stop", "s = 'abc'.maketrans('a', 'b')\nprint(s)"),
    _p("escape-dtype-attr", "escape", "refuse", "import torch\nd = torch.float32.__reduce__()"),
    _p("escape-size-attr", "escape", "refuse", "import torch\ns = torch.ones(2).shape.__class__"),
    _p(
        "escape-hook-escape",
        "escape",
        "refuse",
        "import torch\nx = torch.ones(1, requires_grad=True)\nx.register_hook(lambda g: g.__class__)",
    ),
] + [
    _p(f"escape-torch-{name}", "escape", "refuse", f"import torch\nm = torch.{name}")
    for name in _TORCH_REEXPORTS
]

IMPORTS = [
    _p("import-os", "escape", "refuse", "import os"),
    _p("import-sys", "escape", "refuse", "import sys"),
    _p("import-subprocess", "escape", "refuse", "import subprocess"),
    _p("import-from-os", "escape", "refuse", "from os import system"),
    _p("import-os-path-alias", "escape", "refuse", "import os.path as torch"),
    _p("import-torch-os", "escape", "refuse", "import torch.os"),
    _p("import-from-torch-os", "escape", "refuse", "from torch import os"),
    _p("import-from-torch-C", "escape", "refuse", "from torch import _C"),
    _p("import-torch-hub", "escape", "refuse", "import torch.hub"),
    _p("import-torch-serialization", "escape", "refuse", "from torch.serialization import pickle"),
    _p("import-importlib", "escape", "refuse", "import importlib"),
    _p("import-builtins", "escape", "refuse", "import builtins"),
    _p("import-ctypes", "escape", "refuse", "import ctypes"),
    _p("import-relative", "escape", "refuse", "from . import x"),
    _p("import-numpy", "escape", "refuse", "import numpy"),
    _p("import-pickle", "escape", "refuse", "import pickle"),
    _p("import-socket", "network", "refuse", "import socket"),
    _p("import-urllib", "network", "refuse", "import urllib.request"),
    _p("import-in-function", "escape", "refuse", "def f():\n    import os\nf()"),
    _p("import-torch-utils-cpp-extension", "escape", "refuse", "import torch.utils.cpp_extension"),
]

FILES = [
    _p("file-open", "file", "refuse", "f = open('{SECRET}')"),
    _p("file-torch-load", "file", "refuse", "import torch\nt = torch.load('{SECRET}')"),
    _p("file-torch-save", "file", "refuse", "import torch\ntorch.save(torch.ones(1), '{CANARY}')"),
    _p(
        "file-torch-from-file",
        "file",
        "refuse",
        "import torch\nt = torch.from_file('{SECRET}', size=8)",
    ),
    _p("file-torch-os-open", "file", "refuse", "import torch\nfd = torch.os.open('{SECRET}', 0)"),
    _p("file-torch-sys-modules", "file", "refuse", "import torch\nm = torch.sys.modules"),
    _p("file-tensor-save-attr", "file", "refuse", "import torch\ntorch.ones(1).save('{CANARY}')"),
    _p(
        "file-hub-load",
        "network",
        "refuse",
        "import torch\ntorch.hub.load_state_dict_from_url('http://127.0.0.1:{PORT}/')",
    ),
    _p(
        "file-hub-urlopen",
        "network",
        "refuse",
        "import torch\ntorch.hub.urlopen('http://127.0.0.1:{PORT}/')",
    ),
    _p(
        "file-download",
        "network",
        "refuse",
        "import torch\ntorch.hub.download_url_to_file('http://127.0.0.1:{PORT}/', '{CANARY}')",
    ),
    _p("file-builtins-open", "file", "refuse", "import torch\nf = torch.builtins.open('{SECRET}')"),
    _p("file-secret-in-string", "file", "run", "s = '{SECRET}'\nprint(len(s) > 0)"),
]

MEMORY = [
    _p("mem-ones-huge", "memory", "limit", "import torch\nx = torch.ones(10**10)"),
    _p("mem-zeros-2d", "memory", "limit", "import torch\nx = torch.zeros(100000, 100000)"),
    _p("mem-randn-huge", "memory", "limit", "import torch\nx = torch.randn(4000, 4000)"),
    _p("mem-full-huge", "memory", "limit", "import torch\nx = torch.full((10**5, 10**5), 1.0)"),
    _p("mem-arange-huge", "memory", "limit", "import torch\nx = torch.arange(10**10)"),
    _p("mem-linspace-huge", "memory", "limit", "import torch\nx = torch.linspace(0, 1, 10**9)"),
    _p("mem-eye-huge", "memory", "limit", "import torch\nx = torch.eye(100000)"),
    _p(
        "mem-expand",
        "memory",
        "limit",
        "import torch\nx = torch.ones(1, 1).expand(10**6, 10**6)\ns = x.sum()",
    ),
    _p(
        "mem-expand-3d",
        "memory",
        "limit",
        "import torch\nx = torch.ones(1).expand(1000, 1000, 1000)",
    ),
    _p(
        "mem-outer",
        "memory",
        "limit",
        "import torch\na = torch.ones(100000)\nb = torch.outer(a, a)",
    ),
    _p(
        "mem-kron",
        "memory",
        "stop",
        "import torch\na = torch.ones(1000, 1000)\nb = torch.kron(a, a)",
    ),
    _p(
        "mem-cartesian",
        "memory",
        "stop",
        "import torch\na = torch.ones(100000)\nb = torch.cartesian_prod(a, a)",
    ),
    _p(
        "mem-repeat",
        "memory",
        "limit",
        "import torch\na = torch.ones(1000)\nb = a.repeat(1000, 1000)",
    ),
    _p(
        "mem-broadcast",
        "memory",
        "limit",
        "import torch\na = torch.ones(100000, 1)\nb = torch.ones(1, 100000)\nc = a + b",
    ),
    _p(
        "mem-broadcast-mul",
        "memory",
        "limit",
        "import torch\na = torch.ones(100000, 1)\nb = a * torch.ones(100000)",
    ),
    _p(
        "mem-cat-grow",
        "memory",
        "stop",
        "import torch\nx = torch.ones(1000)\nwhile True:\n    x = torch.cat([x, x])",
    ),
    _p(
        "mem-data-dependent",
        "memory",
        "limit",
        "import torch\nn = int(torch.tensor(1e10).item())\nx = torch.ones(n)",
    ),
    _p(
        "mem-reshape-view",
        "memory",
        "limit",
        "import torch\nx = torch.ones(10)\ny = x.expand(10**7, 10).reshape(-1)",
    ),
    _p(
        "mem-einsum-outer",
        "memory",
        "limit",
        "import torch\na = torch.ones(100000)\nb = torch.einsum('i,j->ij', a, a)",
    ),
    _p(
        "mem-matmul-broadcast",
        "memory",
        "limit",
        "import torch\na = torch.ones(1000, 1000, 1)\nb = torch.ones(1, 1000)\nc = a @ b",
    ),
    _p("mem-list-grow", "memory", "stop", "a = [1]\nwhile True:\n    a = a + a"),
    _p("mem-list-mul", "memory", "limit", "a = [0] * 10**9"),
    _p("mem-str-mul", "memory", "limit", "s = 'a' * 10**10"),
    _p("mem-str-grow", "memory", "stop", "s = 'a'\nwhile True:\n    s = s + s"),
    _p("mem-range-list", "memory", "limit", "a = list(range(10**9))"),
    _p("mem-comprehension", "memory", "stop", "a = [i for i in range(10**9)]"),
    _p(
        "mem-tensor-from-range",
        "memory",
        "stop",
        "import torch\nt = torch.tensor(list(range(10**8)))",
    ),
    _p(
        "mem-randint-huge",
        "memory",
        "limit",
        "import torch\nt = torch.randint(0, 10, (10**5, 10**5))",
    ),
    _p(
        "mem-ones-like-expand",
        "memory",
        "stop",
        "import torch\nx = torch.ones(1).expand(10**6)\ny = torch.ones_like(x.expand(10**3, 10**6))",
    ),
    _p(
        "mem-many-tensors",
        "memory",
        "stop",
        "import torch\nkeep = []\nfor i in range(100000):\n    keep.append(torch.ones(1000000))",
    ),
    _p(
        "mem-stack-many",
        "memory",
        "stop",
        "import torch\nx = torch.ones(1000000)\ny = torch.stack([x, x, x, x, x, x, x, x])",
    ),
    _p(
        "mem-nn-linear-huge",
        "memory",
        "limit",
        "import torch.nn as nn\nm = nn.Linear(100000, 100000)",
    ),
    _p("mem-fstring-width", "memory", "limit", "s = f'{1:>{10**9}}'"),
    _p("mem-fstring-width-literal", "memory", "limit", "s = f'{1:>1000000000}'"),
    _p(
        "mem-dict-grow",
        "memory",
        "stop",
        "d = {}\ni = 0\nwhile True:\n    d[i] = [0] * 1000\n    i += 1",
    ),
]

CPU = [
    _p("cpu-while-true", "cpu", "limit", "while True:\n    pass"),
    _p("cpu-while-one", "cpu", "limit", "while 1:\n    x = 1"),
    _p("cpu-for-huge-range", "cpu", "limit", "for i in range(10**12):\n    pass"),
    _p(
        "cpu-nested-loops",
        "cpu",
        "limit",
        "for i in range(10**6):\n    for j in range(10**6):\n        pass",
    ),
    _p(
        "cpu-matmul-4096",
        "cpu",
        "stop",
        "import torch\na = torch.ones(1000, 1000)\nb = a @ a @ a @ a @ a @ a @ a @ a @ a @ a @ a @ a",
    ),
    _p(
        "cpu-matmul-big",
        "cpu",
        "limit",
        "import torch\na = torch.ones(1000, 1000)\nfor i in range(10000):\n    a = a @ a",
    ),
    _p(
        "cpu-bmm-big",
        "cpu",
        "stop",
        "import torch\na = torch.ones(100, 100, 100)\nfor i in range(100000):\n    b = torch.bmm(a, a)",
    ),
    _p("cpu-recursion", "cpu", "limit", "def f(n):\n    return f(n + 1)\nf(0)"),
    _p("cpu-recursion-lambda", "cpu", "limit", "f = lambda n: f(n + 1)\nf(0)"),
    _p(
        "cpu-mutual-recursion",
        "cpu",
        "limit",
        "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(0)",
    ),
    _p(
        "cpu-fib-exponential",
        "cpu",
        "limit",
        "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(40))",
    ),
    _p("cpu-huge-pow", "cpu", "limit", "x = 2 ** 10 ** 10"),
    _p("cpu-huge-pow-chain", "cpu", "limit", "x = 10 ** 100000"),
    _p("cpu-huge-shift", "cpu", "limit", "x = 1 << 10 ** 10"),
    _p("cpu-int-grow", "cpu", "stop", "x = 3\nwhile True:\n    x = x * x"),
    _p("cpu-huge-int-str", "cpu", "stop", "x = 10 ** 4000\ns = str(x * x * x * x * x)"),
    _p("cpu-float-pow", "cpu", "bounded", "x = 10.0 ** 400"),
    _p("cpu-sum-huge-range", "cpu", "limit", "s = sum(range(10**12))"),
    _p("cpu-max-huge-range", "cpu", "limit", "s = max(range(10**12))"),
    _p("cpu-len-range", "cpu", "bounded", "n = len(range(10**12))\nprint(n)"),
    _p(
        "cpu-backward-loop",
        "cpu",
        "stop",
        "import torch\nx = torch.ones(1000, 1000, requires_grad=True)\nwhile True:\n    y = (x * 2).sum()\n    y.backward()",
    ),
    _p(
        "cpu-jacobian-big",
        "cpu",
        "bounded",
        "import torch\nx = torch.ones(1000, requires_grad=True)\nj = torch.autograd.functional.jacobian(lambda t: t * 2, x)",
    ),
    _p(
        "cpu-hessian-loop",
        "cpu",
        "stop",
        "import torch\nx = torch.ones(100)\nfor i in range(100000):\n    h = torch.autograd.functional.hessian(lambda t: (t * t).sum(), x)",
    ),
    _p(
        "cpu-hook-loop",
        "cpu",
        "limit",
        "import torch\nx = torch.ones(1, requires_grad=True)\ndef h(g):\n    while True:\n        pass\nx.register_hook(h)\n(x * 2).sum().backward()",
    ),
    _p(
        "cpu-comprehension-nested",
        "cpu",
        "limit",
        "a = [[j for j in range(10**6)] for i in range(10**6)]",
    ),
    _p("cpu-sort-huge", "cpu", "bounded", "a = sorted(range(10**8))"),
]

LEAK = [
    _p("leak-empty", "leak", "refuse", "import torch\nx = torch.empty(1000)"),
    _p("leak-empty-like", "leak", "refuse", "import torch\nx = torch.empty_like(torch.ones(10))"),
    _p(
        "leak-empty-strided",
        "leak",
        "refuse",
        "import torch\nx = torch.empty_strided((2, 2), (1, 1))",
    ),
    _p("leak-new-empty", "leak", "refuse", "import torch\nx = torch.ones(1).new_empty(1000)"),
    _p("leak-resize", "leak", "refuse", "import torch\nx = torch.ones(1)\nx.resize_(1000)"),
    _p("leak-data-ptr", "leak", "refuse", "import torch\np = torch.ones(1).data_ptr()"),
    _p("leak-storage", "leak", "refuse", "import torch\ns = torch.ones(1).untyped_storage()"),
    _p("leak-storage-old", "leak", "refuse", "import torch\ns = torch.ones(1).storage()"),
    _p("leak-numpy", "leak", "refuse", "import torch\na = torch.ones(1).numpy()"),
    _p("leak-id", "leak", "refuse", "a = id(print)"),
    _p("leak-repr-function", "leak", "bounded", "import torch\nprint(torch.ones)"),
    _p(
        "leak-repr-grad-fn",
        "leak",
        "run",
        "import torch\nx = torch.ones(1, requires_grad=True)\nprint((x * 2).grad_fn)",
    ),
    _p(
        "leak-repr-next-functions",
        "leak",
        "run",
        "import torch\nx = torch.ones(1, requires_grad=True)\nprint((x * 2).grad_fn.next_functions)",
    ),
    _p("leak-repr-lambda", "leak", "bounded", "f = lambda: 1\nprint(f)"),
    _p("leak-repr-module", "leak", "bounded", "import torch\nprint(torch)"),
    _p(
        "leak-repr-optim",
        "leak",
        "bounded",
        "import torch\nimport torch.nn as nn\nm = nn.Linear(1, 1)\nprint(torch.optim.SGD(m.parameters(), lr=0.1))",
    ),
    _p(
        "leak-set-default-dtype",
        "leak",
        "refuse",
        "import torch\ntorch.set_default_dtype(torch.float64)",
    ),
    _p(
        "leak-set-printoptions",
        "leak",
        "refuse",
        "import torch\ntorch.set_printoptions(precision=10)",
    ),
    _p(
        "leak-set-grad-enabled-global",
        "leak",
        "bounded",
        "import torch\ntorch.set_grad_enabled(False)\nx = 1",
    ),
    _p("leak-set-num-threads", "leak", "refuse", "import torch\ntorch.set_num_threads(64)"),
    _p(
        "leak-seed-global",
        "leak",
        "refuse",
        "import torch\ntorch.random.set_rng_state(torch.zeros(5056, dtype=torch.uint8))",
    ),
    _p("leak-anomaly", "leak", "refuse", "import torch\ntorch.autograd.set_detect_anomaly(True)"),
    _p(
        "leak-deterministic",
        "leak",
        "refuse",
        "import torch\ntorch.use_deterministic_algorithms(True)",
    ),
    _p("leak-monkeypatch", "leak", "refuse", "import torch\ntorch.ones = None"),
    _p("leak-monkeypatch-nn", "leak", "refuse", "import torch.nn as nn\nnn.Linear = None"),
    _p("leak-tensor-attr-set", "leak", "refuse", "import torch\nx = torch.ones(1)\nx.foo = 1"),
    _p(
        "leak-error-path",
        "leak",
        "bounded",
        "import torch\nx = torch.ones(2, 3) @ torch.ones(2, 3)",
    ),
]

PARSER = [
    _p("parser-deep-parens", "parser", "stop", "x = " + "(" * 5000 + "1" + ")" * 5000),
    _p("parser-deep-lists", "parser", "stop", "x = " + "[" * 3000 + "]" * 3000),
    _p("parser-long-chain", "parser", "stop", "x = " + " + ".join(["1"] * 3000)),
    _p("parser-deep-calls", "parser", "stop", "x = " + "abs(" * 1000 + "1" + ")" * 1000),
    _p("parser-deep-attr", "parser", "stop", "import torch\nx = torch" + ".abs" * 2000),
    _p(
        "parser-deep-if",
        "parser",
        "stop",
        "".join("    " * i + "if True:\n" for i in range(200)) + "    " * 200 + "pass",
    ),
    _p("parser-huge-int-literal", "parser", "stop", "x = " + "9" * 100000),
    _p("parser-huge-str-literal", "parser", "stop", "x = '" + "a" * 70000 + "'"),
    _p("parser-nul-byte", "parser", "refuse", "x = 1\x00\nprint(x)"),
    _p("parser-coding-cookie", "parser", "stop", "# -*- coding: rot13 -*-\nvzcbeg bf"),
    _p("parser-coding-utf7", "parser", "bounded", "# coding: utf-7\nx = 1"),
    _p(
        "parser-bidi",
        "parser",
        "bounded",
        "s = 'user\u202e \u2066// admin\u2069 \u2066'\nprint(len(s))",
    ),
    _p("parser-invalid-syntax", "parser", "refuse", "x = = 1"),
    _p("parser-unterminated", "parser", "refuse", "x = '"),
    _p("parser-tabs-mixed", "parser", "refuse", "if True:\n\tx = 1\n        y = 2"),
    _p("parser-many-statements", "parser", "stop", "x = 1\n" * 30000),
    _p("parser-deep-lambda", "parser", "stop", "f = " + "lambda: " * 500 + "1"),
    _p("parser-deep-subscript", "parser", "stop", "x = [1]" + "[0]" * 3000),
    _p("parser-deep-unary", "parser", "stop", "x = " + "-" * 10000 + "1"),
    _p("parser-deep-not", "parser", "stop", "x = " + "not " * 5000 + "True"),
    _p("parser-deep-fstring", "parser", "stop", "x = " + "f'{" * 50 + "1" + "}'" * 50),
    _p("parser-long-line", "parser", "bounded", "x = 1" + " " * 60000),
    _p("parser-lone-surrogate-escape", "parser", "bounded", "s = '\\ud800'\nprint(len(s))"),
]

CRASH = [
    _p(
        "crash-as-strided",
        "crash",
        "refuse",
        "import torch\nx = torch.ones(2).as_strided((1000, 1000), (1000, 1))",
    ),
    _p(
        "crash-as-strided-fn",
        "crash",
        "refuse",
        "import torch\nx = torch.as_strided(torch.ones(2), (100,), (100,))",
    ),
    _p(
        "crash-set",
        "crash",
        "refuse",
        "import torch\nx = torch.ones(2)\nx.set_(torch.ones(1).untyped_storage(), 0, (100,), (1,))",
    ),
    _p(
        "crash-sparse-coo",
        "crash",
        "refuse",
        "import torch\ns = torch.sparse_coo_tensor([[100000]], [1.0], (2,))",
    ),
    _p("crash-sparse-attr", "crash", "refuse", "import torch\ns = torch.sparse.mm"),
    _p("crash-to-sparse", "crash", "refuse", "import torch\ns = torch.ones(2).to_sparse()"),
    _p(
        "crash-frombuffer",
        "crash",
        "refuse",
        "import torch\nt = torch.frombuffer(b'abcd', dtype=torch.int32)",
    ),
    _p("crash-from-numpy", "crash", "refuse", "import torch\nt = torch.from_numpy(None)"),
    _p("crash-ops-namespace", "crash", "refuse", "import torch\nt = torch.ops.aten.add"),
    _p("crash-C-namespace", "crash", "refuse", "import torch\nt = torch._C"),
    _p(
        "crash-index-out-of-range", "crash", "bounded", "import torch\nx = torch.ones(3)\ny = x[10]"
    ),
    _p(
        "crash-gather-bad-index",
        "crash",
        "bounded",
        "import torch\nx = torch.ones(3)\ny = torch.gather(x, 0, torch.tensor([100]))",
    ),
    _p(
        "crash-index-select-bad",
        "crash",
        "bounded",
        "import torch\nx = torch.ones(3)\ny = torch.index_select(x, 0, torch.tensor([-100]))",
    ),
    _p("crash-negative-size", "crash", "bounded", "import torch\nx = torch.ones(-1)"),
    _p("crash-view-bad", "crash", "bounded", "import torch\nx = torch.ones(6).view(4, -1)"),
    _p(
        "crash-storage-offset",
        "crash",
        "refuse",
        "import torch\nx = torch.ones(4)\nx.storage_offset()",
    ),
    _p(
        "crash-det-singular",
        "crash",
        "bounded",
        "import torch\nx = torch.zeros(3, 3)\nprint(torch.inverse(x))",
    ),
    _p(
        "crash-nan-backward",
        "crash",
        "bounded",
        "import torch\nx = torch.tensor([0.0], requires_grad=True)\ny = torch.sqrt(x) / x\ny.backward()\nprint(x.grad)",
    ),
    _p(
        "crash-int-overflow-tensor",
        "crash",
        "bounded",
        "import torch\nx = torch.tensor([2**62]) * 1000",
    ),
    _p("crash-huge-int-to-tensor", "crash", "bounded", "import torch\nx = torch.tensor([10**30])"),
    _p(
        "crash-einsum-bad",
        "crash",
        "bounded",
        "import torch\nx = torch.einsum('ii->i', torch.ones(2, 3))",
    ),
    _p("crash-randint-bad", "crash", "bounded", "import torch\nx = torch.randint(5, 1, (3,))"),
]

POSITIVE = [
    _p(
        "ok-words-in-strings",
        "control",
        "run",
        "s = 'import os; eval(exec); __class__ open globals'\nprint(s)",
    ),
    _p(
        "ok-words-in-comments",
        "control",
        "run",
        "# import os; __import__('os').system('x')\nx = 1\nprint(x)",
    ),
    _p(
        "ok-seed-scalar",
        "control",
        "run",
        "import torch\nx = torch.ones(1, requires_grad=True)\nprint(x)\ny = x + 2\nprint(y)\ny.backward()\nprint(x.grad)",
    ),
    _p(
        "ok-seed-chain",
        "control",
        "run",
        "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\nz = y * y * 3\nout = z.mean()\nout.backward()\nprint(x.grad)",
    ),
    _p(
        "ok-seed-vector",
        "control",
        "run",
        "import torch\nx = torch.randn(3, requires_grad=True)\ny = x * 2\nwhile y.data.norm() < 1000:\n    y = y * 2\ny.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float))\nprint(x.grad)",
    ),
    _p(
        "ok-moderate-matmul",
        "control",
        "run",
        "import torch\na = torch.ones(200, 200)\nb = (a @ a).sum()\nprint(b)",
    ),
    _p("ok-moderate-loop", "control", "run", "s = 0\nfor i in range(10000):\n    s += i\nprint(s)"),
    _p(
        "ok-recursion-shallow",
        "control",
        "run",
        "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(20))",
    ),
    _p("ok-big-but-allowed-int", "control", "run", "x = 2 ** 1000\nprint(x % 7)"),
    _p("ok-korean-strings", "control", "run", "print('기울기', 1)"),
]


# Added by the security tests (issue 7): thin categories grown, and findings of the fuzzer and of
# the fault tests kept as entries.
MORE = [
    # network: every way to a socket must be refused before anything runs
    _p(
        "net-import-socket",
        "network",
        "refuse",
        "import socket\ns = socket.create_connection(('127.0.0.1', {PORT}))",
    ),
    _p(
        "net-import-urllib",
        "network",
        "refuse",
        "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:{PORT}/')",
    ),
    _p(
        "net-from-urllib",
        "network",
        "refuse",
        "from urllib import request\nrequest.urlopen('http://127.0.0.1:{PORT}/')",
    ),
    _p(
        "net-http-client",
        "network",
        "refuse",
        "import http.client\nc = http.client.HTTPConnection('127.0.0.1', {PORT})",
    ),
    _p("net-dunder-import-socket", "network", "refuse", "s = __import__('socket').socket()"),
    _p(
        "net-torch-distributed",
        "network",
        "refuse",
        "import torch\ntorch.distributed.init_process_group('gloo', init_method='tcp://127.0.0.1:{PORT}', rank=0, world_size=2)",
    ),
    _p(
        "net-torch-distributed-import",
        "network",
        "refuse",
        "import torch.distributed as dist\ndist.TCPStore('127.0.0.1', {PORT}, 2, False)",
    ),
    _p(
        "net-hub-load",
        "network",
        "refuse",
        "import torch\nm = torch.hub.load('127.0.0.1:{PORT}/x', 'model')",
    ),
    _p(
        "net-hub-list",
        "network",
        "refuse",
        "import torch\nm = torch.hub.list('127.0.0.1:{PORT}/x')",
    ),
    _p(
        "net-model-zoo",
        "network",
        "refuse",
        "import torch\nm = torch.utils.model_zoo.load_url('http://127.0.0.1:{PORT}/m.pt')",
    ),
    _p(
        "net-torch-load-url",
        "network",
        "refuse",
        "import torch\nm = torch.load('http://127.0.0.1:{PORT}/m.pt')",
    ),
    _p(
        "net-rpc",
        "network",
        "refuse",
        "import torch\ntorch.distributed.rpc.init_rpc('w', rank=0, world_size=1)",
    ),
    _p(
        "net-multiprocessing",
        "network",
        "refuse",
        "import torch\nq = torch.multiprocessing.get_context('spawn')",
    ),
    _p(
        "net-asyncio",
        "network",
        "refuse",
        "import asyncio\nasyncio.open_connection('127.0.0.1', {PORT})",
    ),
    _p(
        "net-url-in-string",
        "network",
        "run",
        "url = 'http://127.0.0.1:{PORT}/'\nprint(len(url) > 0)",
    ),
    # file: writes, reads and native code loading through torch
    _p("file-open-write", "file", "refuse", "f = open('{CANARY}', 'w')\nf.write('x')"),
    _p("file-print-to-file", "file", "refuse", "print('x', file=open('{CANARY}', 'w'))"),
    _p(
        "file-from-file-shared",
        "file",
        "refuse",
        "import torch\nt = torch.from_file('{CANARY}', shared=True, size=10)",
    ),
    _p(
        "file-jit-save",
        "file",
        "refuse",
        "import torch\ntorch.jit.save(torch.jit.script(torch.nn.Linear(1, 1)), '{CANARY}')",
    ),
    _p(
        "file-package-exporter",
        "file",
        "refuse",
        "import torch\ne = torch.package.PackageExporter('{CANARY}')",
    ),
    _p("file-hub-set-dir", "file", "refuse", "import torch\ntorch.hub.set_dir('{CANARY}')"),
    _p(
        "file-profiler-trace",
        "file",
        "refuse",
        "import torch\nwith torch.profiler.profile() as p:\n    x = torch.ones(1)\np.export_chrome_trace('{CANARY}')",
    ),
    _p("file-load-library", "file", "refuse", "import torch\ntorch.ops.load_library('{SECRET}')"),
    _p(
        "file-classes-load-library",
        "file",
        "refuse",
        "import torch\ntorch.classes.load_library('{SECRET}')",
    ),
    _p(
        "file-cpp-extension",
        "file",
        "refuse",
        "import torch\ntorch.utils.cpp_extension.load_inline('x', 'int x;')",
    ),
    _p(
        "file-serialization-save",
        "file",
        "refuse",
        "import torch\ntorch.serialization.save(torch.ones(1), '{CANARY}')",
    ),
    _p(
        "file-numpy-tofile",
        "file",
        "refuse",
        "import torch\ntorch.ones(1).numpy().tofile('{CANARY}')",
    ),
    _p("file-open-in-lambda", "file", "refuse", "f = lambda p: open(p)\nf('{SECRET}')"),
    _p("file-read-via-str-method", "file", "refuse", "s = '{SECRET}'\nt = s.__class__"),
    # escape: unicode look-alikes and spellings the validator must normalise like CPython
    _p("escape-fullwidth-eval", "escape", "refuse", "\uff45\uff56\uff41\uff4c('1')"),
    _p("escape-fullwidth-import-name", "escape", "refuse", "\uff4f\uff53 = 1\nimport os"),
    _p(
        "escape-mathbold-getattr",
        "escape",
        "refuse",
        "\U0001d420\U0001d41e\U0001d42d\U0001d41a\U0001d42d\U0001d42d\U0001d42b(1, 'real')",
    ),
    _p(
        "escape-nfkc-dunder-torch",
        "escape",
        "refuse",
        "import torch\nx = torch.\uff3f\uff3fdict\uff3f\uff3f",
    ),
    _p(
        "escape-grad-fn-apply",
        "escape",
        "stop",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\ny.grad_fn.apply(torch.ones(1))",
    ),
    _p(
        "escape-grad-fn-metadata",
        "escape",
        "refuse",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\nd = y.grad_fn.metadata",
    ),
    _p(
        "escape-grad-fn-raw-saved",
        "escape",
        "refuse",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\nd = y.grad_fn._raw_saved_self",
    ),
    _p(
        "escape-grad-fn-prehook",
        "escape",
        "refuse",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\ny.grad_fn.register_prehook(print)",
    ),
    _p(
        "escape-accumulate-grad-variable",
        "escape",
        "bounded",
        "import torch\nx = torch.ones(1, requires_grad=True)\ny = x * 2\nv = y.grad_fn.next_functions[0][0].variable\nprint(v)",
    ),
    _p(
        "escape-format-spec-nested",
        "escape",
        "refuse",
        "x = 1\ns = '{0.__class__.__mro__}'.format(x)",
    ),
    _p("escape-format-str-method", "escape", "bounded", "s = 'a'.format\nprint(s)"),
    _p("escape-fstring-attr-walk", "escape", "refuse", "import torch\ns = f'{torch.os}'"),
    _p(
        "escape-match-mapping",
        "escape",
        "refuse",
        "match {'a': 1}:\n    case {'a': x}:\n        pass",
    ),
    _p("escape-lambda-default-leak", "escape", "refuse", "f = lambda: 1\nd = f.__defaults__"),
    _p("escape-function-code", "escape", "refuse", "def f():\n    return 1\nc = f.__code__"),
    _p("escape-function-globals", "escape", "refuse", "def f():\n    return 1\ng = f.__globals__"),
    _p(
        "escape-method-self",
        "escape",
        "refuse",
        "import torch\nm = torch.ones(1).sum\ns = m.__self__",
    ),
    _p("escape-dtype-to-module", "escape", "refuse", "import torch\nm = torch.float32.__module__"),
    _p(
        "escape-optim-param-groups",
        "escape",
        "bounded",
        "import torch\nimport torch.nn as nn\nm = nn.Linear(1, 1)\no = torch.optim.SGD(m.parameters(), lr=0.1)\ng = o.param_groups\nprint(len(g))",
    ),
    _p(
        "escape-exception-traceback",
        "escape",
        "refuse",
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.__traceback__",
    ),
    # memory: found by the fault tests: Python containers have no total budget (a finding)
    _p(
        "mem-python-lists-rlimit",
        "memory",
        "stop",
        "a = []\nfor k in range(5000):\n    a.append(list(range(10**6, 10**6 + 100000)))",
    ),
    _p(
        "mem-tolist-amplify",
        "memory",
        "stop",
        "import torch\na = []\nfor k in range(1000):\n    a.append(torch.ones(1000, 1000).tolist())",
    ),
    _p(
        "mem-dict-of-lists",
        "memory",
        "stop",
        "d = {}\nfor k in range(50000):\n    d[k] = [k] * 100000",
    ),
    # found by tests/fuzz: a module built with a tensor where a bool belongs cannot be repr'd
    _p(
        "fuzz-nn-module-bad-repr",
        "crash",
        "bounded",
        "import torch\nimport torch.nn as nn\nv0 = nn.ReLU(torch.randn(3))",
    ),
    _p(
        "fuzz-nn-module-bad-repr-print",
        "crash",
        "bounded",
        "import torch\nimport torch.nn as nn\nv0 = nn.ReLU(torch.randn(3))\nprint(v0)",
    ),
    # parser: more spellings
    _p("parser-crlf-only", "parser", "bounded", "x = 1\r\ny = 2\r\nprint(x + y)"),
    _p("parser-form-feed", "parser", "bounded", "\x0cx = 1\nprint(x)"),
    _p("parser-bom", "parser", "bounded", "\ufeffx = 1\nprint(x)"),
    _p("parser-zero-width-ident", "parser", "refuse", "x\u200b = 1"),
    _p("parser-deep-dict", "parser", "stop", "x = " + "{1: " * 2000 + "1" + "}" * 2000),
    _p(
        "parser-deep-ternary",
        "parser",
        "stop",
        "x = " + "1 if True else (" * 1000 + "1" + ")" * 1000,
    ),
    _p("parser-huge-float-literal", "parser", "bounded", "x = 1" + "0" * 5000 + ".0\nprint(x)"),
    _p("parser-many-args", "parser", "stop", "print(" + "1, " * 20000 + "1)"),
]

# The torch surface of course programs (issue 21): convolution and pooling cost estimates
# that strides, dilations, padding and groups must not fool, loaders with huge batch counts,
# refused keywords, devices that slip past the limits, and torch errors that must stay errors.
COURSE_TORCH = [
    _p(
        "course-conv2d-flops-bomb",
        "cpu",
        "limit",
        "import torch\nimport torch.nn.functional as F\nx = torch.ones(1, 64, 120, 120)\nw = torch.ones(64, 64, 3, 3)\ny = F.conv2d(x, w)",
    ),
    _p(
        "course-conv2d-padding-grows-output",
        "memory",
        "limit",
        "import torch\nimport torch.nn.functional as F\ny = F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 1, 1), padding=5000)",
    ),
    _p(
        "course-conv2d-dilated-kernel-bomb",
        "cpu",
        "limit",
        "import torch\nimport torch.nn.functional as F\nx = torch.ones(1, 4, 490, 490)\nw = torch.ones(4, 4, 21, 21)\ny = F.conv2d(x, w, dilation=2, padding=20)",
    ),
    _p(
        "course-conv2d-stride-does-not-hide-loop",
        "cpu",
        "limit",
        "import torch\nimport torch.nn.functional as F\nx = torch.ones(1, 16, 200, 200)\nw = torch.ones(16, 16, 5, 5)\nfor i in range(1000):\n    y = F.conv2d(x, w, stride=1)",
    ),
    _p(
        "course-conv2d-groups-still-paid",
        "cpu",
        "limit",
        "import torch\nimport torch.nn.functional as F\nx = torch.ones(1, 512, 40, 40)\nw = torch.ones(256, 128, 3, 3)\ny = F.conv2d(x, w, groups=4, padding=1)",
    ),
    _p(
        "course-conv-module-in-sequential-bomb",
        "cpu",
        "limit",
        "import torch\nimport torch.nn as nn\nm = nn.Sequential(nn.Conv2d(3, 256, 3, padding=1), nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1))\ny = m(torch.ones(1, 3, 48, 48))",
    ),
    _p(
        "course-conv-module-init-bomb",
        "memory",
        "limit",
        "import torch.nn as nn\nc = nn.Conv2d(4096, 4096, 7)",
    ),
    _p(
        "course-embedding-init-bomb",
        "memory",
        "limit",
        "import torch.nn as nn\ne = nn.Embedding(10**8, 64)",
    ),
    _p(
        "course-max-pool-kernel-bomb",
        "cpu",
        "limit",
        "import torch\nimport torch.nn.functional as F\ny = F.max_pool2d(torch.ones(1, 1, 900, 900), kernel_size=801, stride=1, padding=400)",
    ),
    _p(
        "course-pad-bomb",
        "memory",
        "limit",
        "import torch\nimport torch.nn.functional as F\ny = F.pad(torch.ones(2), (0, 10**9))",
    ),
    _p(
        "course-one-hot-inferred-classes-bomb",
        "memory",
        "limit",
        "import torch\nimport torch.nn.functional as F\ny = F.one_hot(torch.tensor([0, 10**9]))",
    ),
    _p(
        "course-diag-square-bomb",
        "memory",
        "limit",
        "import torch\ny = torch.diag(torch.ones(100000))",
    ),
    _p(
        "course-tile-bomb",
        "memory",
        "limit",
        "import torch\ny = torch.tile(torch.ones(1000), (1000, 1000))",
    ),
    _p(
        "course-tile-keyword-bomb",
        "memory",
        "limit",
        "import torch\ny = torch.tile(torch.ones(1000), dims=(1000, 1000))",
    ),
    _p(
        "course-repeat-keyword-bomb",
        "memory",
        "limit",
        "import torch\ny = torch.ones(1000).repeat(repeats=(1000, 1000))",
    ),
    _p(
        "course-dataloader-huge-batch-count",
        "cpu",
        "stop",
        "import torch\nfrom torch.utils.data import TensorDataset, DataLoader\nloader = DataLoader(TensorDataset(torch.zeros(1000000)), batch_size=1)\nfor (b,) in loader:\n    pass",
    ),
    _p(
        "course-dataloader-repeated-epochs",
        "cpu",
        "stop",
        "import torch\nfrom torch.utils.data import TensorDataset, DataLoader\nloader = DataLoader(TensorDataset(torch.zeros(1000000)), batch_size=1000000, shuffle=True)\nwhile True:\n    for (b,) in loader:\n        pass",
    ),
    _p(
        "course-dataloader-workers-refused",
        "escape",
        "refuse",
        "import torch\nfrom torch.utils.data import TensorDataset, DataLoader\nl = DataLoader(TensorDataset(torch.ones(4)), num_workers=4)",
    ),
    _p(
        "course-dataloader-collate-fn-refused",
        "escape",
        "refuse",
        "import torch\nfrom torch.utils.data import TensorDataset, DataLoader\nl = DataLoader(TensorDataset(torch.ones(4)), collate_fn=print)",
    ),
    _p(
        "course-dataloader-over-list-refused",
        "escape",
        "refuse",
        "import torch\nfrom torch.utils.data import DataLoader\nl = DataLoader([print, print], batch_size=1)",
    ),
    _p(
        "course-keyword-sparse-grad-refused",
        "crash",
        "refuse",
        "import torch\nx = torch.ones(3, requires_grad=True)\ny = torch.gather(x, 0, torch.tensor([0, 1]), sparse_grad=True)\ny.sum().backward()",
    ),
    _p(
        "course-keyword-embedding-sparse-refused",
        "crash",
        "refuse",
        "import torch.nn as nn\ne = nn.Embedding(10, 2, sparse=True)",
    ),
    _p(
        "course-keyword-layout-refused",
        "crash",
        "refuse",
        "import torch\nx = torch.zeros(2, layout=torch.sparse_coo)",
    ),
    _p(
        "course-device-meta-refused",
        "memory",
        "refuse",
        "import torch\nd = torch.device('meta')\nx = torch.ones(10**12, device=d)",
    ),
    _p(
        "course-device-meta-string-refused",
        "memory",
        "refuse",
        "import torch\nx = torch.ones(10**12, device='meta')",
    ),
    _p(
        "course-set-default-device-meta-refused",
        "memory",
        "refuse",
        "import torch\ntorch.set_default_device('meta')\nx = torch.ones(10**12)",
    ),
    _p(
        "course-set-default-device-cuda-refused",
        "escape",
        "refuse",
        "import torch\ntorch.set_default_device('cuda')",
    ),
    _p(
        "course-legacy-constructor-size-refused",
        "memory",
        "refuse",
        "import torch\nx = torch.Tensor(10**6, 10**6)",
    ),
    _p(
        "course-legacy-constructor-uninitialised-refused",
        "leak",
        "refuse",
        "import torch\nx = torch.FloatTensor(1000)\nprint(x)",
    ),
    _p(
        "course-scatter-out-of-range-is-torch-error",
        "crash",
        "bounded",
        "import torch\nx = torch.zeros(3)\nx.scatter_(0, torch.tensor([10**9]), 1.0)",
    ),
    _p(
        "course-index-add-out-of-range-is-torch-error",
        "crash",
        "bounded",
        "import torch\nx = torch.zeros(3)\ny = x.index_add(0, torch.tensor([-7]), torch.ones(1))",
    ),
    _p(
        "course-embedding-index-out-of-range-is-torch-error",
        "crash",
        "bounded",
        "import torch\nimport torch.nn.functional as F\ny = F.embedding(torch.tensor([5]), torch.ones(2, 2))",
    ),
    _p(
        "course-scheduler-lambda-loops",
        "cpu",
        "stop",
        "import torch\nw = torch.ones(1, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\ndef forever(epoch):\n    while True:\n        pass\ns = torch.optim.lr_scheduler.LambdaLR(opt, forever)",
    ),
    _p(
        "course-post-accumulate-hook-loops",
        "cpu",
        "stop",
        "import torch\nw = torch.ones(1, requires_grad=True)\ndef hook(p):\n    while True:\n        pass\nw.register_post_accumulate_grad_hook(hook)\n(w * 2).sum().backward()",
    ),
    _p(
        "course-jacobian-vectorize-too-big",
        "memory",
        "limit",
        "import torch\nfrom torch.autograd.functional import jacobian\nj = jacobian(lambda t: t * 2, torch.ones(5000), vectorize=True)",
    ),
    _p(
        "course-jacobian-forward-strategy-refused",
        "escape",
        "refuse",
        "import torch\nfrom torch.autograd.functional import jacobian\nj = jacobian(lambda t: t * 2, torch.ones(2), vectorize=True, strategy='forward-mode')",
    ),
    _p(
        "course-module-list-append-loop",
        "memory",
        "stop",
        "import torch.nn as nn\nm = nn.ModuleList()\nwhile True:\n    m.append(nn.ReLU())",
    ),
]

# The sparse-gradient family (issue 13): sparse, quantized, nested, meta and complex tensors and
# `.data =` swaps of tensors backward saved. Every door is refused; what stays reachable (dense
# kernels given bad indices, swaps of another shape) ends in torch's own checked error.
_GATHER = "import torch\nx = torch.zeros(2, 4, requires_grad=True)\nidx = torch.tensor([[0, 1], [2, 3]])\n"
SPARSE = [
    _p(
        "sparse-gather-keyword",
        "crash",
        "refuse",
        _GATHER + "y = torch.gather(x, 1, idx, sparse_grad=True)",
    ),
    _p(
        "sparse-gather-method-keyword",
        "crash",
        "refuse",
        _GATHER + "y = x.gather(1, idx, sparse_grad=True)\ny.sum().backward()",
    ),
    _p(
        "sparse-gather-data-swap-write",
        "crash",
        "refuse",
        _GATHER
        + "y = torch.gather(x, 1, idx, sparse_grad=True)\nidx.data = torch.tensor([[0, 100000], [2, 3]])\ny.sum().backward()\nd = torch.zeros(2, 4)\nd.add_(x.grad)",
    ),
    _p(
        "sparse-gather-double-free",
        "crash",
        "refuse",
        _GATHER
        + "y = x.gather(1, idx, sparse_grad=True)\nidx.data = torch.tensor([[7, 9], [-50, 3]])\ny.sum().backward()\nz = x.grad.relu()\nprint(z)",
    ),
    _p(
        "sparse-gather-kwargs-unpack",
        "crash",
        "refuse",
        _GATHER + "y = torch.gather(x, 1, idx, **{'sparse_grad': True})",
    ),
    _p(
        "sparse-index-select-keyword",
        "crash",
        "refuse",
        _GATHER + "y = torch.index_select(x, 1, torch.tensor([0, 2]), sparse_grad=True)",
    ),
    _p(
        "sparse-embedding-functional",
        "crash",
        "refuse",
        "import torch\nimport torch.nn.functional as F\nw = torch.randn(10, 3, requires_grad=True)\ne = F.embedding(torch.tensor([1, 2]), w, sparse=True)",
    ),
    _p(
        "sparse-embedding-module",
        "crash",
        "refuse",
        "import torch\nimport torch.nn as nn\ne = nn.Embedding(10, 3, sparse=True)\nout = e(torch.tensor([1, 2])).sum()",
    ),
    _p(
        "sparse-coo-constructor",
        "crash",
        "refuse",
        "import torch\ns = torch.sparse_coo_tensor(torch.tensor([[0, 99999]]), torch.ones(2), (4,))",
    ),
    _p("sparse-to-sparse", "crash", "refuse", "import torch\ns = torch.ones(3).to_sparse()"),
    _p("sparse-to-sparse-csr", "crash", "refuse", "import torch\ns = torch.eye(3).to_sparse_csr()"),
    _p(
        "sparse-layout-keyword",
        "crash",
        "refuse",
        "import torch\ns = torch.zeros(3, layout=torch.sparse_coo)",
    ),
    _p(
        "sparse-layout-keyword-like",
        "crash",
        "refuse",
        "import torch\nx = torch.ones(3)\ns = torch.zeros_like(x, layout=x.layout)",
    ),
    _p(
        "sparse-namespace-mm",
        "crash",
        "refuse",
        "import torch\nm = torch.sparse.mm(torch.ones(2, 2), torch.ones(2, 2))",
    ),
    _p(
        "sparse-sgd-over-sparse-grad",
        "crash",
        "refuse",
        _GATHER
        + "y = torch.gather(x, 1, idx, sparse_grad=True)\nopt = torch.optim.SGD([x], lr=0.1)\nidx.data = torch.tensor([[0, 100000], [2, 3]])\ny.sum().backward()\nopt.step()",
    ),
    _p(
        "sparse-adam-over-embedding",
        "crash",
        "refuse",
        "import torch\nimport torch.nn as nn\ne = nn.Embedding(10, 3, sparse=True)\nopt = torch.optim.Adam(e.parameters(), lr=0.1)\ne(torch.tensor([1])).sum().backward()\nopt.step()",
    ),
    _p(
        "sparse-grad-assign",
        "crash",
        "refuse",
        "import torch\nx = torch.zeros(4, requires_grad=True)\nx.grad = torch.ones(4).to_sparse()",
    ),
    _p(
        "sparse-hook-sees-grad",
        "crash",
        "refuse",
        _GATHER
        + "h = x.register_hook(lambda g: print(g))\ny = torch.gather(x, 1, idx, sparse_grad=True)\ny.sum().backward()",
    ),
    _p("sparse-is-sparse-probe", "crash", "refuse", "import torch\nprint(torch.ones(2).is_sparse)"),
    _p(
        "quantized-tensor",
        "crash",
        "refuse",
        "import torch\nq = torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.qint8)",
    ),
    _p(
        "meta-device-tensor",
        "crash",
        "refuse",
        "import torch\nm = torch.ones(10**6, device='meta')\nprint(m.sum())",
    ),
    _p("meta-device-to", "crash", "refuse", "import torch\nm = torch.ones(3).to('meta')"),
    _p(
        "nested-tensor",
        "crash",
        "refuse",
        "import torch\nn = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])",
    ),
    _p(
        "complex-from-power",
        "crash",
        "refuse",
        "import torch\nc = (-1.0) ** 0.5\nt = torch.tensor([c])",
    ),
    _p(
        "complex-cast-to-real",
        "leak",
        "refuse",
        "import torch\na = -1.0\nt = torch.tensor([a ** 0.5]).float()\nprint(t)",
    ),
    _p(
        "data-swap-dense-gather-out-of-bounds",
        "crash",
        "bounded",
        _GATHER
        + "y = x.gather(1, idx)\nidx.data = torch.tensor([[0, 100000], [2, 3]])\ny.sum().backward()\nprint(x.grad)",
    ),
    _p(
        "data-swap-saved-index-new-shape",
        "crash",
        "bounded",
        _GATHER
        + "y = x.gather(1, idx)\nidx.data = torch.zeros(300, 400, dtype=torch.long)\ny.sum().backward()\nprint(x.grad)",
    ),
    _p(
        "data-swap-advanced-index",
        "crash",
        "bounded",
        "import torch\nx = torch.zeros(4, requires_grad=True)\ni = torch.tensor([0, 3])\ny = x[i]\ni.data = torch.tensor([0, 1000000])\ny.sum().backward()",
    ),
    _p(
        "data-write-saved-max-indices",
        "crash",
        "bounded",
        "import torch\nx = torch.randn(3, 4, requires_grad=True)\nr = x.max(dim=1)\nr.indices.data[0] = 100000\nr.values.sum().backward()",
    ),
    _p(
        "data-write-cross-entropy-target",
        "crash",
        "bounded",
        "import torch\nimport torch.nn.functional as F\nx = torch.randn(2, 3, requires_grad=True)\nt = torch.tensor([0, 2])\nloss = F.cross_entropy(x, t)\nt.data[1] = 100000\nloss.backward()",
    ),
    _p(
        "data-swap-dtype-of-saved",
        "crash",
        "bounded",
        "import torch\nw = torch.ones(3, requires_grad=True)\ny = (w * w).sum()\nw.data = torch.ones(3, dtype=torch.float64)\ny.backward()",
    ),
]

# C-level work in one interpreter step (copies, slices, split, comparisons and searches over
# nested containers, hashing tuples, round, module sizes given as tensors, SVDs behind norms,
# backward passes over graphs nobody paid for): each must be stopped by the limit it is aimed
# at, before the watchdog or RLIMIT_AS (issue 13, second attack round).
_NEST = "x = [0] * 100000\ny = [0] * 100000\na = [x] * 100000\nb = [y] * 100000\n"
_NEAR = "x = [0] * 100000\ny = [0] * 99999 + [1]\na = [x] * 100000\n"
_HUGE_TUPLE = "x = (0,) * 100000\nt = (x,) * 100000\n"
_KEEP = "keep = []\nfor i in range(400):\n"
NAMED_LIMITS = [
    _named(
        "limit-list-copy",
        "memory",
        "items",
        "l = [0] * 100000\n" + _KEEP + "    keep.append(l.copy())",
    ),
    _named(
        "limit-dict-copy",
        "memory",
        "items",
        "d = dict(zip(range(50000), range(50000)))\n" + _KEEP + "    keep.append(d.copy())",
    ),
    _named(
        "limit-list-slice",
        "memory",
        "items",
        "l = [0] * 100000\n" + _KEEP + "    keep.append(l[:])",
    ),
    _named(
        "limit-list-reverse-slice",
        "memory",
        "items",
        "l = [0] * 100000\n" + _KEEP + "    keep.append(l[::-1])",
    ),
    _named(
        "limit-str-slice",
        "memory",
        "items",
        "s = 'a' * 100000\n" + _KEEP + "    keep.append(s[1:])",
    ),
    _named(
        "limit-str-upper",
        "memory",
        "items",
        "s = 'a' * 100000\n" + _KEEP + "    keep.append(s.upper())",
    ),
    _named(
        "limit-str-lower",
        "memory",
        "items",
        "s = 'A' * 100000\n" + _KEEP + "    keep.append(s.lower())",
    ),
    _named(
        "limit-str-strip",
        "memory",
        "items",
        "s = ' ' + 'a' * 99998 + ' '\n" + _KEEP + "    keep.append(s.strip())",
    ),
    _named(
        "limit-str-replace",
        "memory",
        "items",
        "s = 'a' * 100000\n" + _KEEP + "    keep.append(s.replace('a', 'b'))",
    ),
    _named(
        "limit-str-split",
        "memory",
        "items",
        "s = 'a ' * 50000\nkeep = []\nfor i in range(3000):\n    keep.append(s.split())",
    ),
    _named(
        "limit-str-split-sep",
        "memory",
        "items",
        "s = 'a,' * 50000\nkeep = []\nfor i in range(3000):\n    keep.append(s.split(','))",
    ),
    _named(
        "limit-container-repr",
        "memory",
        "items",
        "l = ['a' * 9000] * 10\n" + _KEEP + "    keep.append(str(l))",
    ),
    _named(
        "limit-list-repeat-nested",
        "memory",
        "items",
        "a = [[0] * 100000] * 100\nkeep = []\nfor i in range(200):\n    keep.append(a * 1000)",
    ),
    _named("limit-nested-equal", "cpu", "op_cost", _NEST + "c = a == b"),
    _named("limit-nested-less", "cpu", "op_cost", _NEST + "c = a < b"),
    _named("limit-nested-not-equal", "cpu", "op_cost", _NEST + "c = a != b"),
    _named("limit-nested-in", "cpu", "op_cost", _NEAR + "c = y in a"),
    _named("limit-nested-not-in", "cpu", "op_cost", _NEAR + "c = y not in a"),
    _named("limit-nested-count", "cpu", "op_cost", _NEAR + "c = a.count(y)"),
    _named("limit-nested-index", "cpu", "op_cost", _NEAR + "c = a.index(y)"),
    _named("limit-nested-max", "cpu", "op_cost", _NEST + "c = max(a, b)"),
    _named(
        "limit-nested-tuple-count",
        "cpu",
        "op_cost",
        _HUGE_TUPLE + "c = t.count((0,) * 99999 + (1,))",
    ),
    _named(
        "limit-dict-values-in",
        "cpu",
        "op_cost",
        _NEAR + "d = dict(zip(range(50000), a))\nc = y in d.values()",
    ),
    _named("limit-tuple-key-store", "cpu", "op_cost", _HUGE_TUPLE + "d = {}\nd[t] = 1"),
    _named("limit-tuple-key-in", "cpu", "op_cost", _HUGE_TUPLE + "c = t in {}"),
    _named("limit-tuple-key-get", "cpu", "op_cost", _HUGE_TUPLE + "c = {}.get(t)"),
    _named("limit-round-negative-digits", "cpu", "int_bits", "r = round(5, -10**8)"),
    _named("limit-round-keyword-digits", "cpu", "int_bits", "r = round(7, ndigits=-10**7)"),
    _named(
        "limit-linear-tensor-sizes",
        "memory",
        "tensor_elements",
        "import torch\nimport torch.nn as nn\nm = nn.Linear(torch.tensor(12000), torch.tensor(12000))",
    ),
    _named(
        "limit-linear-keyword-tensor",
        "memory",
        "tensor_elements",
        "import torch\nimport torch.nn as nn\nm = nn.Linear(in_features=torch.tensor(12000), out_features=12000)",
    ),
    _named(
        "limit-linear-bool-size",
        "memory",
        "tensor_elements",
        "import torch\nimport torch.nn as nn\nm = nn.Linear(torch.tensor(4000), torch.tensor(4000), True)",
    ),
    _named(
        "limit-norm-nuc",
        "cpu",
        "op_cost",
        "import torch\nx = torch.ones(1000, 1000)\nn = x.norm(p='nuc')",
    ),
    _named(
        "limit-norm-nuc-function",
        "cpu",
        "op_cost",
        "import torch\nx = torch.ones(1000, 1000)\nn = torch.norm(x, 'nuc')",
    ),
    _named(
        "limit-norm-nuc-batched",
        "cpu",
        "op_cost",
        "import torch\nx = torch.ones(10, 300, 300)\nn = x.norm(p='nuc', dim=(1, 2))",
    ),
    _named(
        "limit-grad-create-graph-tower",
        "cpu",
        "run_cost",
        "import torch\nx = torch.ones(100, requires_grad=True)\ng = x.tanh().sum()\nfor i in range(16):\n    g = torch.autograd.grad(g, x, create_graph=True)[0].sum()",
    ),
    _named(
        "limit-backward-create-graph-tower",
        "cpu",
        "run_cost",
        "import torch\nx = torch.ones(100, requires_grad=True)\ny = x.tanh().sum()\nfor i in range(16):\n    y.backward(create_graph=True, inputs=[x])\n    y = x.grad.sum()\n    x.grad = None",
    ),
    _named(
        "limit-backward-retain-loop",
        "cpu",
        "run_cost",
        "import torch\nx = torch.ones(10000, requires_grad=True)\ny = x\nfor i in range(200):\n    y = y * 1.0001\ns = y.sum()\nfor i in range(10000):\n    s.backward(retain_graph=True)",
    ),
    _named(
        "limit-hessian-long-chain",
        "cpu",
        "run_cost",
        "import torch\nx = torch.ones(1000)\ndef f(v):\n    y = v\n    for i in range(300):\n        y = y.sin()\n    return y.sum()\nh = torch.autograd.functional.hessian(f, x)",
    ),
    _named(
        "limit-jacobian-long-chain",
        "cpu",
        "run_cost",
        "import torch\nx = torch.ones(1000)\ndef f(v):\n    y = v\n    for i in range(3000):\n        y = y * 1.0001\n    return y\nj = torch.autograd.functional.jacobian(f, x)",
    ),
    # The answer is an amplifier: these run, and their answers stay within limits.result_bytes.
    _p(
        "answer-amplifier-names",
        "memory",
        "run",
        "s = 'a' * 10000\nl = [s] * 1000\nv0 = l\nv1 = l\nv2 = l\nv3 = l\nv4 = l\nv5 = l\nv6 = l\nv7 = l\nv8 = l\nv9 = l",
    ),
    _p(
        "answer-amplifier-many-names",
        "memory",
        "run",
        "l = [0.123456789] * 1000\n" + "".join(f"v{i} = l\n" for i in range(2000)),
    ),
    _p(
        "answer-amplifier-timeline",
        "memory",
        "run",
        "s = 'a' * 10000\nl = [s] * 1000\nfor i in range(1000):\n    l[0] = s",
    ),
    _p(
        "answer-amplifier-dict",
        "memory",
        "run",
        "s = 'b' * 10000\nd = dict(zip(range(1000), [s] * 1000))\ne = d\nf = d",
    ),
]

# Issue 21's language: exceptions, type(), math/random, formatting, sorting, generators. A
# sandbox signal is never caught, a finally cannot outlive a limit, an exception object or a
# class view is no door, and every size is paid before the work.
_SPIN = "while True:\n        pass"
LANGUAGE = [
    # Dict and set comprehensions: each key is hashed as the subscript store hashes it (a tuple
    # key pays its walk), each item is a step, and the values count against `items`.
    _p(
        "dict-comprehension-huge-tuple-keys",
        "cpu",
        "limit",
        "t = tuple(range(100000))\nd = {(t, i): i for i in range(5000)}",
    ),
    _p(
        "set-comprehension-huge-tuples",
        "cpu",
        "limit",
        "t = tuple(range(100000))\ns = {(t, i) for i in range(5000)}",
    ),
    _named(
        "dict-comprehension-of-big-lists",
        "memory",
        "items",
        "d = {i: [0] * 1000 for i in range(90000)}",
    ),
    _named(
        "dict-comprehension-endless",
        "cpu",
        "steps",
        "d = {k: k for k in range(10**9)}",
    ),
    _p(
        "catch-timeout-bare-except",
        "cpu",
        "limit",
        f"try:\n    {_SPIN}\nexcept:\n    print('caught')",
    ),
    _p(
        "catch-timeout-base-exception-loop",
        "cpu",
        "limit",
        "n = 0\nwhile True:\n    try:\n        while True:\n            n += 1\n    except BaseException:\n        n = 0",
    ),
    _p(
        "catch-limit-tuple-with-base",
        "cpu",
        "limit",
        f"try:\n    {_SPIN}\nexcept (ValueError, BaseException, Exception) as e:\n    print(e)",
    ),
    _p(
        "catch-violation-base-exception",
        "escape",
        "refuse",
        "import torch\ntry:\n    s = torch.os\nexcept BaseException as e:\n    print('caught', e)",
    ),
    _p(
        "catch-str-limit-exception",
        "memory",
        "limit",
        "try:\n    s = 'a' * 10**9\nexcept Exception:\n    print('caught')",
    ),
    _p(
        "catch-memory-guard",
        "memory",
        "limit",
        "import torch\ntry:\n    xs = [torch.ones(1000, 1000) for i in range(1000)]\nexcept Exception as e:\n    print('caught', e)",
    ),
    _p("finally-loops-forever", "cpu", "limit", f"try:\n    {_SPIN}\nfinally:\n    {_SPIN}"),
    _p(
        "finally-reraises-other",
        "cpu",
        "limit",
        f"try:\n    {_SPIN}\nfinally:\n    raise ValueError('replaced')",
    ),
    _p(
        "finally-return-swallows-timeout",
        "cpu",
        "limit",
        "def f():\n    try:\n        while True:\n            pass\n    finally:\n        return 1\nprint(f())",
    ),
    _p(
        "finally-recursion-doubling",
        "cpu",
        "limit",
        "def f():\n    try:\n        f()\n    finally:\n        f()\nf()",
    ),
    _p(
        "except-recursion-retry",
        "cpu",
        "limit",
        "def f():\n    try:\n        f()\n    except BaseException:\n        f()\nf()",
    ),
    _p(
        "reraise-in-finally-loop",
        "cpu",
        "limit",
        "while True:\n    try:\n        raise ValueError('x')\n    except ValueError:\n        pass\n    finally:\n        pass",
    ),
    _p(
        "exception-with-traceback",
        "escape",
        "refuse",
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    f = e.with_traceback(None)",
    ),
    _p(
        "exception-context",
        "escape",
        "refuse",
        "try:\n    1 / 0\nexcept Exception as e:\n    c = e.__context__",
    ),
    _p("exception-cause-dict", "escape", "refuse", "e = ValueError('x')\nd = e.__dict__"),
    _p("exception-args-assign", "escape", "refuse", "e = ValueError('x')\ne.args = (1,)"),
    _p(
        "exception-args-of-torch-error",
        "leak",
        "run",
        "import torch\ntry:\n    torch.ones(2) @ torch.ones(3)\nexcept RuntimeError as e:\n    a = e.args[0]\n    print(type(a), len(e.args), isinstance(a, str))",
    ),
    _p(
        "exception-args-internals-attribute",
        "escape",
        "refuse",
        "import torch\ntry:\n    torch.ones(2) @ torch.ones(3)\nexcept RuntimeError as e:\n    a = e.args[0].__class__",
    ),
    _p("exception-class-mro", "escape", "refuse", "m = ValueError.mro()"),
    _p(
        "exception-repr-function",
        "leak",
        "run",
        "e = Exception(print, lambda: 1)\nprint(e, repr(e))",
    ),
    _p("type-mro-method", "escape", "refuse", "import torch\nm = type(torch.ones(1)).mro()"),
    _p("type-of-type-subclasses", "escape", "refuse", "s = type(type(1)).__subclasses__()"),
    _p("type-of-print-call", "escape", "stop", "f = type(print)\nprint(f)\ng = f.__call__"),
    _p("type-three-arguments", "escape", "refuse", "T = type('T', (object,), {})"),
    _p(
        "type-view-attribute",
        "escape",
        "refuse",
        "import torch\nt = type(torch.ones(1))\nd = t.dtype",
    ),
    _p("type-view-call", "escape", "bounded", "f = type(lambda: 1)\ng = f(None, {})"),
    _p(
        "type-of-module-forward",
        "escape",
        "refuse",
        "import torch\nc = type(torch.nn.Linear(1, 1))\nf = c.forward",
    ),
    _p(
        "type-of-type-prints",
        "escape",
        "run",
        "import torch\nprint(type(type(torch.ones(1))), type(type(3)), type(print))",
    ),
    _p("math-factorial-huge", "cpu", "limit", "import math\nx = math.factorial(10**6)"),
    _p("math-comb-huge", "cpu", "limit", "import math\nx = math.comb(10**6, 5 * 10**5)"),
    _p("math-perm-huge", "cpu", "limit", "from math import perm\nx = perm(10**5)"),
    _p("math-prod-range", "cpu", "limit", "import math\nx = math.prod(range(1, 10**5))"),
    _p("math-lcm-many", "cpu", "limit", "import math\nx = math.lcm(*range(1, 5000))"),
    _p("math-fsum-huge-range", "cpu", "limit", "import math\nx = math.fsum(range(10**12))"),
    _p(
        "random-sample-huge",
        "memory",
        "limit",
        "import random\nx = random.sample(range(10**12), 10**7)",
    ),
    _p(
        "random-choices-huge-k",
        "memory",
        "limit",
        "import random\nx = random.choices([1, 2], k=10**9)",
    ),
    _p(
        "random-getrandbits-huge", "memory", "limit", "import random\nx = random.getrandbits(10**9)"
    ),
    _p(
        "random-seed-from-clock",
        "leak",
        "refuse",
        "import random\nrandom.seed()\nprint(random.random())",
    ),
    _p("random-module-internals", "escape", "refuse", "import random\nr = random._inst"),
    _p("random-getstate", "leak", "refuse", "import random\ns = random.getstate()"),
    _p("sorted-key-raises", "cpu", "bounded", "print(sorted([3, 1, 2], key=lambda v: 1 / 0))"),
    _p(
        "sorted-key-loops",
        "cpu",
        "limit",
        "print(sorted(range(10**5), key=lambda v: [w for w in range(10**5)]))",
    ),
    _p("sorted-key-recursion", "cpu", "limit", "f = lambda v: f(v)\nprint(sorted([1, 2], key=f))"),
    _p(
        "format-field-attribute",
        "escape",
        "refuse",
        "import torch\ny = torch.ones(1, requires_grad=True) * 2\ns = '{0.grad_fn.next_functions}'.format(y)",
    ),
    _p("format-field-item-private", "escape", "refuse", "s = '{0[_x]}'.format({'_x': 1})"),
    _p("format-field-item-index", "escape", "refuse", "s = '{0[0]}'.format([1])"),
    _p(
        "format-map-attribute", "escape", "refuse", "s = '{k.__globals__}'.format_map({'k': print})"
    ),
    _p("format-nested-spec-attribute", "escape", "refuse", "s = '{:{0.__class__}}'.format(1)"),
    _p("format-width-huge", "memory", "limit", "s = '{:>{w}}'.format(1, w=10**9)"),
    _p("percent-width-huge", "memory", "limit", "s = '%1000000000d' % 1"),
    _p("percent-star-width-huge", "memory", "limit", "s = '%*d' % (10**9, 1)"),
    _p("format-repr-amplified", "memory", "limit", "x = ['x' * 10**5] * 10**5\ns = '{}'.format(x)"),
    _p("percent-repr-amplified", "memory", "limit", "x = ['x' * 10**5] * 10**5\ns = '%r' % (x,)"),
    _p("generator-sum-huge", "cpu", "limit", "print(sum(x for x in range(10**12)))"),
    _p(
        "generator-self-reference",
        "crash",
        "bounded",
        "g = (next(g) for x in range(3))\nprint(next(g))",
    ),
    _p("generator-frame", "escape", "refuse", "g = (x for x in [1])\nf = g.gi_frame"),
    _p("generator-send-throw", "escape", "refuse", "g = (x for x in [1])\ng.throw(ValueError)"),
    _p("set-huge", "memory", "limit", "s = set(range(10**9))"),
    _p("map-print-huge", "cpu", "limit", "xs = list(map(print, range(10**9)))"),
    _p("hash-of-tensor-address", "leak", "refuse", "import torch\nprint(hash(torch.ones(1)))"),
    _p("hash-of-function-address", "leak", "refuse", "print(hash(print))"),
    _p("dunder-name-assign", "escape", "refuse", "__name__ = 'evil'"),
    _p("dunder-name-builtins", "escape", "refuse", "b = __builtins__['open']"),
    _p(
        "underscore-name-is-own",
        "control",
        "run",
        "_pad = 3\ndef _f(_x):\n    return _x + _pad\nprint(_f(1))",
    ),
    _p("numpy-refused-with-hint", "escape", "refuse", "import numpy as np\nx = np.zeros(3)"),
]

# Class-based attacks (issue 15); that module builds its entries with _p/_named above.
from tests.security.corpus_classes import CLASSES  # noqa: E402

CORPUS: tuple[HostileProgram, ...] = tuple(
    ESCAPE
    + IMPORTS
    + FILES
    + MEMORY
    + CPU
    + LEAK
    + PARSER
    + CRASH
    + MORE
    + SPARSE
    + NAMED_LIMITS
    + POSITIVE
    + LANGUAGE
    + COURSE_TORCH
    + CLASSES
)
