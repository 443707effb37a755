# ruff: noqa: E501  (the programs are literals; splitting them would hide what they do)
"""Class-based attacks (issue 15): classes are the classic escape route of Python sandboxes.

Each one reads internals through `super()`/`self`/`ctx`/a class, defines a hook Python calls
implicitly, plays with metaclasses and bases, shadows torch's module internals, recurses through
special methods, or makes torch's engine run a hostile `backward`. Each must be refused with one
sentence or stopped by a named limit (see corpus.py for the expectations).
"""

from __future__ import annotations

from tests.security.corpus import HostileProgram, _named, _p

_MODULE = "import torch\nimport torch.nn as nn\n"


def _dunder(name: str) -> HostileProgram:
    return _p(
        f"class-defines-{name.strip('_')}",
        "escape",
        "refuse",
        f"class A:\n    def {name}(self, *rest):\n        return 1\na = A()",
    )


CLASSES: list[HostileProgram] = [
    # ---- reading internals ------------------------------------------------------------------
    _p(
        "class-self-class",
        "escape",
        "refuse",
        "class A:\n    def f(self):\n        return self.__class__\nA().f()",
    ),
    _p("class-dict", "escape", "refuse", "class A:\n    x = 1\nd = A.__dict__"),
    _p(
        "class-super-init-globals",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        g = super().__init__.__globals__\nN()",
    ),
    _p(
        "class-super-class",
        "escape",
        "refuse",
        "class A:\n    def f(self):\n        return super().__class__\nA().f()",
    ),
    _p(
        "class-method-func",
        "escape",
        "refuse",
        "class A:\n    def f(self):\n        return 1\nm = A().f.__func__",
    ),
    _p(
        "class-init-read",
        "escape",
        "refuse",
        "class A:\n    def __init__(self):\n        pass\ni = A.__init__",
    ),
    _p(
        "class-apply-self",
        "escape",
        "refuse",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x\n    @staticmethod\n    def backward(ctx, g):\n        return g\nr = F.apply.__self__",
    ),
    _p(
        "class-ctx-dict",
        "escape",
        "refuse",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        d = ctx.__dict__\n        return x\n    @staticmethod\n    def backward(ctx, g):\n        return g\nF.apply(torch.ones(1, requires_grad=True))",
    ),
    _p(
        "class-ctx-saved-internal",
        "escape",
        "refuse",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return ctx._saved_tensors\n    @staticmethod\n    def backward(ctx, g):\n        return g\nF.apply(torch.ones(1))",
    ),
    _p(
        "class-module-modules-read",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        m = self._modules\nN()",
    ),
    _p(
        "class-module-forward-hooks",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self._forward_hooks = {}\nN()",
    ),
    _p(
        "class-module-parameters-shadow",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self._parameters = {}\nN()",
    ),
    _p(
        "class-module-method-shadow",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.register_forward_hook = print\nN()",
    ),
    _p(
        "class-module-private-torch",
        "escape",
        "refuse",
        _MODULE + "class N(nn.Module):\n    def forward(self, x):\n        return torch._C\nN()(1)",
    ),
    _p(
        "class-tensor-underscore-attr",
        "escape",
        "refuse",
        "import torch\nt = torch.ones(1)\nt._x = 1",
    ),
    _p("class-tensor-underscore-read", "escape", "refuse", "import torch\nv = torch.ones(1)._base"),
    _p("class-version-read", "escape", "refuse", "import torch\nv = torch.ones(1)._version"),
    _p("class-type-self-mro", "escape", "bounded", "class A:\n    pass\nm = type(A()).mro()"),
    _p(
        "class-format-walk",
        "escape",
        "refuse",
        "class A:\n    pass\ns = '{0.__class__}'.format(A())",
    ),
    _p(
        "class-getattr-builtin",
        "escape",
        "refuse",
        "class A:\n    pass\nc = getattr(A(), '__class__')",
    ),
    # ---- defining the hooks Python calls implicitly ------------------------------------------
    *[
        _dunder(name)
        for name in (
            "__getattr__",
            "__getattribute__",
            "__setattr__",
            "__delattr__",
            "__del__",
            "__init_subclass__",
            "__class_getitem__",
            "__set_name__",
            "__reduce__",
            "__format__",
            "__index__",
            "__new__",
            "__enter__",
            "__bool__",
            "__get__",
        )
    ],
    _p("class-slots", "escape", "refuse", "class A:\n    __slots__ = ()"),
    _p(
        "class-alias-getattr",
        "escape",
        "refuse",
        "class A:\n    __getattr__ = lambda self, name: 1\nA().x",
    ),
    _p("class-alias-reads-dunder", "escape", "refuse", "class A:\n    c = __class__"),
    # ---- metaclasses, bases, where a class may stand -----------------------------------------
    _p("class-metaclass", "escape", "refuse", "class A(metaclass=type):\n    pass"),
    _p("class-keyword", "escape", "refuse", "class A(flag=1):\n    pass"),
    _p("class-base-call", "escape", "refuse", "class A(type(1)):\n    pass"),
    _p("class-base-int", "escape", "refuse", "class A(int):\n    pass"),
    _p("class-base-exception", "escape", "refuse", "class A(Exception):\n    pass"),
    _p("class-base-tensor", "escape", "refuse", "import torch\nclass T(torch.Tensor):\n    pass"),
    _p("class-base-linear", "escape", "refuse", _MODULE + "class L(nn.Linear):\n    pass"),
    _p(
        "class-base-function-value", "escape", "refuse", "def f():\n    pass\nclass A(f):\n    pass"
    ),
    _p(
        "class-mixed-bases",
        "escape",
        "refuse",
        _MODULE + "class A(nn.Module, torch.autograd.Function):\n    pass",
    ),
    _p("class-decorated", "escape", "refuse", "import torch\n@torch.no_grad()\nclass A:\n    pass"),
    _p(
        "class-in-function",  # legal since classes may be defined in functions: a control
        "control",
        "run",
        "def f():\n    class A:\n        pass\n    return A\nprint(f())",
    ),
    _p("class-nested-class", "escape", "refuse", "class A:\n    class B:\n        pass"),
    _p("class-body-loop", "escape", "refuse", "class A:\n    for i in range(3):\n        pass"),
    _p(
        "class-decorator-other",
        "escape",
        "refuse",
        "import functools\nclass A:\n    @functools.cache\n    def f(self):\n        return 1",
    ),
    _p("class-staticmethod-outside", "escape", "refuse", "@staticmethod\ndef f():\n    return 1"),
    _p(
        "class-decorator-own-name",
        "escape",
        "refuse",
        "no_grad = print\n@no_grad()\ndef f():\n    return 1",
    ),
    _p("class-super-outside", "escape", "refuse", "def f(x):\n    return super()\nf(1)"),
    _p(
        "class-object-handed-to-torch",
        "escape",
        "refuse",
        "import torch\nclass A:\n    def __len__(self):\n        return 3\n    def __getitem__(self, i):\n        return 1.0\nt = torch.tensor(A())",
    ),
    # ---- recursion through special methods: the call-depth limit -----------------------------
    _named(
        "class-recursive-repr",
        "cpu",
        "call_depth",
        "class A:\n    def __repr__(self):\n        return repr(self)\nprint(A())",
    ),
    _named(
        "class-recursive-eq",
        "cpu",
        "call_depth",
        "class A:\n    def __eq__(self, other):\n        return self == other\nA() == A()",
    ),
    _named(
        "class-recursive-hash",
        "cpu",
        "call_depth",
        "class A:\n    def __hash__(self):\n        return hash(self)\ns = {A()}",
    ),
    _named(
        "class-recursive-add",
        "cpu",
        "call_depth",
        "class A:\n    def __add__(self, other):\n        return self + other\nA() + 1",
    ),
    _named(
        "class-recursive-call",
        "cpu",
        "call_depth",
        "class A:\n    def __call__(self):\n        return self()\nA()()",
    ),
    _named(
        "class-recursive-init",
        "cpu",
        "call_depth",
        "class A:\n    def __init__(self):\n        self.child = A()\nA()",
    ),
    _named(
        "class-recursive-forward",
        "cpu",
        "call_depth",
        _MODULE
        + "class N(nn.Module):\n    def forward(self, x):\n        return self(x)\nN()(torch.ones(1))",
    ),
    _named(
        "class-recursive-extra-repr",
        "cpu",
        "call_depth",
        _MODULE
        + "class N(nn.Module):\n    def extra_repr(self):\n        return repr(self)\nprint(N())",
    ),
    _named(
        "class-fstring-repr",
        "cpu",
        "call_depth",
        "class A:\n    def __repr__(self):\n        return f'{self!r}'\ns = f'{A()!r}'",
    ),
    # ---- sizes and loops through special methods ---------------------------------------------
    _named(
        "class-huge-len-range",
        "memory",
        "list_length",
        "class A:\n    def __len__(self):\n        return 10**12\nfor i in range(len(A())):\n    pass",
    ),
    _named(
        "class-huge-len-list",
        "memory",
        "list_length",
        "class A:\n    def __len__(self):\n        return 10**9\n    def __getitem__(self, i):\n        return i\nxs = [0] * len(A())",
    ),
    _named(
        "class-getitem-forever",
        "cpu",
        "steps",
        "class A:\n    def __getitem__(self, i):\n        return i\nfor x in A():\n    pass",
    ),
    _p(
        "class-many-instances",
        "memory",
        "limit",
        "class A:\n    pass\nxs = []\nwhile True:\n    xs.append(A())",
    ),
    # ---- custom Functions: the engine runs the program's backward under the limits -----------
    _p(
        "class-backward-forever",
        "cpu",
        "limit",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        while True:\n            pass\nx = torch.ones(2, requires_grad=True)\nF.apply(x).sum().backward()",
    ),
    _p(
        "class-backward-allocates",
        "memory",
        "limit",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        xs = []\n        while True:\n            xs.append(torch.ones(100000))\nx = torch.ones(2, requires_grad=True)\nF.apply(x).sum().backward()",
    ),
    _p(
        "class-backward-recursive-backward",
        "cpu",
        "limit",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        with torch.enable_grad():\n            y = F.apply(torch.ones(1, requires_grad=True))\n            y.sum().backward()\n        return g\nx = torch.ones(2, requires_grad=True)\nF.apply(x).sum().backward()",
    ),
    _p(
        "class-forward-huge",
        "memory",
        "limit",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return torch.ones(10**10)\n    @staticmethod\n    def backward(ctx, g):\n        return g\nF.apply(torch.ones(1, requires_grad=True))",
    ),
    _p(
        "class-mark-dirty-lie",
        "crash",
        "bounded",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        ctx.mark_dirty(x)\n        return x.view(-1)\n    @staticmethod\n    def backward(ctx, g):\n        return g\nx = torch.ones(2, requires_grad=True)\ny = F.apply(x.clone())\ny.sum().backward()\nprint(x.grad)",
    ),
    _p(
        "class-wrong-gradient-count",
        "crash",
        "bounded",
        "import torch\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x, y):\n        return x * y\n    @staticmethod\n    def backward(ctx, g):\n        return g\na = torch.ones(2, requires_grad=True)\nF.apply(a, a).sum().backward()",
    ),
    _p(
        "class-backward-returns-object",
        "escape",
        "bounded",
        "import torch\nclass A:\n    pass\nclass F(torch.autograd.Function):\n    @staticmethod\n    def forward(ctx, x):\n        return x * 2\n    @staticmethod\n    def backward(ctx, g):\n        return A()\nx = torch.ones(2, requires_grad=True)\nF.apply(x).sum().backward()",
    ),
    _p(
        "class-register-buffer-internal-name",
        "escape",
        "bounded",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.register_buffer('_parameters', torch.ones(1))\nN()",
    ),
    _p(
        "class-state-dict-into-object",
        "escape",
        "bounded",
        _MODULE
        + "class Box:\n    pass\nclass N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(1, 1)\nb = Box()\nN().state_dict(b)\nprint(b._metadata)",
    ),
    # ---- class reads, property setters, state_dict views, bound-method equality -------------
    _named(
        "class-property-setter-recursing",
        "resource",
        "call_depth",
        "class A:\n    @property\n    def x(self):\n        return 1\n    @x.setter\n    def x(self, v):\n        self.x = v\nA().x = 1",
    ),
    _named(
        "class-property-getter-and-setter-ping-pong",
        "resource",
        "call_depth",
        "class A:\n    @property\n    def x(self):\n        self.x = 0\n        return 1\n    @x.setter\n    def x(self, v):\n        print(self.x)\nA().x",
    ),
    _p(
        "class-property-fget-globals",
        "escape",
        "refuse",
        "class A:\n    @property\n    def x(self):\n        return 1\ng = A.x.fget.__globals__",
    ),
    _p(
        "class-property-deleter",
        "escape",
        "refuse",
        "class A:\n    @property\n    def x(self):\n        return 1\n    @x.deleter\n    def x(self):\n        pass",
    ),
    _p(
        "class-property-getter-attribute",
        "escape",
        "refuse",
        "class A:\n    @property\n    def x(self):\n        return 1\nf = A.x.getter",
    ),
    _p(
        "class-setter-outside-class",
        "escape",
        "refuse",
        "class A:\n    @property\n    def x(self):\n        return 1\n@A.x.setter\ndef y(self, v):\n    pass",
    ),
    _p(
        "class-setter-on-nested-attribute",
        "escape",
        "refuse",
        "import torch\nclass A:\n    @torch.Tensor.grad.setter\n    def g(self, v):\n        pass",
    ),
    _p(
        "class-module-function-func",
        "escape",
        "refuse",
        _MODULE + "class N(nn.Module):\n    pass\nf = N.parameters.__func__",
    ),
    _p(
        "class-module-function-on-a-tensor",
        "escape",
        "refuse",
        _MODULE + "class N(nn.Module):\n    pass\nN.parameters(torch.ones(2))",
    ),
    _p(
        "class-module-function-on-a-plain-object",
        "escape",
        "refuse",
        _MODULE
        + "class Fake:\n    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):\n        return 1\nclass N(nn.Module):\n    pass\nN.parameters(Fake())",
    ),
    _p(
        "class-module-private-on-the-class",
        "escape",
        "refuse",
        _MODULE + "class N(nn.Module):\n    pass\nf = N._apply",
    ),
    _p(
        "class-module-unlisted-function-on-the-class",
        "escape",
        "refuse",
        _MODULE + "class N(nn.Module):\n    pass\nN.load_state_dict(N(), {})",
    ),
    _p(
        "class-state-dict-view-mapping",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(1, 1)\nm = N().state_dict().keys().mapping",
    ),
    _p(
        "class-state-dict-move-to-end",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(1, 1)\nN().state_dict().move_to_end('fc.bias')",
    ),
    _p(
        "class-state-dict-metadata",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(1, 1)\nprint(N().state_dict()._metadata)",
    ),
    _p(
        "class-bound-method-eq-runs-no-program-eq",
        "escape",
        "run",
        "class A:\n    def __eq__(self, o):\n        while True:\n            pass\n    def __hash__(self):\n        return 1\n    def f(self):\n        pass\na = A()\nprint(a.f == a.f, a.f == A().f)",
    ),
    _p(
        "class-bound-method-hash-builtin",
        "escape",
        "refuse",
        "class A:\n    def f(self):\n        pass\nprint(hash(A().f))",
    ),
    # ---- *args, keyword-only parameters, **kwargs and f(**mapping) ----------------------------
    _p(
        "class-kwargs-smuggles-dunder-keyword",
        "escape",
        "refuse",
        "def f(**kw):\n    return kw\nprint(f(**{'__class__': 1}))",
    ),
    _p(
        "class-kwargs-smuggles-module-internal",
        "escape",
        "refuse",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self, **kw):\n        super().__init__(**kw)\nN(**{'_parameters': {}})",
    ),
    _p(
        "class-kwargs-smuggles-refused-torch-keyword",
        "escape",
        "refuse",
        "import torch\nt = torch.ones(2)\nopts = {'out': t}\ntorch.add(t, t, **opts)",
    ),
    _p(
        "class-kwargs-into-super-init-unknown",
        "escape",
        "bounded",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self, **kw):\n        super().__init__(**kw)\nN(training=False)",
    ),
    _p(
        "class-star-args-huge-len",
        "memory",
        "limit",
        "class Huge:\n    def __len__(self):\n        return 10 ** 9\n    def __getitem__(self, i):\n        return i\ndef f(*args):\n    return len(args)\nf(*Huge())",
    ),
    _p(
        "class-star-args-endless-sequence",
        "memory",
        "limit",
        "class Forever:\n    def __getitem__(self, i):\n        return i\ndef f(*args):\n    return args\nf(*Forever())",
    ),
    _named(
        "class-star-args-recursing",
        "resource",
        "call_depth",
        "def f(*a, **k):\n    return f(*a, **k)\nf(1, x=2)",
    ),
    _named(
        "class-kwargs-growing-each-call",
        "resource",
        "call_depth",
        "def f(**k):\n    k[str(len(k))] = 1\n    return f(**k)\nf()",
    ),
    _p(
        "class-keyword-only-default-dunder",
        "escape",
        "refuse",
        "def f(*, a=__builtins__):\n    return a\nf()",
    ),
    _p(
        "class-kwargs-parameter-dunder-name",
        "escape",
        "refuse",
        "def f(**__globals__):\n    return 1",
    ),
    _p(
        "class-double-star-non-mapping-object",
        "escape",
        "bounded",
        "class M:\n    def keys(self):\n        return ['__class__']\n    def __getitem__(self, k):\n        return 1\ndef f(**kw):\n    return kw\nf(**M())",
    ),
    # ---- classes defined inside functions ------------------------------------------------------
    _named(
        "class-statement-in-a-loop",
        "memory",
        "items",
        "for i in range(100000):\n    class A:\n        pass",
    ),
    _named(
        "class-factory-called-in-a-loop",
        "memory",
        "items",
        _MODULE
        + "def make():\n    class N(nn.Module):\n        def forward(self, x):\n            return x\n    return N\nkept = []\nfor i in range(100000):\n    kept.append(make())",
    ),
    _named(
        "class-in-recursive-function",
        "resource",
        "call_depth",
        "def f(n):\n    class A:\n        def g(self):\n            return f(n + 1)\n    return A().g()\nf(0)",
    ),
    _p(
        "class-in-function-base-from-closure",
        "escape",
        "refuse",
        "def make(base):\n    class A(base):\n        pass\n    return A\nmake(int)",
    ),
    _p(
        "class-in-function-base-type-of-value",
        "escape",
        "refuse",
        "def make(x):\n    class A(type(x)):\n        pass\n    return A\nmake(print)",
    ),
    _p(
        "class-in-function-reads-closure-dunder",
        "escape",
        "refuse",
        "def make():\n    secret = 1\n    class A:\n        def f(self):\n            return self.f.__closure__\n    return A()\nmake().f()",
    ),
    _p(
        "class-in-function-forbidden-dunder",
        "escape",
        "refuse",
        "def make():\n    class A:\n        def __getattr__(self, name):\n            return 1\n    return A()\nmake()",
    ),
    # ---- the capture's own call of a variable's __repr__ (after the run, aside): the program
    # ran fine, so it must answer ok, fast, with its own output; the repr falls back ----------
    _p(
        "class-variable-repr-loops",
        "cpu",
        "run",
        "class A:\n    def __repr__(self):\n        while True:\n            pass\na = A()",
    ),
    _p(
        "class-variable-repr-loops-many",
        "cpu",
        "run",
        "class A:\n    def __repr__(self):\n        n = 0\n        while True:\n            n += 1\nmany = [A() for _ in range(3000)]\nmore = [A() for _ in range(3000)]",
    ),
    _p(
        "class-variable-repr-allocates-string",
        "memory",
        "run",
        "class A:\n    def __repr__(self):\n        return 'x' * 10**9\na = A()",
    ),
    _p(
        "class-variable-repr-allocates-lists",
        "memory",
        "run",
        "class A:\n    def __repr__(self):\n        keep = []\n        while True:\n            keep.append([0] * 10**4)\na = A()",
    ),
    _p(
        "class-variable-repr-allocates-tensors",
        "memory",
        "run",
        "import torch\nclass A:\n    def __repr__(self):\n        keep = []\n        while True:\n            keep.append(torch.ones(1000, 1000) @ torch.ones(1000, 1000))\na = A()",
    ),
    _p(
        "class-variable-repr-raises",
        "crash",
        "run",
        "class A:\n    def __repr__(self):\n        raise RuntimeError('no repr for you')\na = A()",
    ),
    _p(
        "class-variable-repr-recursive",
        "cpu",
        "run",
        "class A:\n    def __repr__(self):\n        return repr(self)\na = A()",
    ),
    _p(
        "class-variable-repr-not-a-string",
        "crash",
        "run",
        "class A:\n    def __repr__(self):\n        return 5\na = A()",
    ),
    _p(
        "class-variable-repr-prints-a-flood",
        "memory",
        "run",
        "class A:\n    def __repr__(self):\n        while True:\n            print('x' * 1000)\na = A()",
    ),
    _p(
        "class-variable-repr-huge-text",
        "memory",
        "run",
        "class A:\n    def __repr__(self):\n        return 'y' * 99999\nmany = [A() for _ in range(500)]",
    ),
    _p(
        "class-variable-extra-repr-loops",
        "cpu",
        "run",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 2)\n    def extra_repr(self):\n        while True:\n            pass\nmodel = N()",
    ),
    _p(
        "class-variable-repr-runs-backward",
        "crash",
        "run",
        "import torch\nclass A:\n    def __init__(self):\n        self.w = torch.ones(2, requires_grad=True)\n    def __repr__(self):\n        (self.w * 2).sum().backward()\n        torch.set_grad_enabled(False)\n        return 'A'\na = A()",
    ),
    # ---- controls: the honest programs still run ----------------------------------------------
    _p(
        "class-control-value",
        "control",
        "run",
        "class V:\n    def __init__(self, d):\n        self.d = d\n        self._prev = ()\n    def __add__(self, o):\n        return V(self.d + o.d)\n    def __repr__(self):\n        return f'V({self.d})'\nprint(V(1) + V(2))",
    ),
    _p(
        "class-control-module",
        "control",
        "run",
        _MODULE
        + "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 1)\n    def forward(self, x):\n        return self.fc(x)\nprint(N()(torch.ones(1, 2)).shape)",
    ),
]
