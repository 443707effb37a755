# ruff: noqa: E501  (the programs are literals)
"""Differential programs for user-defined classes (issue 15).

Written by the team in the style of the "custom nn Module" and "defining new autograd
functions" tutorials and of the hand-written scalar autograd engines courses teach (nothing
copied). Each entry is `(id, source, expected error type or None)`; `cases.py` turns them into
`Case`s, compared with real CPython + torch.
"""

from __future__ import annotations

_VALUE_CLASS = """
class Scalar:
    def __init__(self, data, parents=(), op=""):
        self.data = data
        self.grad = 0.0
        self._prev = parents
        self._op = op
        self._backward = lambda: None

    def __repr__(self):
        return f"Scalar(data={self.data:.4f}, grad={self.grad:.4f})"

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data + other.data, (self, other), "+")
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(other)
        out = Scalar(self.data * other.data, (self, other), "*")
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __pow__(self, k):
        out = Scalar(self.data ** k, (self,), f"**{k}")
        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1

    def tanh(self):
        e = math.exp(2 * self.data)
        t = (e - 1) / (e + 1)
        out = Scalar(t, (self,), "tanh")
        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order = []
        seen = []
        def visit(node):
            if node not in seen:
                seen.append(node)
                for parent in node._prev:
                    visit(parent)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()
"""

PROGRAMS: list[tuple[str, str, str | None]] = [
    # ---- plain classes -------------------------------------------------------------------
    (
        "class-plain-counter",
        """
        class Counter:
            step = 2
            def __init__(self, start=0):
                self.value = start
            def bump(self):
                self.value += self.step
                return self
        c = Counter(5)
        c.bump().bump()
        print(c.value, Counter.step, isinstance(c, Counter), isinstance(3, Counter))
        """,
        None,
    ),
    (
        "class-plain-object-base-and-repr",
        """
        class Point(object):
            def __init__(self, x, y):
                self.x, self.y = x, y
            def __repr__(self):
                return f"Point({self.x}, {self.y})"
            def __str__(self):
                return f"({self.x}, {self.y})"
        p = Point(1, 2)
        print(p, repr(p), [p, Point(3, 4)], str(p), f"{p!r} {p}")
        """,
        None,
    ),
    (
        "class-plain-default-repr",
        """
        class Box:
            pass
        b = Box()
        b.size = 3
        print(b.size, type(b) is Box, isinstance(b, Box))
        print(Box)
        """,
        None,
    ),
    (
        "class-plain-operators-reflected",
        """
        class Money:
            def __init__(self, cents):
                self.cents = cents
            def __add__(self, other):
                if isinstance(other, Money):
                    return Money(self.cents + other.cents)
                return Money(self.cents + other)
            def __radd__(self, other):
                return self + other
            def __mul__(self, k):
                return Money(self.cents * k)
            def __rmul__(self, k):
                return self * k
            def __sub__(self, other):
                return Money(self.cents - other.cents)
            def __neg__(self):
                return Money(-self.cents)
            def __eq__(self, other):
                return isinstance(other, Money) and self.cents == other.cents
            def __lt__(self, other):
                return self.cents < other.cents
            def __repr__(self):
                return f"Money({self.cents})"
        a = Money(150)
        b = Money(75)
        print(a + b, 10 + a, 3 * b, a - b, -a, a == Money(150), a == 150, b < a)
        print(sum([a, b, Money(5)]), sorted([a, b, Money(1)]), max([a, b]))
        """,
        None,
    ),
    (
        "class-plain-sequence",
        """
        class Window:
            def __init__(self, values, width):
                self.values = values
                self.width = width
            def __len__(self):
                return len(self.values) - self.width + 1
            def __getitem__(self, i):
                if i >= len(self):
                    raise IndexError("window out of range")
                return sum(self.values[i:i + self.width])
        w = Window([1, 2, 3, 4, 5], 2)
        print(len(w), w[0], list(w), [x for x in w], bool(w), 9 in w)
        """,
        None,
    ),
    (
        "class-plain-iter-and-call",
        """
        class Poly:
            def __init__(self, coeffs):
                self.coeffs = coeffs
            def __call__(self, x):
                total = 0
                for c in reversed(self.coeffs):
                    total = total * x + c
                return total
            def __iter__(self):
                return iter(self.coeffs)
        p = Poly([1, 0, 2])
        print(p(3), list(p), callable(p), [p(t) for t in range(3)])
        """,
        None,
    ),
    (
        "class-plain-hash-eq-in-dict",
        """
        class Key:
            def __init__(self, name):
                self.name = name
            def __eq__(self, other):
                return self.name == other.name
            def __hash__(self):
                return hash(self.name)
        table = {Key("a"): 1, Key("b"): 2}
        print(table[Key("b")], Key("a") in table, len({Key("x"), Key("x")}))
        """,
        None,
    ),
    (
        "class-plain-eq-without-hash-unhashable",
        """
        class Thing:
            def __eq__(self, other):
                return True
        s = {Thing()}
        """,
        "TypeError",
    ),
    (
        "class-plain-inheritance-and-super",
        """
        class Shape:
            sides = 0
            def __init__(self, name):
                self.name = name
            def describe(self):
                return f"{self.name} with {self.sides} sides"
        class Square(Shape):
            sides = 4
            def __init__(self, size):
                super().__init__("square")
                self.size = size
            def describe(self):
                return super().describe() + f", size {self.size}"
        class Tiny(Square):
            def __init__(self):
                super(Tiny, self).__init__(1)
        print(Square(3).describe(), Tiny().describe(), isinstance(Tiny(), Shape))
        """,
        None,
    ),
    (
        "class-plain-static-class-property",
        """
        class Temperature:
            scale = "C"
            def __init__(self, degrees):
                self._degrees = degrees
            @property
            def kelvin(self):
                return self._degrees + 273.15
            @staticmethod
            def from_f(f):
                return Temperature((f - 32) * 5 / 9)
            @classmethod
            def freezing(cls):
                return cls(0)
        t = Temperature.from_f(212)
        print(round(t.kelvin, 2), Temperature.freezing().kelvin, t.scale, Temperature.from_f(32)._degrees)
        """,
        None,
    ),
    (
        "class-plain-methods-call-each-other",
        """
        class Stats:
            def __init__(self, xs):
                self.xs = xs
            def mean(self):
                return sum(self.xs) / len(self.xs)
            def var(self):
                m = self.mean()
                return sum((x - m) ** 2 for x in self.xs) / len(self.xs)
            def summary(self):
                return {"mean": self.mean(), "var": self.var()}
        print(Stats([1.0, 2.0, 4.0]).summary())
        """,
        None,
    ),
    (
        "class-plain-closure-attribute",
        """
        class Node:
            def __init__(self, v):
                self.v = v
                self.hook = lambda: None
        n = Node(2)
        log = []
        def record():
            log.append(n.v * 10)
        n.hook = record
        n.hook()
        n.hook()
        print(log)
        """,
        None,
    ),
    (
        "class-error-missing-argument",
        """
        class Pair:
            def __init__(self, a, b):
                self.a = a
                self.b = b
        p = Pair(1)
        """,
        "TypeError",
    ),
    (
        "class-error-no-attribute",
        """
        class Empty:
            pass
        e = Empty()
        print("before")
        print(e.missing)
        """,
        "AttributeError",
    ),
    (
        "class-error-takes-no-arguments",
        """
        class Plain:
            pass
        Plain(3)
        """,
        "TypeError",
    ),
    (
        "class-error-in-method-line",
        """
        class Divider:
            def __init__(self, d):
                self.d = d
            def apply(self, x):
                y = x * 2
                return y / self.d
        print(Divider(2).apply(3))
        Divider(0).apply(3)
        """,
        "ZeroDivisionError",
    ),
    (
        "class-error-unsupported-operand",
        """
        class Blob:
            pass
        b = Blob() + 1
        """,
        "TypeError",
    ),
    (
        "class-error-property-no-setter",
        """
        class Ro:
            @property
            def x(self):
                return 1
        r = Ro()
        r.x = 2
        """,
        "AttributeError",
    ),
    # ---- a hand-written scalar autograd engine, checked against torch ------------------------
    (
        "class-scalar-engine-vs-torch",
        "import math\nimport torch\n"
        + _VALUE_CLASS
        + """
a = Scalar(2.0)
b = Scalar(-3.0)
c = Scalar(10.0)
d = a * b + c
e = d.tanh() * 2 - a / b + b ** 2
e.backward()
print(a, b, c)
ta = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
tb = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
tc = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)
te = (ta * tb + tc).tanh() * 2 - ta / tb + tb ** 2
te.backward()
print(round(ta.grad.item(), 4), round(tb.grad.item(), 4), round(tc.grad.item(), 4))
print(abs(a.grad - ta.grad.item()) < 1e-9, abs(b.grad - tb.grad.item()) < 1e-9)
""",
        None,
    ),
    (
        "class-scalar-engine-neuron-training",
        "import math\nimport random\n"
        + _VALUE_CLASS
        + """
random.seed(3)
w = [Scalar(random.uniform(-1, 1)) for _ in range(2)]
bias = Scalar(0.0)
data = [([1.0, 2.0], 1.0), ([-1.0, 0.5], -1.0), ([0.5, -2.0], -1.0)]
for step in range(15):
    loss = Scalar(0.0)
    for xs, target in data:
        out = (w[0] * xs[0] + w[1] * xs[1] + bias).tanh()
        loss = loss + (out - target) ** 2
    for p in w + [bias]:
        p.grad = 0.0
    loss.backward()
    for p in w + [bias]:
        p.data -= 0.1 * p.grad
    if step % 5 == 0:
        print(step, round(loss.data, 6))
print([round(p.data, 6) for p in w], round(bias.data, 6))
""",
        None,
    ),
    # ---- nn.Module subclasses ------------------------------------------------------------------
    (
        "class-module-two-layer-print-and-params",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        class TwoLayer(nn.Module):
            def __init__(self, d_in, hidden, d_out):
                super(TwoLayer, self).__init__()
                self.hidden = nn.Linear(d_in, hidden)
                self.out = nn.Linear(hidden, d_out)
            def forward(self, x):
                return self.out(torch.relu(self.hidden(x)))
        net = TwoLayer(3, 5, 2)
        print(net)
        for name, p in net.named_parameters():
            print(name, tuple(p.shape), p.requires_grad)
        print(sum(p.numel() for p in net.parameters()))
        y = net(torch.randn(4, 3))
        print(y.shape, y.grad_fn.name())
        """,
        None,
    ),
    (
        "class-module-polynomial-sgd",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(1)
        class Cubic(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Parameter(torch.randn(()))
                self.b = nn.Parameter(torch.randn(()))
                self.c = nn.Parameter(torch.randn(()))
                self.d = nn.Parameter(torch.randn(()))
            def forward(self, x):
                return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            def string(self):
                return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"
        x = torch.linspace(-1.0, 1.0, 50)
        y = torch.sin(x)
        model = Cubic()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        loss_fn = nn.MSELoss()
        for t in range(60):
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if t % 20 == 19:
                print(t, round(loss.item(), 6))
        print(model.string())
        print([n for n, _ in model.named_parameters()])
        """,
        None,
    ),
    (
        "class-module-dynamic-depth",
        """
        import random
        import torch
        import torch.nn as nn
        random.seed(0)
        torch.manual_seed(0)
        class Dynamic(nn.Module):
            def __init__(self, width):
                super().__init__()
                self.inp = nn.Linear(1, width)
                self.middle = nn.Linear(width, width)
                self.outp = nn.Linear(width, 1)
            def forward(self, x):
                h = self.inp(x).clamp(min=0)
                for _ in range(random.randint(0, 3)):
                    h = self.middle(h).clamp(min=0)
                return self.outp(h)
        model = Dynamic(4)
        opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        x = torch.linspace(-1, 1, 8).unsqueeze(1)
        y = x ** 2
        for step in range(10):
            loss = ((model(x) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(round(loss.item(), 6), len(list(model.parameters())))
        """,
        None,
    ),
    (
        "class-module-modulelist-and-children",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(2)
        class Stack(nn.Module):
            def __init__(self, sizes):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])
                self.act = nn.Tanh()
            def forward(self, x):
                for layer in self.layers:
                    x = self.act(layer(x))
                return x
        s = Stack([2, 3, 3, 1])
        print(s)
        print(len(list(s.children())), len(list(s.modules())))
        print([name for name, _ in s.named_parameters()])
        print(s(torch.ones(2, 2)).shape)
        """,
        None,
    ),
    (
        "class-module-train-eval-zero-grad",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 1)
                self.drop = nn.Dropout(0.5)
            def forward(self, x):
                return self.drop(self.fc(x))
        net = Net()
        print(net.training, net.drop.training)
        net.eval()
        print(net.training, net.drop.training)
        out = net(torch.ones(2, 3)).sum()
        out.backward()
        print(net.fc.weight.grad)
        net.zero_grad()
        print(net.fc.weight.grad)
        net.train()
        print(net.training)
        """,
        None,
    ),
    (
        "class-module-extra-repr-and-constants",
        """
        import torch
        import torch.nn as nn
        class Scale(nn.Module):
            default = 2.0
            def __init__(self, factor=None):
                super().__init__()
                self.factor = factor if factor is not None else self.default
                self.weight = nn.Parameter(torch.ones(2))
            def extra_repr(self):
                return f"factor={self.factor}"
            def forward(self, x):
                return x * self.weight * self.factor
        class Wrapper(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = Scale()
                self.other = Scale(0.5)
            def forward(self, x):
                return self.other(self.inner(x))
        w = Wrapper()
        print(w)
        print(w(torch.tensor([1.0, 2.0])))
        print([n for n, _ in w.named_parameters()])
        """,
        None,
    ),
    (
        "class-module-subclass-of-program-module",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(4)
        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
            def forward(self, x):
                return self.fc(x)
        class Residual(Base):
            def forward(self, x):
                return x + super().forward(x)
        r = Residual()
        print(r)
        print(r(torch.ones(1, 2)).shape, isinstance(r, Base), isinstance(r, nn.Module))
        """,
        None,
    ),
    (
        "class-module-in-sequential",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(5)
        class Square(nn.Module):
            def forward(self, x):
                return x * x
        seq = nn.Sequential(nn.Linear(2, 3), Square(), nn.Linear(3, 1))
        print(seq)
        print(seq(torch.ones(4, 2)).shape)
        """,
        None,
    ),
    (
        "class-module-adam-training",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        torch.manual_seed(7)
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.l1 = nn.Linear(2, 8)
                self.l2 = nn.Linear(8, 2)
            def forward(self, x):
                return self.l2(F.relu(self.l1(x)))
        x = torch.randn(20, 2)
        y = (x[:, 0] > x[:, 1]).long()
        model = Classifier()
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        for epoch in range(30):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        acc = (model(x).argmax(dim=1) == y).float().mean()
        print(round(loss.item(), 5), acc.item())
        """,
        None,
    ),
    (
        "class-module-no-grad-method-decorator",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 1)
            def forward(self, x):
                return self.fc(x)
            @torch.no_grad()
            def predict(self, x):
                return self.forward(x)
        m = Model()
        p = m.predict(torch.ones(1, 2))
        q = m(torch.ones(1, 2))
        print(p.requires_grad, q.requires_grad)
        @torch.no_grad()
        def evaluate(model, x):
            return model(x).sum()
        print(evaluate(m, torch.ones(3, 2)).requires_grad)
        @torch.enable_grad()
        def force(x):
            return x * 2
        with torch.no_grad():
            print(force(torch.ones(1, requires_grad=True)).requires_grad)
        """,
        None,
    ),
    (
        "class-module-error-super-forgotten",
        """
        import torch
        import torch.nn as nn
        class Broken(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(2, 2)
        b = Broken()
        """,
        "AttributeError",
    ),
    (
        "class-module-error-parameter-before-init",
        """
        import torch
        import torch.nn as nn
        class Broken(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(torch.ones(2))
                super().__init__()
        b = Broken()
        """,
        "AttributeError",
    ),
    (
        "class-module-error-in-forward-line",
        """
        import torch
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)
            def forward(self, x):
                h = self.fc(x)
                return h @ h
        Net()(torch.ones(4, 3))
        """,
        "RuntimeError",
    ),
    (
        "class-module-error-no-forward",
        """
        import torch
        import torch.nn as nn
        class Nothing(nn.Module):
            pass
        Nothing()(torch.ones(1))
        """,
        "NotImplementedError",
    ),
    # ---- torch.autograd.Function subclasses ---------------------------------------------------
    (
        "class-function-myrelu-two-layer-net",
        """
        import torch
        torch.manual_seed(0)
        class MyReLU(torch.autograd.Function):
            @staticmethod
            def forward(ctx, inp):
                ctx.save_for_backward(inp)
                return inp.clamp(min=0)
            @staticmethod
            def backward(ctx, grad_output):
                inp, = ctx.saved_tensors
                grad_input = grad_output.clone()
                grad_input[inp < 0] = 0
                return grad_input
        x = torch.randn(16, 4)
        y = torch.randn(16, 2)
        w1 = torch.randn(4, 6, requires_grad=True)
        w2 = torch.randn(6, 2, requires_grad=True)
        lr = 1e-3
        for t in range(40):
            relu = MyReLU.apply
            pred = relu(x.mm(w1)).mm(w2)
            loss = (pred - y).pow(2).sum()
            if t % 10 == 9:
                print(t, round(loss.item(), 4))
            loss.backward()
            with torch.no_grad():
                w1 -= lr * w1.grad
                w2 -= lr * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
        print(pred.grad_fn.name(), pred.grad_fn.next_functions[0][0].name())
        print(MyReLU.apply, MyReLU)
        """,
        None,
    ),
    (
        "class-function-legendre-fit",
        """
        import math
        import torch
        class Legendre3(torch.autograd.Function):
            @staticmethod
            def forward(ctx, z):
                ctx.save_for_backward(z)
                return 0.5 * (5 * z ** 3 - 3 * z)
            @staticmethod
            def backward(ctx, g):
                z, = ctx.saved_tensors
                return g * 1.5 * (5 * z ** 2 - 1)
        dtype = torch.float64
        x = torch.linspace(-math.pi, math.pi, 200, dtype=dtype)
        y = torch.sin(x)
        a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
        b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
        c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
        d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
        lr = 5e-6
        for t in range(300):
            P3 = Legendre3.apply
            y_pred = a + b * P3(c + d * x)
            loss = (y_pred - y).pow(2).sum()
            if t % 100 == 99:
                print(t, round(loss.item(), 6))
            loss.backward()
            with torch.no_grad():
                for p in (a, b, c, d):
                    p -= lr * p.grad
                    p.grad = None
        print(f"y = {a.item():.5f} + {b.item():.5f} * P3({c.item():.5f} + {d.item():.5f} x)")
        """,
        None,
    ),
    (
        "class-function-ctx-attributes-and-none-grad",
        """
        import torch
        class ScaleBy(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x, factor):
                ctx.factor = factor
                ctx.note = "scaled"
                return x * factor
            @staticmethod
            def backward(ctx, grad):
                print("backward with", ctx.factor, ctx.note, ctx.needs_input_grad)
                return grad * ctx.factor, None
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = ScaleBy.apply(x, 3.0)
        print(y)
        y.sum().backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "class-function-two-inputs-needs-input-grad",
        """
        import torch
        class MulAdd(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a * b + a
            @staticmethod
            def backward(ctx, g):
                a, b = ctx.saved_tensors
                ga = gb = None
                if ctx.needs_input_grad[0]:
                    ga = g * (b + 1)
                if ctx.needs_input_grad[1]:
                    gb = g * a
                return ga, gb
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0])
        out = MulAdd.apply(a, b)
        out.sum().backward()
        print(a.grad, b.grad, out.grad_fn.name())
        a2 = torch.tensor([1.0, 2.0], requires_grad=True)
        b2 = torch.tensor([3.0, 4.0], requires_grad=True)
        torch.autograd.backward(MulAdd.apply(a2, b2).sum())
        print(a2.grad, b2.grad)
        """,
        None,
    ),
    (
        "class-function-setup-context-style",
        """
        import torch
        class Cube(torch.autograd.Function):
            @staticmethod
            def forward(x):
                return x ** 3
            @staticmethod
            def setup_context(ctx, inputs, output):
                x, = inputs
                ctx.save_for_backward(x)
            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 3 * x ** 2 * g
        x = torch.tensor([1.0, -2.0], requires_grad=True)
        y = Cube.apply(x)
        y.sum().backward()
        print(y, x.grad)
        """,
        None,
    ),
    (
        "class-function-once-differentiable",
        """
        import torch
        from torch.autograd.function import once_differentiable
        class Exp(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                result = x.exp()
                ctx.save_for_backward(result)
                return result
            @staticmethod
            @once_differentiable
            def backward(ctx, g):
                result, = ctx.saved_tensors
                return g * result
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        y = Exp.apply(x)
        y.sum().backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "class-function-mark-non-differentiable",
        """
        import torch
        class SortWithIndex(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                values, idx = x.sort()
                ctx.mark_non_differentiable(idx)
                ctx.save_for_backward(idx)
                return values, idx
            @staticmethod
            def backward(ctx, g, g_idx):
                idx, = ctx.saved_tensors
                grad = torch.zeros_like(g)
                grad[idx] = g
                return grad
        x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
        v, i = SortWithIndex.apply(x)
        print(v, i, i.requires_grad)
        (v * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "class-function-backward-prints-in-order",
        """
        import torch
        class Tap(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x, label):
                ctx.label = label
                return x.clone()
            @staticmethod
            def backward(ctx, g):
                print("grad at", ctx.label, g)
                return g, None
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        h = Tap.apply(x * 2, "first")
        out = Tap.apply(h ** 2, "second").sum()
        print("before backward")
        out.backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "class-function-error-inside-backward",
        """
        import torch
        class Bad(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
            @staticmethod
            def backward(ctx, g):
                w = torch.ones(3, 3)
                return g @ w
        x = torch.ones(2, requires_grad=True)
        y = Bad.apply(x).sum()
        y.backward()
        """,
        "RuntimeError",
    ),
    (
        "class-function-error-raised-in-backward",
        """
        import torch
        class Strict(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x + 1
            @staticmethod
            def backward(ctx, g):
                if g.sum() > 0:
                    raise ValueError("no gradients today")
                return g
        x = torch.ones(2, requires_grad=True)
        Strict.apply(x).sum().backward()
        """,
        "ValueError",
    ),
    (
        "class-function-error-wrong-gradient-count",
        """
        import torch
        class Two(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a + b
            @staticmethod
            def backward(ctx, g):
                return g
        a = torch.ones(2, requires_grad=True)
        b = torch.ones(2, requires_grad=True)
        Two.apply(a, b).sum().backward()
        """,
        "RuntimeError",
    ),
    (
        "class-function-error-saved-tensors-twice",
        """
        import torch
        class Keep(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g
        x = torch.ones(2, requires_grad=True)
        y = Keep.apply(x).sum()
        y.backward()
        print(x.grad)
        y.backward()
        """,
        "RuntimeError",
    ),
    (
        "class-function-gradcheck-apply",
        """
        import torch
        torch.manual_seed(0)
        class SoftSign(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x / (1 + x.abs())
            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g / (1 + x.abs()) ** 2
        x = torch.randn(4, dtype=torch.double, requires_grad=True)
        print(torch.autograd.gradcheck(SoftSign.apply, (x,)))
        """,
        None,
    ),
    (
        "class-function-mark-dirty-in-place",
        """
        import torch
        class Double_(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x
            @staticmethod
            def backward(ctx, g):
                return 2 * g
        a = torch.tensor([1.0, 3.0], requires_grad=True)
        b = a.clone()
        c = Double_.apply(b)
        print(c is b, c, c.grad_fn.name())
        (c * c).sum().backward()
        print(a.grad)
        """,
        None,
    ),
    (
        "class-function-materialize-grads-off",
        """
        import torch
        class Split(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3
            @staticmethod
            def backward(ctx, g1, g2):
                print("g2 is None:", g2 is None)
                total = 2 * g1
                if g2 is not None:
                    total = total + 3 * g2
                return total
        x = torch.ones(3, requires_grad=True)
        first, second = Split.apply(x)
        first.sum().backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "class-plain-bound-method-to-jacobian",
        """
        import torch
        class Quadratic:
            def __init__(self, a):
                self.a = a
            def energy(self, x):
                return (self.a * x * x).sum()
            def field(self, x):
                return self.a * x ** 3
        q = Quadratic(torch.tensor([1.0, 2.0, 3.0]))
        x = torch.tensor([1.0, -1.0, 0.5])
        print(torch.autograd.functional.jacobian(q.field, x))
        print(torch.autograd.functional.hessian(q.energy, x))
        """,
        None,
    ),
    (
        "class-module-buffers-state-dict",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        class Shifted(nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("offset", torch.full((2,), 0.5))
                self.register_parameter("gain", nn.Parameter(torch.ones(2)))
                self.fc = nn.Linear(2, 2)
            def forward(self, x):
                return self.fc(x - self.offset) * self.gain
        m = Shifted()
        state = m.state_dict()
        print(list(state), len(state))
        for name, child in m.named_children():
            print(name, child)
        print(m.offset, [n for n, _ in m.named_parameters()])
        for p in m.parameters():
            p.data -= 0.1 * torch.ones_like(p)
        print(m.gain, m(torch.ones(1, 2)).shape)
        print(state["gain"])
        """,
        None,
    ),
    (
        "class-scalar-engine-set-topo-and-layers",
        "import math\nimport random\n\nclass Val:\n    def __init__(self, data, _children=(), _op=''):\n        self.data = data\n        self.grad = 0\n        self._backward = lambda: None\n        self._prev = set(_children)\n        self._op = _op\n\n    def __add__(self, other):\n        other = other if isinstance(other, Val) else Val(other)\n        out = Val(self.data + other.data, (self, other), '+')\n        def _backward():\n            self.grad += out.grad\n            other.grad += out.grad\n        out._backward = _backward\n        return out\n\n    def __mul__(self, other):\n        other = other if isinstance(other, Val) else Val(other)\n        out = Val(self.data * other.data, (self, other), '*')\n        def _backward():\n            self.grad += other.data * out.grad\n            other.grad += self.data * out.grad\n        out._backward = _backward\n        return out\n\n    def relu(self):\n        out = Val(0 if self.data < 0 else self.data, (self,), 'ReLU')\n        def _backward():\n            self.grad += (out.data > 0) * out.grad\n        out._backward = _backward\n        return out\n\n    def backward(self):\n        topo = []\n        visited = set()\n        def build_topo(v):\n            if v not in visited:\n                visited.add(v)\n                for child in v._prev:\n                    build_topo(child)\n                topo.append(v)\n        build_topo(self)\n        self.grad = 1\n        for v in reversed(topo):\n            v._backward()\n\n    __radd__ = __add__\n    def __rmul__(self, other):\n        return self * other\n    def __neg__(self):\n        return self * -1\n    def __sub__(self, other):\n        return self + (-other)\n    def __repr__(self):\n        return f\"Val(data={self.data}, grad={self.grad})\"\n\nclass Unit:\n    def zero_grad(self):\n        for p in self.parameters():\n            p.grad = 0\n    def parameters(self):\n        return []\n\nclass Neuron(Unit):\n    def __init__(self, nin, nonlin=True):\n        self.w = [Val(random.uniform(-1, 1)) for _ in range(nin)]\n        self.b = Val(0)\n        self.nonlin = nonlin\n    def __call__(self, x):\n        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)\n        return act.relu() if self.nonlin else act\n    def parameters(self):\n        return self.w + [self.b]\n    def __repr__(self):\n        return f\"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})\"\n\nclass Layer(Unit):\n    def __init__(self, nin, nout):\n        self.neurons = [Neuron(nin) for _ in range(nout)]\n    def __call__(self, x):\n        out = [n(x) for n in self.neurons]\n        return out[0] if len(out) == 1 else out\n    def parameters(self):\n        return [p for n in self.neurons for p in n.parameters()]\n    def __repr__(self):\n        return f\"Layer of [{', '.join(str(n) for n in self.neurons)}]\"\n\nrandom.seed(1)\nlayer = Layer(3, 2)\nhead = Neuron(2, nonlin=False)\nxs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0]]\nys = [1.0, -1.0, 1.0]\nparams = layer.parameters() + head.parameters()\nprint(layer, head, len(params))\nfor k in range(8):\n    preds = [head(layer(x)) for x in xs]\n    loss = sum(((p - t) * (p - t) for p, t in zip(preds, ys)), Val(0))\n    for p in params:\n        p.grad = 0\n    loss.backward()\n    for p in params:\n        p.data += -0.05 * p.grad\n    print(k, round(loss.data, 6))\n",
        None,
    ),
    (
        "class-function-vector-backward-prints-once",
        """
        import torch
        class Loud(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 3
            @staticmethod
            def backward(ctx, g):
                print("backward of Loud", g)
                return g * 3
        x = torch.ones(3, requires_grad=True)
        y = Loud.apply(x) ** 2
        y.backward(torch.tensor([1.0, 0.5, 0.0]))
        print(x.grad)
        """,
        None,
    ),
    (
        "class-spellings-imported-bases",
        """
        import torch
        from torch import nn
        from torch.autograd import Function
        class Halve(Function):
            @staticmethod
            def forward(ctx, x):
                return x / 2
            @staticmethod
            def backward(ctx, g):
                return g / 2
        class Head(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.tensor([2.0, -1.0]))
            def forward(self, x):
                return Halve.apply(x * self.w).sum()
        h = Head()
        out = h(torch.tensor([1.0, 3.0]))
        out.backward()
        print(out, h.w.grad, isinstance(h, nn.Module), isinstance(h, torch.nn.Module))
        print(out.grad_fn.next_functions[0][0].name())
        """,
        None,
    ),
    (
        "class-inference-mode-decorator",
        """
        import torch
        class Scorer:
            def __init__(self, w):
                self.w = w
            @torch.inference_mode()
            def score(self, x):
                return (x * self.w).sum()
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        s = Scorer(w).score(torch.ones(2))
        print(s, s.requires_grad)
        """,
        None,
    ),
    (
        "class-function-error-inside-forward-line",
        """
        import torch
        class Reshape(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x * 2
                return y.view(3, 3)
            @staticmethod
            def backward(ctx, g):
                return g.reshape(-1)
        print("start")
        Reshape.apply(torch.ones(4, requires_grad=True))
        """,
        "RuntimeError",
    ),
    (
        "class-module-class-attribute-before-parameters",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        class Odd(nn.Module):
            head = "class level"
            def __init__(self):
                super().__init__()
                self.head = nn.Linear(1, 1)
                self.scale = nn.Parameter(torch.ones(1))
            def forward(self, x):
                return x * self.scale
        o = Odd()
        print(o.head, [n for n, _ in o.named_parameters()], o(torch.ones(1)))
        """,
        None,
    ),
    (
        "class-module-error-parameter-name-taken-by-class",
        """
        import torch
        import torch.nn as nn
        class Taken(nn.Module):
            bias = 0.0
            def __init__(self):
                super().__init__()
                self.bias = nn.Parameter(torch.zeros(1))
        Taken()
        """,
        "KeyError",
    ),
    # ---- state_dict views, bound-method equality, class reads, property setters ------------
    (
        "class-module-state-dict-views",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        class TinyNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(3, 2)
                self.out = nn.Linear(2, 1)
            def forward(self, x):
                return self.out(torch.tanh(self.hidden(x)))
        net = TinyNet()
        state = net.state_dict()
        print(state.keys())
        print(len(state.values()), "out.bias" in state.keys(), "nope" in state.keys())
        for name, tensor in state.items():
            print(f"{name:>14}: {tuple(tensor.shape)}")
        print(state.values())
        print(list(state.items())[-1])
        print(sorted(state.keys()), state.get("missing"), state.get("out.bias"))
        """,
        None,
    ),
    (
        "class-module-state-dict-snapshot-and-restore",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(3)
        class Line(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(torch.randn(()))
                self.b = nn.Parameter(torch.zeros(()))
            def forward(self, x):
                return self.w * x + self.b
        model = Line()
        snapshot = {}
        for name, value in model.state_dict().items():
            snapshot[name] = value.clone()
        copied = dict(model.state_dict())
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        xs = torch.linspace(-1, 1, 8)
        ys = 3 * xs - 0.5
        for step in range(20):
            opt.zero_grad()
            loss = ((model(xs) - ys) ** 2).mean()
            loss.backward()
            opt.step()
        print(round(loss.item(), 5))
        for name, now in model.state_dict().items():
            print(name, snapshot[name], now, copied[name] is not None)
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.data = snapshot[name]
        print(model.state_dict().values())
        """,
        None,
    ),
    (
        "class-bound-method-equality-and-hash",
        """
        import torch
        class Counter:
            def __init__(self):
                self.n = 0
            def bump(self):
                self.n += 1
            @classmethod
            def make(cls):
                return cls()
            @staticmethod
            def zero():
                return 0
        a = Counter()
        b = Counter()
        print(a.bump == a.bump, a.bump != a.bump, a.bump == b.bump, a.bump == Counter.bump)
        print(Counter.make == Counter.make, a.make == Counter.make, a.zero == Counter.zero)
        table = {a.bump: "a", b.bump: "b"}
        print(table[a.bump], table[b.bump], len({a.bump, a.bump, b.bump}))
        seen = [a.bump]
        print(a.bump in seen, b.bump in seen)
        x = torch.ones(2)
        y = torch.ones(2)
        print(x.add == x.add, x.add == y.add, x.add == x.sub)
        print(type(a.bump), type(Counter.make), type(Counter.bump), isinstance(b.bump, type(a.bump)))
        """,
        None,
    ),
    (
        "class-bound-method-callback-registry",
        """
        import torch
        class Logger:
            def __init__(self, name):
                self.name = name
                self.lines = []
            def log(self, step, loss):
                self.lines.append(f"{self.name} {step}: {loss:.4f}")
        class Trainer:
            def __init__(self):
                self.callbacks = []
            def on_step(self, callback):
                if callback not in self.callbacks:
                    self.callbacks.append(callback)
            def fit(self, w, steps):
                for step in range(steps):
                    loss = ((w - 2.0) ** 2).sum()
                    loss.backward()
                    with torch.no_grad():
                        w -= 0.25 * w.grad
                    w.grad.zero_()
                    for callback in self.callbacks:
                        callback(step, loss.item())
        first = Logger("first")
        second = Logger("second")
        trainer = Trainer()
        trainer.on_step(first.log)
        trainer.on_step(first.log)
        trainer.on_step(second.log)
        w = torch.tensor([0.0, 1.0], requires_grad=True)
        trainer.fit(w, 3)
        print(len(trainer.callbacks), first.lines, second.lines[-1], w)
        """,
        None,
    ),
    (
        "class-module-reads-on-the-class",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(1)
        class Scaled(nn.Module):
            factor = 0.5
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
            def forward(self, x):
                return self.fc(x) * Scaled.factor
            def extra_repr(self):
                return f"factor={Scaled.factor}"
        class Deeper(Scaled):
            pass
        m = Deeper()
        print(Scaled.parameters, Deeper.forward, Deeper.factor, Deeper.extra_repr)
        print(Scaled.children, Deeper.zero_grad, Scaled.named_parameters == Deeper.named_parameters)
        print([name for name, _ in Scaled.named_parameters(m)], len(list(Deeper.parameters(m))))
        out = Scaled.forward(m, torch.ones(1, 2))
        print(out.shape, m)
        Deeper.factor = 2.0
        print(Scaled.factor, Deeper.factor, m(torch.ones(1, 2)).shape)
        Deeper.train(m, False)
        print(m.training, m.fc.training)
        """,
        None,
    ),
    (
        "class-plain-reads-on-the-class",
        """
        class Shape:
            sides = 0
            def __init__(self, size):
                self.size = size
            def perimeter(self):
                return self.sides * self.size
            def describe(self):
                return f"{self.kind} with perimeter {self.perimeter()}"
        class Square(Shape):
            sides = 4
            kind = "square"
        sq = Square(3)
        print(Shape.sides, Square.sides, Shape.perimeter, Square.describe)
        print(Square.perimeter(sq), Shape.describe(sq), Shape.perimeter == Square.perimeter)
        describe = Shape.describe
        print(describe(Square(1.5)))
        """,
        None,
    ),
    (
        "class-error-class-attribute-missing",
        """
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
        print(Net.parameters is not None)
        print(Net.training)
        """,
        "AttributeError",
    ),
    (
        "class-error-module-function-without-self",
        """
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(1, 1)
        net = Net()
        print(len(list(Net.parameters(net))))
        params = Net.parameters()
        """,
        "TypeError",
    ),
    (
        "class-property-setter-validates",
        """
        class Schedule:
            def __init__(self, lr):
                self.lr = lr
            @property
            def lr(self):
                return self._lr
            @lr.setter
            def lr(self, value):
                if value <= 0:
                    raise ValueError(f"learning rate must be positive, got {value}")
                print("lr ->", value)
                self._lr = value
        s = Schedule(0.1)
        s.lr = s.lr / 2
        print(s.lr, Schedule.lr, Schedule.lr.fset is not None)
        s.lr = -1.0
        """,
        "ValueError",
    ),
    (
        "class-property-setter-on-module",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(2)
        class Tempered(nn.Module):
            def __init__(self, temperature):
                super().__init__()
                self.fc = nn.Linear(3, 3)
                self.temperature = temperature
            @property
            def temperature(self):
                return self._t
            @temperature.setter
            def temperature(self, value):
                self._t = float(value)
            def forward(self, x):
                return torch.softmax(self.fc(x) / self.temperature, dim=-1)
        m = Tempered(1)
        x = torch.ones(1, 3)
        print(m(x))
        m.temperature = 10
        print(m.temperature, m(x))
        print([name for name, _ in m.named_parameters()])
        """,
        None,
    ),
    (
        "class-property-setter-new-name-keeps-old-read-only",
        """
        class Box:
            def __init__(self):
                self._w = 1
            @property
            def width(self):
                return self._w
            @width.setter
            def size(self, value):
                self._w = value
        b = Box()
        b.size = 5
        print(b.width, b.size)
        b.width = 7
        """,
        "AttributeError",
    ),
    (
        "class-error-setter-of-a-method",
        """
        class Odd:
            def value(self):
                return 1
            @value.setter
            def value(self, v):
                pass
        """,
        "AttributeError",
    ),
    (
        "class-property-setter-recursion-through-self",
        """
        class Celsius:
            def __init__(self, degrees):
                self.degrees = degrees
            @property
            def degrees(self):
                return self._degrees
            @degrees.setter
            def degrees(self, value):
                self._degrees = round(value, 1)
            @property
            def fahrenheit(self):
                return self.degrees * 9 / 5 + 32
            @fahrenheit.setter
            def fahrenheit(self, value):
                self.degrees = (value - 32) * 5 / 9
        c = Celsius(21.26)
        print(c.degrees, c.fahrenheit)
        c.fahrenheit = 212
        print(c.degrees, c.fahrenheit)
        """,
        None,
    ),
    (
        "class-property-overridden-reads-super",
        """
        class Layer:
            def __init__(self, units):
                self.units = units
            @property
            def size(self):
                return self.units
            @size.setter
            def size(self, value):
                self.units = int(value)
        class WideLayer(Layer):
            @property
            def size(self):
                return 2 * super().size
        w = WideLayer(3)
        print(w.size, Layer.size.fget(w), WideLayer.size.fset)
        Layer.size.fset(w, 5.7)
        print(w.units, w.size)
        w.size = 4
        """,
        "AttributeError",
    ),
    # ---- *args, keyword-only parameters, **kwargs and f(**mapping) --------------------------
    (
        "class-signature-module-star-inputs",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(4)
        class Chain(nn.Module):
            def __init__(self, *layers):
                super().__init__()
                self.layers = nn.ModuleList(layers)
            def forward(self, *inputs):
                x = torch.cat(inputs, dim=-1)
                for layer in self.layers:
                    x = torch.relu(layer(x))
                return x
        chain = Chain(nn.Linear(4, 3), nn.Linear(3, 2))
        a = torch.ones(1, 2)
        b = torch.full((1, 2), 0.5)
        out = chain(a, b)
        out.sum().backward()
        print(out, len(chain.layers), chain.layers[0].weight.grad.shape)
        print(chain)
        """,
        None,
    ),
    (
        "class-signature-function-forward-star-args",
        """
        import torch
        class Product(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *factors):
                ctx.save_for_backward(*factors)
                out = factors[0]
                for f in factors[1:]:
                    out = out * f
                return out
            @staticmethod
            def backward(ctx, grad_output):
                factors = ctx.saved_tensors
                grads = []
                for i in range(len(factors)):
                    g = grad_output
                    for j, f in enumerate(factors):
                        if j != i:
                            g = g * f
                    grads.append(g)
                return tuple(grads)
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, -1.0], requires_grad=True)
        c = torch.tensor([0.5, 4.0], requires_grad=True)
        y = Product.apply(a, b, c).sum()
        y.backward()
        print(y, a.grad, b.grad, c.grad)
        ref = [t.detach().clone().requires_grad_() for t in (a, b, c)]
        (ref[0] * ref[1] * ref[2]).sum().backward()
        print([r.grad for r in ref])
        """,
        None,
    ),
    (
        "class-signature-kwargs-options-to-torch",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(5)
        def make_optimizer(params, kind="sgd", **options):
            print("options:", options)
            if kind == "sgd":
                return torch.optim.SGD(params, **options)
            return torch.optim.Adam(params, **options)
        def fit(model, xs, ys, *, steps, **optimizer_options):
            opt = make_optimizer(model.parameters(), **optimizer_options)
            for step in range(steps):
                opt.zero_grad()
                loss = ((model(xs) - ys) ** 2).mean()
                loss.backward()
                opt.step()
            return loss.item()
        model = nn.Linear(1, 1)
        xs = torch.linspace(0, 1, 6).unsqueeze(1)
        ys = 2 * xs + 1
        print(round(fit(model, xs, ys, steps=15, lr=0.2, momentum=0.5), 5))
        print(round(fit(model, xs, ys, steps=5, kind="adam", lr=0.05), 5))
        settings = {"dim": 0, "keepdim": True}
        print(torch.sum(xs, **settings), xs.mean(**settings))
        """,
        None,
    ),
    (
        "class-signature-keyword-only-and-defaults",
        """
        import torch
        def step(w, grad, *, lr=0.1, weight_decay=0.0, maximize=False):
            g = grad + weight_decay * w
            return w + lr * g if maximize else w - lr * g
        def describe(name, *values, sep=", ", **notes):
            text = name + ": " + sep.join(str(v) for v in values)
            for key, value in notes.items():
                text += f" [{key}={value}]"
            return text
        w = torch.tensor([1.0, -2.0])
        g = torch.tensor([0.5, 0.5])
        print(step(w, g), step(w, g, lr=1.0), step(w, g, weight_decay=0.1, maximize=True))
        print(describe("losses", 0.5, 0.25, 0.125))
        print(describe("empty"), describe("pair", 1, 2, sep=" | ", unit="nats", run=3))
        sq = lambda *xs, power=2: [x ** power for x in xs]
        print(sq(1, 2, 3), sq(2, power=3), (lambda **kw: sorted(kw))(b=1, a=2))
        """,
        None,
    ),
    (
        "class-signature-forwarding-wrapper",
        """
        import torch
        calls = []
        def traced(fn):
            def wrapper(*args, **kwargs):
                calls.append((len(args), sorted(kwargs)))
                return fn(*args, **kwargs)
            return wrapper
        def mse(pred, target, reduction="mean"):
            diff = (pred - target) ** 2
            return diff.mean() if reduction == "mean" else diff.sum()
        mse = traced(mse)
        p = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        t = torch.tensor([1.5, 2.0, 2.0])
        loss = mse(p, t) + mse(p, target=t, reduction="sum")
        loss.backward()
        print(loss, p.grad, calls)
        class Tracker:
            def __init__(self, **fields):
                self.fields = fields
            def update(self, *pairs, **more):
                for key, value in pairs:
                    self.fields[key] = value
                self.fields.update(more)
                return self
        print(Tracker(epoch=0).update(("loss", 1.5), lr=0.1).fields)
        """,
        None,
    ),
    (
        "class-signature-module-forward-kwargs",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(6)
        class Head(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)
            def forward(self, x, *, temperature=1.0, **extra):
                if extra:
                    print("ignored:", sorted(extra))
                return torch.softmax(self.fc(x) / temperature, dim=-1)
        head = Head()
        x = torch.ones(1, 3)
        print(head(x), head(x, temperature=5.0), head(x, mask=None, debug=True).shape)
        """,
        None,
    ),
    (
        "class-signature-error-missing-keyword-only",
        """
        def schedule(epoch, *, base_lr, decay=0.5):
            return base_lr * decay ** epoch
        print(schedule(2, base_lr=0.8))
        schedule(3)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-too-many-positional-with-keyword-only",
        """
        def clip(x, low=0.0, *, high):
            return min(max(x, low), high)
        print(clip(5.0, high=1.0))
        clip(5.0, 1.0, 2.0, high=3.0)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-unexpected-keyword-method",
        """
        class Model:
            def predict(self, *xs, scale=1.0):
                return [x * scale for x in xs]
        m = Model()
        print(m.predict(1, 2, scale=3))
        m.predict(1, 2, sacle=3)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-double-star-not-a-mapping",
        """
        def f(a, b=1):
            return a + b
        options = [("b", 2)]
        print(f(1, **dict(options)))
        f(1, **options)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-double-star-duplicate",
        """
        def f(**kwargs):
            return kwargs
        base = {"lr": 0.1}
        print(f(**base, momentum=0.9))
        f(lr=0.2, **base)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-keywords-must-be-strings",
        """
        def f(**kwargs):
            return kwargs
        print(f(**{"a": 1}))
        f(**{1: "a"})
        """,
        "TypeError",
    ),
    (
        "class-signature-error-star-not-iterable",
        """
        def f(*args):
            return len(args)
        print(f(*range(4)), f(*"ab"), f(*[]))
        f(*4)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-multiple-values-into-kwargs-function",
        """
        def f(a, **rest):
            return a, rest
        print(f(1, b=2), f(a=3))
        f(1, a=2)
        """,
        "TypeError",
    ),
    (
        "class-signature-error-function-forward-star-wrong-gradients",
        """
        import torch
        class Sum(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *xs):
                out = xs[0]
                for x in xs[1:]:
                    out = out + x
                return out
            @staticmethod
            def backward(ctx, g):
                return g, g
        a = torch.ones(2, requires_grad=True)
        Sum.apply(a, a, a).sum().backward()
        """,
        "RuntimeError",
    ),
    (
        "class-signature-methods-static-class-star",
        """
        import torch.nn as nn
        class Box:
            def everything(*args, **kwargs):
                return len(args), sorted(kwargs)
            @staticmethod
            def pack(*items, sep="-"):
                return sep.join(str(i) for i in items)
            @classmethod
            def build(cls, *parts, **named):
                obj = cls()
                obj.parts = parts
                obj.named = named
                return obj
        b = Box.build(1, 2, color="red")
        print(b.everything(3, k=1), Box.pack(1, 2, 3), b.pack(4, sep="+"), b.parts, b.named)
        print(Box.everything(), Box.everything(b, 1, x=2))
        class Config(nn.Module):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
        print(Config())
        try:
            Config(training=False)
        except TypeError as error:
            print("TypeError:", error)
        """,
        None,
    ),
    (
        "class-signature-error-super-without-first-parameter",
        """
        class Base:
            def hello(self):
                return "base"
        class Child(Base):
            def hello(*args):
                return super().hello()
        print(Base().hello())
        Child().hello()
        """,
        "RuntimeError",
    ),
    # ---- classes defined inside functions (closures over the function's locals) --------------
    (
        "class-in-function-module-factory",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(7)
        def make_block(width, activation, scale=0.5):
            class Block(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(width, width)
                def forward(self, x):
                    return activation(self.fc(x)) * scale
                def extra_repr(self):
                    return f"scale={scale}"
            return Block()
        blocks = [make_block(3, torch.tanh), make_block(3, torch.relu, scale=2.0)]
        x = torch.ones(1, 3)
        for block in blocks:
            x = block(x)
        x.sum().backward()
        print(blocks[1], type(blocks[0]))
        print(x, blocks[0].fc.weight.grad.shape, type(blocks[0]) is type(blocks[1]))
        """,
        None,
    ),
    (
        "class-in-function-custom-function-closure",
        """
        import torch
        def make_clamp(low, high):
            class Clamp(torch.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    ctx.save_for_backward(x)
                    return x.clamp(low, high)
                @staticmethod
                def backward(ctx, grad_output):
                    x, = ctx.saved_tensors
                    inside = (x >= low) & (x <= high)
                    return grad_output * inside
            return Clamp
        Unit = make_clamp(0.0, 1.0)
        x = torch.tensor([-0.5, 0.25, 0.75, 1.5], requires_grad=True)
        y = Unit.apply(x * 2)
        y.sum().backward()
        print(y, x.grad, Unit, y.grad_fn.name())
        """,
        None,
    ),
    (
        "class-in-function-closure-late-binding-and-qualnames",
        """
        def make_counter(start):
            count = [start]
            class Counter:
                step = 1
                def bump(self):
                    count[0] += Counter.step * factor
                    return count[0]
                def __repr__(self):
                    return f"Counter({count[0]})"
            factor = 10
            return Counter
        C = make_counter(5)
        c = C()
        c.bump()
        print(c, c.bump(), C, C.step, c.bump)
        D = make_counter(0)
        print(D is C, isinstance(c, D), isinstance(c, C), D().bump(), c)
        """,
        None,
    ),
    (
        "class-in-method-head-builder",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(8)
        class Trainer:
            def __init__(self, classes):
                self.classes = classes
            def make_head(self, width):
                n = self.classes
                class Head(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.out = nn.Linear(width, n)
                    def forward(self, x):
                        return self.out(x).log_softmax(dim=-1)
                return Head()
        head = Trainer(4).make_head(2)
        print(head, type(head), head(torch.ones(1, 2)).shape)
        """,
        None,
    ),
    (
        "class-in-function-error-free-variable-unbound",
        """
        def broken():
            class Reader:
                def read(self):
                    return later
            r = Reader()
            print(r.read)
            r.read()
            later = 1
        broken()
        """,
        "NameError",
    ),
]
