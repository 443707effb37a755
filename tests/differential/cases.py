"""The differential table: programs of the playground language, each with a readable id.

`error` is the exception class the program is *meant* to end with (None: it must run to the
end). It states the intent of the case and is checked against real CPython, so a case that
stopped failing (or started to) shows up; everything else is compared with the oracle's run.
"""

from __future__ import annotations

from app.examples import get_example
from tests.differential import class_programs, course_torch_programs
from tests.differential.case import Case, _case
from tests.differential.cases_language import LANGUAGE_CASES


def _seed_program(example_id: str) -> Case:
    example = get_example(example_id)
    assert example is not None, example_id
    return Case(f"seed-{example_id}", example.source)


SEED_CASES = [
    _seed_program("scalar-backward"),
    _seed_program("chain-rule"),
    _seed_program("vector-backward"),
    # Other seeds stop the doubling loop after a different number of steps.
    *[
        Case(
            f"seed-vector-backward-seed-{seed}", _seed_program("vector-backward").source, None, seed
        )
        for seed in (1, 5, 123)
    ],
]

TORCH_CASES = [
    _case(
        "creation-basic",
        """
        import torch
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        b = torch.ones(2, 3)
        c = torch.zeros(3)
        d = torch.full((2, 2), 7.5)
        e = torch.ones_like(a)
        f = torch.zeros_like(b)
        g = torch.full_like(c, -1.0)
        h = torch.arange(5)
        i = torch.arange(1, 2, 0.25)
        j = torch.linspace(0, 1, 5)
        k = torch.eye(3)
        print(a, b, c, d, e, f, g, h, i, j, k, sep="\\n")
        print(h.dtype, i.dtype, torch.tensor(3).dtype, torch.tensor(True).dtype)
        """,
    ),
    _case(
        "creation-random",
        """
        import torch
        torch.manual_seed(1)
        a = torch.rand(2, 3)
        b = torch.randn(3)
        c = torch.randint(0, 10, (4,))
        d = torch.rand_like(a)
        e = torch.randn_like(b)
        print(a)
        print(b)
        print(c)
        print(d, e)
        """,
    ),
    _case(
        "creation-seeded-default",
        """
        import torch
        x = torch.randn(2, 2)
        print(x)
        torch.manual_seed(42)
        y = torch.randn(2)
        torch.manual_seed(42)
        z = torch.randn(2)
        print(y == z)
        """,
        seed=7,
    ),
    _case(
        "dtypes-conversions",
        """
        import torch
        a = torch.tensor([1, 2, 3])
        b = a.float()
        c = a.double()
        d = b.long()
        e = b.int()
        f = a.to(torch.float64)
        g = torch.ones(2, dtype=torch.float64)
        h = torch.zeros(2, dtype=torch.long)
        i = torch.tensor([0.0, 1.5]).to(torch.bool)
        j = torch.ones(2, dtype=torch.float)
        k = torch.ones(2, dtype=torch.double)
        l = torch.ones(2, dtype=torch.int64)
        print(a.dtype, b.dtype, c.dtype, d.dtype, e.dtype, f.dtype)
        print(g, h, i, j, k, l)
        print(torch.float32, torch.float64, torch.bool, torch.long)
        """,
    ),
    _case(
        "dtypes-promotion",
        """
        import torch
        i = torch.tensor([1, 2, 3])
        f = torch.tensor([0.5, 0.5, 0.5])
        d = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
        m = torch.tensor([True, False, True])
        print((i + f).dtype, (f * d).dtype, (i / 2).dtype, (i // 2).dtype, m.sum().dtype)
        print(i + f, f * d, i / 2, i // 2, m.sum(), i * 2.5)
        """,
    ),
    _case(
        "elementwise-unary",
        """
        import torch
        x = torch.tensor([0.5, 1.0, 2.0, 4.0])
        s = torch.tensor([-1.5, -0.5, 0.0, 0.5, 1.5])
        print(torch.exp(x), torch.log(x), torch.log1p(x), torch.sqrt(x), torch.rsqrt(x))
        print(torch.sin(x), torch.cos(x), torch.tan(x), torch.tanh(x), torch.sigmoid(x))
        print(torch.relu(s), torch.abs(s), torch.neg(s), torch.sign(s))
        print(torch.floor(s), torch.ceil(s), torch.round(s))
        print(x.exp(), x.log(), s.abs(), s.relu(), s.sign(), s.floor(), s.ceil(), s.round())
        print(x.sqrt(), x.rsqrt(), x.sin(), x.cos(), x.tan(), x.tanh(), x.sigmoid(), x.neg())
        """,
    ),
    _case(
        "elementwise-binary",
        """
        import torch
        a = torch.tensor([1.0, -2.0, 3.0])
        b = torch.tensor([2.0, 2.0, -1.0])
        print(torch.pow(a, 2), a.pow(b), a ** 3, 2 ** a)
        print(torch.clamp(a, min=-1.0, max=2.0), a.clamp(0.0), a.clamp(max=0.0))
        print(torch.maximum(a, b), torch.minimum(a, b), a.maximum(b))
        print(torch.where(a > 0, a, b), torch.where(a > b, 1.0, 0.0))
        print(a + b, a - b, a * b, a / b, a // b, a % b, -a, +a)
        """,
    ),
    _case(
        "elementwise-gradients",
        """
        import torch
        x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
        y = (x.exp() + x.log() + x.sqrt() + x.sin() * x.cos() + x.tanh() + x.sigmoid()).sum()
        y.backward()
        print(x.grad)
        z = torch.tensor([-1.0, 0.5, 3.0], requires_grad=True)
        w = (z.relu() + z.abs() + z.clamp(0.0, 1.0) + z.pow(3) + torch.maximum(z, z * 0)).sum()
        w.backward()
        print(z.grad)
        """,
    ),
    _case(
        "reductions",
        """
        import torch
        x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
        print(x.sum(), x.sum(dim=0), x.sum(1, keepdim=True), torch.sum(x))
        print(x.mean(), x.mean(dim=1), x.prod(), x.prod(dim=0))
        print(x.max(), x.min(), x.argmax(), x.argmin(), x.argmax(dim=1))
        print(x.norm(), x.norm(dim=1), x.std(), x.var(), x.std(dim=0))
        print(torch.logsumexp(x, dim=1), x.cumsum(dim=1), torch.trace(x[:, :2]))
        """,
    ),
    _case(
        "reductions-max-dim",
        """
        import torch
        x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
        values, indices = x.max(dim=1)
        print(values, indices)
        result = torch.min(x, 0)
        print(result.values, result.indices)
        print(torch.max(x, torch.zeros(2, 3)))
        """,
    ),
    _case(
        "reductions-gradients",
        """
        import torch
        x = torch.tensor([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]], requires_grad=True)
        parts = [x.max(), x.prod(), x.norm(), x.std(), x.var(), torch.logsumexp(x, dim=1).sum()]
        total = parts[0] + parts[1] + parts[2] + parts[3] + parts[4] + parts[5]
        total.backward()
        print(x.grad)
        print(total.grad_fn.name(), parts[1].grad_fn.name(), parts[5].grad_fn.name())
        """,
    ),
    _case(
        "linalg-forward",
        """
        import torch
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        b = torch.tensor([[0.5, -1.0], [2.0, 1.0]])
        v = torch.tensor([1.0, -1.0])
        print(torch.matmul(a, b), a @ b, torch.mm(a, b), torch.mv(a, v), a @ v)
        print(torch.dot(v, v), torch.outer(v, v), torch.einsum("ij,jk->ik", a, b))
        print(torch.det(a), torch.inverse(a), a.det(), a.inverse())
        batch = torch.arange(8.0).reshape(2, 2, 2)
        print(torch.bmm(batch, batch))
        """,
    ),
    _case(
        "linalg-gradients",
        """
        import torch
        a = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = torch.tensor([[0.5, -1.0], [2.0, 1.0]], requires_grad=True)
        c = (a @ b).sum() + torch.det(a) + torch.inverse(b).sum()
        c.backward()
        print(a.grad)
        print(b.grad)
        e = torch.einsum("ij,ij->", a, b)
        print(e.grad_fn.name())
        """,
    ),
    _case(
        "shapes-forward",
        """
        import torch
        x = torch.arange(6.0)
        m = x.reshape(2, 3)
        print(m, x.view(3, 2), m.flatten(), m.unsqueeze(0).shape, m.unsqueeze(0).squeeze().shape)
        print(m.transpose(0, 1), m.t(), m.T, m.permute(1, 0).shape)
        print(torch.cat([m, m]), torch.cat([m, m], dim=1).shape, torch.stack([x, x]).shape)
        print(torch.ones(1, 3).expand(2, 3), m.chunk(3, dim=1), x.split(2))
        print(torch.index_select(m, 1, torch.tensor([0, 2])))
        print(torch.gather(m, 1, torch.tensor([[2, 0], [1, 1]])))
        print(m.reshape(-1, 2).shape, m.view(-1).shape, m.size(), m.size(1))
        """,
    ),
    _case(
        "shapes-gradients",
        """
        import torch
        x = torch.arange(6.0, requires_grad=True)
        m = x.reshape(2, 3)
        parts = torch.cat([m, m * 2], dim=0)
        s = torch.stack([x, x]).sum(0)
        picked = torch.gather(m, 1, torch.tensor([[2, 2], [0, 1]]))
        selected = m.index_select(0, torch.tensor([1, 1]))
        e = m[:, :1].expand(2, 4)
        total = parts.sum() + s.sum() + picked.sum() + selected.sum() + e.sum()
        total.backward()
        print(x.grad)
        print(parts.grad_fn.name(), picked.grad_fn.name(), e.grad_fn.name(), m.grad_fn.name())
        """,
    ),
    _case(
        "comparisons",
        """
        import torch
        a = torch.tensor([1.0, 2.0, 3.0])
        b = torch.tensor([3.0, 2.0, 1.0])
        print(a == b, a != b, a < b, a <= b, a > b, a >= b)
        mask = a > 1.5
        print(mask, mask.dtype, mask.sum(), a[mask], (a > 0) & (b > 2), (a > 2) | (b > 2))
        print((a == 2).sum().item(), a[a >= 2])
        """,
    ),
    _case(
        "functional-activations",
        """
        import torch
        import torch.nn.functional as F
        x = torch.tensor([[-2.0, -0.5, 0.0, 1.0, 3.0]], requires_grad=True)
        outs = [
            F.relu(x),
            F.leaky_relu(x, 0.1),
            F.gelu(x),
            F.sigmoid(x),
            F.tanh(x),
            F.softmax(x, dim=1),
            F.log_softmax(x, dim=-1),
        ]
        for out in outs:
            print(out)
        total = outs[0].sum() + outs[1].sum() + outs[2].sum() + outs[4].sum() + outs[6][0, 1]
        total.backward()
        print(x.grad)
        """,
    ),
    _case(
        "functional-losses",
        """
        import torch
        import torch.nn.functional as F
        logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], requires_grad=True)
        target = torch.tensor([1, 2])
        ce = F.cross_entropy(logits, target)
        nll = F.nll_loss(F.log_softmax(logits, dim=1), target)
        pred = torch.tensor([0.2, 0.7, 0.9], requires_grad=True)
        truth = torch.tensor([0.0, 1.0, 1.0])
        mse = F.mse_loss(pred, truth)
        l1 = F.l1_loss(pred, truth)
        bce = F.binary_cross_entropy(pred, truth)
        bcel = F.binary_cross_entropy_with_logits(pred, truth)
        w = torch.ones(2, 3)
        lin = F.linear(logits, w, torch.tensor([0.5, -0.5]))
        print(ce, nll, mse, l1, bce, bcel, lin, sep="\\n")
        (ce + nll + mse + l1 + bce + bcel + lin.sum()).backward()
        print(logits.grad, pred.grad)
        """,
    ),
    _case(
        "nn-linear-parameters",
        """
        import torch
        import torch.nn as nn
        layer = nn.Linear(3, 2)
        print(layer)
        print(layer.weight)
        print(layer.bias)
        for name, p in layer.named_parameters():
            print(name, p.shape, p.requires_grad, p.is_leaf)
        params = list(layer.parameters())
        print(len(params))
        x = torch.ones(4, 3)
        y = layer(x)
        print(y, y.grad_fn.name())
        w = layer.weight
        b = layer.bias
        """,
    ),
    _case(
        "nn-sequential",
        """
        import torch
        from torch import nn
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2), nn.Softmax(dim=1))
        print(model)
        print(model[0])
        print(model[2].weight.shape, model[0].bias)
        x = torch.tensor([[1.0, -1.0], [0.5, 2.0]])
        out = model(x)
        print(out)
        squash = nn.Sequential(nn.Sigmoid(), nn.Tanh())
        print(squash(x))
        """,
    ),
    _case(
        "nn-loss-modules",
        """
        import torch
        import torch.nn as nn
        logits = torch.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
        ce = nn.CrossEntropyLoss()(logits, torch.tensor([0]))
        p = torch.tensor([0.3, 0.8], requires_grad=True)
        t = torch.tensor([0.0, 1.0])
        bce = nn.BCELoss()(p, t)
        mse = nn.MSELoss()(p, t)
        total = ce + bce + mse
        total.backward()
        print(ce, bce, mse)
        print(logits.grad, p.grad)
        """,
    ),
    _case(
        "nn-zero-grad",
        """
        import torch
        import torch.nn as nn
        model = nn.Linear(2, 1)
        loss = model(torch.ones(3, 2)).sum()
        loss.backward()
        print(model.weight.grad, model.bias.grad)
        model.zero_grad()
        print(model.weight.grad, model.bias.grad)
        """,
    ),
    _case(
        "optim-sgd",
        """
        import torch
        w = torch.tensor([1.0, -2.0], requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        for step in range(5):
            opt.zero_grad()
            loss = ((w - 3) ** 2).sum()
            loss.backward()
            opt.step()
            print(step, loss.item(), w)
        """,
    ),
    _case(
        "optim-sgd-momentum",
        """
        import torch
        import torch.nn as nn
        model = nn.Linear(2, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]])
        y = torch.tensor([[1.0], [2.0], [0.0]])
        for step in range(10):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
        print(f"{loss.item():.6f}")
        w = model.weight
        b = model.bias
        """,
    ),
    _case(
        "optim-adam",
        """
        import torch
        w = torch.tensor([[0.5, -0.5], [1.0, 2.0]], requires_grad=True)
        opt = torch.optim.Adam([w], lr=0.01)
        target = torch.eye(2)
        for i in range(20):
            opt.zero_grad()
            loss = ((w @ w - target) ** 2).sum()
            loss.backward()
            opt.step()
            if i % 5 == 0:
                print(i, round(loss.item(), 5))
        print(w)
        """,
    ),
    _case(
        "autograd-grad-basic",
        """
        import torch
        a = torch.tensor(2.0, requires_grad=True)
        b = torch.tensor(3.0, requires_grad=True)
        y = a * b + a ** 2
        ga, gb = torch.autograd.grad(y, [a, b])
        print(ga, gb, a.grad, b.grad)
        grads = torch.autograd.grad(outputs=(a * b), inputs=(a,))
        print(grads, len(grads))
        """,
    ),
    _case(
        "autograd-grad-second-order",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        print(g)
        (h,) = torch.autograd.grad(g.sum(), x)
        print(h)
        """,
    ),
    _case(
        "autograd-grad-retain-graph",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        first = torch.autograd.grad(y, x, retain_graph=True)
        second = torch.autograd.grad(y, x)
        print(first, second)
        """,
    ),
    _case(
        "autograd-grad-allow-unused",
        """
        import torch
        x = torch.tensor([1.0], requires_grad=True)
        z = torch.tensor([2.0], requires_grad=True)
        y = (x * 4).sum()
        gx, gz = torch.autograd.grad(y, [x, z], allow_unused=True)
        print(gx, gz)
        """,
    ),
    _case(
        "autograd-grad-outputs",
        """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        (g,) = torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 0.5, 0.0]))
        print(g)
        """,
    ),
    _case(
        "autograd-backward-function",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).sum()
        z = (x ** 2).sum()
        torch.autograd.backward([y, z])
        print(x.grad)
        """,
    ),
    _case(
        "functional-jacobian",
        """
        import torch
        def f(x):
            return x ** 2 + x.sum()
        x = torch.tensor([1.0, 2.0, 3.0])
        J = torch.autograd.functional.jacobian(f, x)
        print(J)
        J2 = torch.autograd.functional.jacobian(lambda a, b: a * b, (x, x + 1))
        print(J2)
        """,
    ),
    _case(
        "functional-hessian",
        """
        import torch
        def energy(x):
            return (x ** 3).sum() + x[0] * x[1]
        x = torch.tensor([1.0, 2.0])
        H = torch.autograd.functional.hessian(energy, x)
        print(H)
        """,
    ),
    _case(
        "functional-vjp-jvp",
        """
        import torch
        def f(x):
            return torch.stack([x[0] * x[1], x[0] + x[1] ** 2])
        x = torch.tensor([2.0, 3.0])
        out, vjp = torch.autograd.functional.vjp(f, x, torch.tensor([1.0, 0.0]))
        print(out, vjp)
        out2, jvp = torch.autograd.functional.jvp(f, x, torch.tensor([0.0, 1.0]))
        print(out2, jvp)
        """,
    ),
    _case(
        "autograd-gradcheck",
        """
        import torch
        x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
        print(torch.autograd.gradcheck(lambda t: (t.sin() * t).sum(), (x,)))
        """,
    ),
    _case(
        "backward-inputs",
        """
        import torch
        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        y = (a * b).sum()
        y.backward(inputs=[a])
        print(a.grad, b.grad)
        """,
    ),
    _case(
        "backward-gradient-and-retain",
        """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.backward(torch.tensor([1.0, 1.0, 1.0]), retain_graph=True)
        y.backward(gradient=torch.tensor([0.5, 0.0, 2.0]))
        print(x.grad)
        """,
    ),
    _case(
        "grad-fn-introspection",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2 + torch.ones(2)
        print(y.grad_fn)
        print(y.grad_fn.name())
        print(y.grad_fn.next_functions)
        first = y.grad_fn.next_functions[0][0]
        print(first.name(), first.next_functions)
        print(x.grad_fn, x.is_leaf, y.is_leaf)
        """,
    ),
    _case(
        "requires-grad-flags",
        """
        import torch
        a = torch.ones(2)
        print(a.requires_grad)
        a.requires_grad_()
        print(a.requires_grad)
        b = torch.zeros(2)
        b.requires_grad = True
        c = a * b + a
        c.retain_grad()
        print(c.retains_grad, a.retains_grad)
        c.sum().backward()
        print(a.grad, b.grad, c.grad)
        d = torch.ones(3).requires_grad_(True)
        print(d)
        """,
    ),
    _case(
        "grad-reset-none",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        print(x.grad)
        x.grad = None
        print(x.grad)
        (x * 3).sum().backward()
        print(x.grad)
        """,
    ),
    _case(
        "data-assignment",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        x.data = torch.tensor([5.0, 6.0])
        y = (x * x).sum()
        y.backward()
        print(x, x.grad)
        x.data.mul_(0.5)
        print(x.data, x.requires_grad)
        """,
    ),
    _case(
        "data-assignment-of-a-saved-tensor-same-shape",
        """
        import torch
        x = torch.zeros(3, 4, requires_grad=True)
        idx = torch.tensor([[0, 1], [2, 3], [1, 0]])
        y = x.gather(1, idx)
        idx.data = torch.tensor([[3, 3], [0, 0], [1, 2]])
        y.sum().backward()
        print(x.grad)
        w = torch.tensor([1.0, -2.0], requires_grad=True)
        loss = (w * w).sum()
        w.data = torch.tensor([10.0, 20.0])
        loss.backward()
        print(w.grad)
        for step in range(3):
            w.grad = None
            (w * w).sum().backward()
            w.data = w.data - 0.1 * w.grad
        print(w)
        """,
    ),
    _case(
        "data-assignment-out-of-range-index-is-checked",
        """
        import torch
        x = torch.zeros(2, 4, requires_grad=True)
        idx = torch.tensor([[0, 1], [2, 3]])
        y = x.gather(1, idx)
        idx.data = torch.tensor([[0, 100000], [2, 3]])
        y.sum().backward()
        """,
        "RuntimeError",
    ),
    _case(
        "inplace-methods",
        """
        import torch
        t = torch.ones(3)
        t.add_(2)
        t.sub_(0.5)
        t.mul_(4)
        t.div_(2)
        print(t)
        t.fill_(7)
        print(t)
        t.zero_()
        print(t)
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.sum().backward()
        print(y, x.grad)
        """,
    ),
    _case(
        "subscript-assignment",
        """
        import torch
        t = torch.zeros(2, 3)
        t[0] = 5.0
        t[:, 1] = torch.tensor([1.0, 2.0])
        t[1, 2] = -1.0
        print(t)
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.clone()
        y[0] = 10.0
        print(y.grad_fn, y.grad_fn.name())
        y.sum().backward()
        print(y, x.grad)
        """,
    ),
    _case(
        "tensor-queries",
        """
        import torch
        x = torch.arange(12.0).reshape(3, 4)
        print(x.shape, x.size(), x.size(0), x.dim(), x.ndim, x.numel(), x.dtype)
        print(x[1, 2].item(), x[0].tolist(), x.tolist())
        print(len(x), x.shape[1], list(x.shape))
        """,
    ),
    _case(
        "grad-modes",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        with torch.no_grad():
            a = x * 2
            with torch.enable_grad():
                b = x * 2
        with torch.set_grad_enabled(False):
            c = x * 2
        with torch.set_grad_enabled(True):
            d = x * 2
        print(a.requires_grad, b.requires_grad, c.requires_grad, d.requires_grad)
        e = x * 2
        print(e.requires_grad)
        """,
    ),
    _case(
        "detach-and-clone",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        c = x.clone()
        d[0] = 9.0
        print(x, d, c)
        (c * 2).sum().backward()
        print(x.grad, c.grad_fn.name(), d.requires_grad)
        """,
    ),
    _case(
        "register-hook-scales-grad",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: g * 10)
        y.sum().backward()
        print(x.grad)
        """,
    ),
    _case(
        "manual-gradient-descent",
        """
        import torch
        w = torch.tensor(0.0, requires_grad=True)
        for i in range(30):
            loss = (w - 4.0) ** 2
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
        print(f"w = {w.item():.5f}")
        """,
    ),
    _case(
        "tensor-printing",
        """
        import torch
        print(torch.tensor(3.5))
        print(torch.tensor([1e-8, 1.0, 1e8]))
        print(torch.tensor([1, 2], dtype=torch.int64), torch.tensor([True, False]))
        print(torch.zeros(0))
        print(torch.arange(24.0).reshape(2, 3, 4))
        print(torch.arange(2000.0))
        print(torch.tensor([0.1, 0.2], dtype=torch.float64))
        print(torch.tensor([float("nan"), float("inf"), -float("inf")]))
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        print(x, x * 1, repr(x), str(x.sum()))
        """,
    ),
    _case(
        "nan-inf-values",
        """
        import torch
        x = torch.tensor([0.0, 1.0, -1.0], requires_grad=True)
        y = torch.log(x)
        z = x / x
        y.sum().backward()
        print(y, z, x.grad)
        """,
    ),
    _case(
        "tensor-iteration",
        """
        import torch
        m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
        for row in m:
            print(row, row.sum().item())
        total = 0.0
        for v in m[0]:
            total += v.item()
        print(total)
        for i, row in enumerate(m):
            print(i, row.tolist())
        """,
    ),
    _case(
        "tensor-truthiness",
        """
        import torch
        t = torch.tensor([1.0, -2.0])
        if t.sum() < 0:
            print("negative")
        else:
            print("positive")
        s = torch.tensor(0.0)
        print(bool(s), not s, s or "fallback", t[0] and "truthy")
        while s < 3:
            s = s + 1
        print(s)
        """,
    ),
    _case(
        "isinstance-checks",
        """
        import torch
        import torch.nn as nn
        x = torch.ones(2)
        p = nn.Linear(1, 1).weight
        print(isinstance(x, torch.Tensor), isinstance(p, torch.Tensor), isinstance(3, torch.Tensor))
        print(isinstance(3, int), isinstance(2.5, float), isinstance("s", str))
        print(isinstance([], list), isinstance((), tuple), isinstance(True, int))
        """,
    ),
    _case(
        "warning-nonleaf-grad",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.sum().backward()
        print(y.grad)
        print(x.grad)
        """,
    ),
    _case(
        "warning-nonleaf-grad-in-loop",
        """
        import torch
        x = torch.tensor([1.0], requires_grad=True)
        h = x + 1
        seen = []
        for i in range(3):
            seen = seen + [h.grad]
        print(seen)
        print(h.grad is None)
        """,
    ),
    _case(
        "functional-softmax-dims",
        """
        import torch
        import torch.nn.functional as F
        x = torch.tensor([[1.0, 2.0], [3.0, 5.0]])
        print(F.softmax(x, 0))
        print(F.log_softmax(x, dim=1))
        """,
    ),
]

PYTHON_CASES = [
    _case(
        "python-def-defaults",
        """
        def scale(x, factor=2, offset=0):
            return x * factor + offset

        def factorial(n):
            if n <= 1:
                return 1
            return n * factorial(n - 1)

        def nothing():
            pass

        print(scale(3), scale(3, 4), scale(3, 4, 1), scale(1.5, offset=0.5), factorial(10))
        print(nothing())
        """,
    ),
    _case(
        "python-lambda-closures",
        """
        import torch
        square = lambda v: v * v
        add = lambda a, b=10: a + b
        def make_scaler(k):
            return lambda t: t * k
        triple = make_scaler(3)
        print(square(4), add(1), add(1, 2), triple(torch.tensor([1.0, 2.0])))
        fs = [lambda v, i=i: v + i for i in range(3)]
        print([f(10) for f in fs])
        """,
    ),
    _case(
        "python-comprehensions",
        """
        squares = [n * n for n in range(10) if n % 2 == 0]
        pairs = [(a, b) for a in range(3) for b in range(a)]
        nested = [[i * j for j in range(3)] for i in range(3)]
        words = [w for w in ["a", "bb", "ccc"] if len(w) > 1]
        print(squares, pairs, nested, words)
        """,
    ),
    _case(
        "python-fstring-ascii-conversion",
        """
        import torch
        word = "café"
        print(f"{'é'!a} {word!a} {word!a:>12}|{['ü', 'x', 3]!a} {'€ 😀'!a} {'plain'!a}")
        print(f"{torch.tensor([1.5])!a} {torch.float32!a} {(1, 'ß')!a}")
        """,
    ),
    _case(
        "python-fstrings",
        """
        import torch
        pi = 3.14159265
        n = 42
        name = "grad"
        t = torch.tensor([1.5, 2.25])
        print(f"{pi:.2f}|{pi:8.3f}|{pi:<8.1f}|{pi:e}|{n:05d}|{n:>6}|{n:x}|{n:,}|{1234567:_}")
        print(f"{name!r} {name:>8} {name:^9}| {n / 7:.3%} {True} {None}")
        print(f"{t.sum().item():.3f} {t[0].item():g} {t} {t.shape} {t.dtype} {len(t)}")
        print(f"nested {f'{n}':>4} {'x' * 3} {n + 1 = }")
        """,
    ),
    _case(
        "python-chained-comparisons",
        """
        import torch
        x = 5
        print(1 < x < 10, 1 < x > 10, 0 <= x <= 5 < 6, x == 5 == 5.0, 1 < 2 < 3 < 2)
        t = torch.tensor(0.5)
        print(0 < t.item() < 1, 0.0 < t.item() <= 0.4)
        print("a" < "b" < "c", [1, 2] < [1, 3])
        """,
    ),
    _case(
        "python-slicing",
        """
        import torch
        xs = [0, 1, 2, 3, 4, 5]
        print(xs[1:], xs[:2], xs[::2], xs[::-1], xs[-2:], xs[1:5:2], "hello"[1:3], (1, 2, 3)[1:])
        t = torch.arange(12.0).reshape(3, 4)
        print(t[0], t[-1], t[:, 1], t[1:], t[..., None].shape, t[:, None, :].shape)
        print(t[::2], t[1:3, 1:3], t[0, ::3], t[..., -1], t[None].shape, t[1][2])
        print(t[torch.tensor([0, 2])], t[t > 5], t[:, [0, 3]])
        """,
    ),
    _case(
        "python-print-sep-end",
        """
        import torch
        print("a", "b", "c", sep="-")
        print("no newline", end="")
        print(" continued", end="!\\n")
        print()
        print(1, 2.0, True, None, "s", [1, "x"], (1,), {"k": 1.5}, sep=" | ")
        print(torch.ones(2), "tail", sep="\\n", end="\\n\\n")
        print("", end="")
        print(1, 2, 3)
        """,
    ),
    _case(
        "python-control-flow",
        """
        total = 0
        for i in range(10):
            if i == 2:
                continue
            elif i > 6:
                break
            else:
                pass
            total += i
        n = 0
        while True:
            n += 1
            if n >= 5:
                break
        for a, b in zip([1, 2, 3], ("x", "y", "z")):
            print(a, b)
        for i, v in enumerate([10, 20]):
            print(i, v)
        for item in (1.5, "two"):
            print(item)
        print(total, n)
        """,
    ),
    _case(
        "python-unpacking-and-augmented",
        """
        a, b = 1, 2
        a, b = b, a
        (c, d), e = (3, 4), 5
        x = 10
        x += 5
        x -= 3
        x *= 2
        x //= 5
        x **= 3
        x %= 7
        y = 7.0
        y /= 2
        s = "ab"
        s += "cd"
        s *= 2
        xs = [1]
        xs += [2, 3]
        print(a, b, c, d, e, x, y, s, xs)
        """,
    ),
    _case(
        "python-augmented-tensors",
        """
        import torch
        t = torch.ones(3)
        u = t
        t += 1
        t *= torch.tensor([1.0, 2.0, 3.0])
        t -= 0.5
        t /= 2
        print(t, u, t is u)
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y += x
        y.sum().backward()
        print(y.grad_fn.name(), x.grad)
        """,
    ),
    _case(
        "python-builtins",
        """
        import torch
        xs = [3, -1, 2]
        print(len(xs), abs(-2.5), min(xs), max(xs), sum(xs), min(4, 2, 8), max([1.5, 0.5]))
        print(round(2.675, 2), round(3.5), round(-0.5), float("1.5"), int("42"), int(3.9))
        print(bool(0), bool([1]), str(12), list((1, 2)), tuple([1, 2]), dict(a=1, b=2))
        print(list(range(2, 10, 3)), list(enumerate("ab")), list(zip([1, 2], [3, 4])))
        print(repr("q"), repr(1.0), repr([1, "2"]), abs(torch.tensor(-3.0)), sum([0.1] * 3))
        print(max(torch.tensor([1.0, 5.0]).tolist()), int(torch.tensor(7)), float(torch.tensor(2)))
        print(len(torch.ones(4, 2)), round(torch.tensor(2.345).item(), 1), min(3, 2.5))
        """,
    ),
    _case(
        "python-collections",
        """
        d = {"a": 1, "b": [2, 3]}
        d["c"] = 4
        d["a"] += 10
        print(d, d["b"][1], len(d), "a" in d, "z" not in d)
        xs = [1, 2, 3]
        xs[0] = 9
        nested = [[0] * 2 for k in range(2)]
        nested[1][0] = 5
        t = (1, [2])
        print(xs, nested, t, 2 in xs, xs + [4], xs * 2, (1, 2) + (3,))
        """,
    ),
    _case(
        "python-conditionals-and-boolops",
        """
        x = 0
        y = "" or "default"
        z = [] and "never"
        w = 3 if x else 4
        print(y, z, w, not x, x or 0.0, 1 and 2, None or [] or 7)
        print(True + True, 7 // 2, -7 // 2, 7 % -3, 2 ** -1, 10 / 4, 2 ** 100)
        print(0.1 + 0.2, 1e300 * 10, -0.0, 1 / 3)
        """,
    ),
    _case(
        "python-strings",
        """
        s = "autograd"
        print(s[0], s[-1], s[2:5], len(s), s + "!", s * 2, "grad" in s, s == "autograd")
        print(str(1.0), str(None), str([1, 2]), "a" < "b", "\\u00e9", "그래디언트")
        """,
    ),
]

FAILING_CASES = [
    _case("error-name", "x = 1\nprint(q)\n", "NameError"),
    _case("error-type-str-plus-int", 'label = "step " + 1\n', "TypeError"),
    _case(
        "error-zero-division",
        "a = 10\nb = a // 2\nprint(b)\nc = a / (b - 5)\n",
        "ZeroDivisionError",
    ),
    _case("error-index-list", "xs = [1, 2, 3]\nprint(xs[3])\n", "IndexError"),
    _case(
        "error-index-tensor",
        "import torch\nt = torch.ones(3)\nprint(t[5])\n",
        "IndexError",
    ),
    _case("error-key", 'd = {"a": 1}\nprint(d["b"])\n', "KeyError"),
    _case("error-unpack", "a, b = [1, 2, 3]\n", "ValueError"),
    _case(
        "error-call-arguments",
        "def f(a):\n    return a\n\nprint(f(1))\nf(1, 2)\n",
        "TypeError",
    ),
    _case(
        "error-inside-function",
        "def g(x):\n    y = x + 1\n    return y / 0\n\nprint('before')\ng(1)\n",
        "ZeroDivisionError",
    ),
    _case(
        "error-assert",
        """
        import torch
        x = torch.ones(2)
        assert x.sum() > 1
        assert x.sum() > 10, "sum too small"
        """,
        "AssertionError",
    ),
    _case("error-assert-bare", "assert 1 == 2\n", "AssertionError"),
    _case("error-syntax", "x = (1, 2\nprint(x)\n", "SyntaxError"),
    _case(
        "error-nonscalar-backward",
        "import torch\nx = torch.ones(3, requires_grad=True)\ny = x * 2\ny.backward()\n",
        "RuntimeError",
    ),
    _case(
        "error-backward-twice",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        print(x.grad)
        y.backward()
        """,
        "RuntimeError",
    ),
    _case(
        "backward-twice-without-saved-tensors",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x + 2).sum()
        y.backward()
        y.backward()
        print(x.grad)
        """,
    ),
    _case(
        "error-inplace-leaf",
        "import torch\nx = torch.ones(3, requires_grad=True)\nx.mul_(2)\n",
        "RuntimeError",
    ),
    _case(
        "error-inplace-modified-saved",
        """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)
        y.sum().backward()
        """,
        "RuntimeError",
    ),
    _case(
        "error-int-requires-grad",
        "import torch\nx = torch.tensor([1, 2, 3], requires_grad=True)\n",
        "RuntimeError",
    ),
    _case(
        "error-matmul-shape",
        "import torch\na = torch.ones(2, 3)\nb = torch.ones(2, 3)\nc = a @ b\n",
        "RuntimeError",
    ),
    _case(
        "error-gradient-shape",
        """
        import torch
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        y.backward(torch.ones(2))
        """,
        "RuntimeError",
    ),
    _case(
        "error-backward-no-grad",
        "import torch\nx = torch.ones(2)\ny = x.sum()\ny.backward()\n",
        "RuntimeError",
    ),
    _case(
        "error-grad-unused-input",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        z = torch.ones(2, requires_grad=True)
        y = (x * 2).sum()
        torch.autograd.grad(y, [x, z])
        """,
        "RuntimeError",
    ),
    _case(
        "error-nonleaf-requires-grad-flag",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        y.requires_grad = False
        """,
        "RuntimeError",
    ),
    _case(
        "error-item-of-vector",
        "import torch\nv = torch.arange(3.0)\nprint(v.item())\n",
        "RuntimeError",
    ),
    _case(
        "error-ambiguous-bool",
        "import torch\nv = torch.tensor([1.0, 2.0])\nif v > 0:\n    print('yes')\n",
        "RuntimeError",
    ),
    _case(
        "error-view-incompatible",
        "import torch\nm = torch.ones(2, 3)\nflat = m.t().view(6)\n",
        "RuntimeError",
    ),
    _case(
        "error-cat-shapes",
        "import torch\nx = torch.cat([torch.ones(2, 2), torch.ones(3, 3)])\n",
        "RuntimeError",
    ),
    _case(
        "error-negative-slice-step",
        "import torch\nt = torch.arange(4)\nprint(t[::-1])\n",
        "ValueError",
    ),
    _case(
        "error-empty-optimizer",
        "import torch\nopt = torch.optim.SGD([], lr=0.1)\n",
        "ValueError",
    ),
    _case(
        "error-linear-input-shape",
        """
        import torch
        import torch.nn as nn
        layer = nn.Linear(3, 2)
        out = layer(torch.ones(4, 2))
        """,
        "RuntimeError",
    ),
    _case(
        "error-after-output-keeps-state",
        """
        import torch
        x = torch.tensor([2.0], requires_grad=True)
        y = x ** 2
        y.backward()
        print("grad:", x.grad)
        z = y + undefined_name
        """,
        "NameError",
    ),
]

# Corners where an interpreter most easily drifts from CPython: scoping, late binding,
# positions of errors raised deep inside calls, warnings with their lines, odd conversions.
SEMANTICS_CASES = [
    _case(
        "python-mutable-default-evaluated-once",
        """
        def collect(v, acc=[]):
            acc += [v]
            return acc

        print(collect(1), collect(2))
        """,
    ),
    _case(
        "python-closure-late-binding",
        """
        fs = [lambda: i for i in range(3)]
        print([f() for f in fs])
        scale = 2
        def times(v):
            return v * scale
        scale = 5
        print(times(3))
        """,
    ),
    _case(
        "python-loop-variable-survives",
        """
        for j in range(3):
            pass
        squares = [k * k for k in range(4)]
        print(j, squares)
        """,
    ),
    _case(
        "error-comprehension-variable-does-not-leak",
        "squares = [k * k for k in range(4)]\nprint(squares)\nprint(k)\n",
        "NameError",
    ),
    _case(
        "error-unbound-local",
        """
        n = 1
        def bump():
            print(n)
            n = 2

        bump()
        """,
        "UnboundLocalError",
    ),
    _case(
        "error-missing-argument",
        "def area(w, h):\n    return w * h\n\nprint(area(2))\n",
        "TypeError",
    ),
    _case(
        "error-unexpected-keyword",
        "def area(w, h=1):\n    return w * h\n\nprint(area(2, z=3))\n",
        "TypeError",
    ),
    _case(
        "error-lambda-arity",
        "double = lambda v: v * 2\nprint(double(1, 2))\n",
        "TypeError",
    ),
    _case("error-len-of-int", "print(len(5))\n", "TypeError"),
    _case("error-int-parse", 'n = int("x1")\n', "ValueError"),
    _case("error-none-plus-int", "x = None\ny = x + 1\n", "TypeError"),
    _case("error-min-empty", "print(min([]))\n", "ValueError"),
    _case(
        "error-grad-none-zero",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        x.grad.zero_()
        """,
        "AttributeError",
    ),
    _case(
        "error-tensor-plus-str",
        'import torch\nt = torch.ones(2)\nprint(t + "1")\n',
        "TypeError",
    ),
    _case(
        "error-multiline-call",
        """
        import torch
        a = torch.ones(2)
        b = torch.cat([
            a,
            torch.ones(2, 2),
        ])
        """,
        "RuntimeError",
    ),
    # CPython 3.11 places a method call, or an attribute read, whose name sits on a later line
    # at that name; a call on an imported module stays where the call starts.
    _case(
        "error-method-on-next-line",
        """
        import torch
        x = torch.ones(3)
        y = (x
             .sum(dim=5))
        """,
        "IndexError",
    ),
    _case(
        "error-method-on-next-line-in-function",
        """
        import torch
        def total(t):
            return (t
                .view(
                    5))
        total(torch.ones(2))
        """,
        "RuntimeError",
    ),
    _case(
        "error-list-method-on-next-line",
        "xs = [1]\nxs = (xs\n  .index(5))\n",
        "ValueError",
    ),
    _case(
        "error-attribute-on-next-line",
        "import torch\nimport torch.nn as nn\nm = nn.ReLU()\nw = (m\n    .weight)\n",
        "AttributeError",
    ),
    _case(
        "error-module-function-on-next-line",
        "import torch\ny = (torch\n     .tensor([1, 2], requires_grad=True))\n",
        "RuntimeError",
    ),
    _case(
        "error-deep-in-functions",
        """
        import torch
        def inner(t):
            return t @ torch.ones(3)
        def outer(t):
            y = t * 2
            return inner(y)
        print(outer(torch.ones(3)))
        print(outer(torch.ones(2)))
        """,
        "RuntimeError",
    ),
    _case(
        "error-inside-hook",
        """
        import torch
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g[5])
        y.sum().backward()
        """,
        "IndexError",
    ),
    _case(
        "error-inside-jacobian-function",
        """
        import torch
        def f(v):
            return v @ torch.ones(4)
        J = torch.autograd.functional.jacobian(f, torch.ones(3))
        """,
        "RuntimeError",
    ),
    _case(
        "error-setitem-on-leaf",
        "import torch\nx = torch.zeros(3, requires_grad=True)\nx[0] = 1.0\n",
        "RuntimeError",
    ),
    _case(
        "error-int-tensor-requires-grad-flag",
        "import torch\nx = torch.arange(3)\nx.requires_grad = True\n",
        "RuntimeError",
    ),
    _case(
        "error-view-size",
        "import torch\nx = torch.ones(2, 3).view(4)\n",
        "RuntimeError",
    ),
    _case(
        "error-torch-keyword-typo",
        "import torch\nx = torch.ones(2, requires_gard=True)\n",
        "TypeError",
    ),
    _case(
        "error-format-spec-on-vector",
        'import torch\nt = torch.ones(2)\nprint(f"{t:.2f}")\n',
        "TypeError",
    ),
    _case(
        "error-float-of-vector",
        "import torch\nv = float(torch.ones(2))\n",
        "ValueError",
    ),
    _case(
        "error-integer-tensor-division-by-zero",
        "import torch\nq = torch.tensor([4, 2]) // 0\n",
        "RuntimeError",
    ),
    _case(
        "error-singular-inverse",
        "import torch\nm = torch.zeros(2, 2)\ninv = torch.inverse(m)\n",
        "LinAlgError",
    ),
    _case(
        "error-chained-comparison-on-vector",
        "import torch\nt = torch.tensor([0.2, 0.7])\nprint(0 < t < 1)\n",
        "RuntimeError",
    ),
    _case("error-indentation", "if True:\nprint(1)\n", "IndentationError"),
    _case(
        "warning-copy-construct-tensor",
        """
        import torch
        a = torch.ones(2)
        b = torch.tensor(a)
        print(b)
        """,
    ),
    _case(
        "warning-softmax-implicit-dim",
        """
        import torch
        import torch.nn.functional as F
        s = F.softmax(torch.tensor([[1.0, 2.0], [0.5, 0.5]]))
        print(s)
        """,
    ),
    _case(
        "warning-nonleaf-grad-inside-function",
        """
        import torch
        def peek(t):
            g = t.grad
            return g
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        print(peek(y))
        """,
    ),
    _case(
        "builtins-on-tensors",
        """
        import torch
        a = torch.tensor(1.5)
        b = torch.tensor(2.5)
        print(sum([torch.ones(2), torch.ones(2)]), max(a, b), min(a, b), abs(-a))
        print(int(torch.tensor(3.7)), float(torch.tensor([2])), bool(torch.tensor([0.0])))
        print(list(torch.ones(2, 2)), tuple(torch.ones(2, 3).shape), len(torch.zeros(5, 1)))
        print(dict(zip(["a", "b"], [1, 2])), list(enumerate([10, 20], 1)))
        print(isinstance(1.0, (int, float)), isinstance(a.shape, tuple), str(a.dtype))
        """,
    ),
    _case(
        "tensor-format-specs",
        """
        import torch
        s = torch.tensor(2.71828)
        i = torch.tensor(7)
        print(f"{s:.3f} {s:8.2f} {i:03d} {s:e} {s} {i}")
        print(f"{s.item():.1%} {i.item():+d}")
        """,
    ),
    _case(
        "function-and-generator-reprs",
        """
        import torch
        def f(v):
            return v
        print(f)
        print(lambda v: v)
        print(torch.manual_seed(3))
        print(torch.ones(2).shape, torch.float64, torch.nn.Linear(2, 2))
        """,
    ),
    _case(
        "multi-output-ops",
        """
        import torch
        x = torch.arange(6.0, requires_grad=True)
        left, right = x.chunk(2)
        parts = x.split([1, 5])
        for p in parts:
            print(p.shape, p.grad_fn.name())
        total = (left * right).sum() + parts[0].sum()
        total.backward()
        print(x.grad)
        """,
    ),
    _case(
        "autograd-grad-leaves-grad-untouched",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = (x * 5).sum()
        (g,) = torch.autograd.grad(y, x)
        print(g, x.grad)
        z = (x * 2).sum()
        z.backward(retain_graph=False)
        print(x.grad)
        """,
    ),
    _case(
        "unicode-names-and-strings",
        """
        import torch
        기울기 = torch.tensor([1.0, 2.0], requires_grad=True)
        손실 = (기울기 ** 2).sum()
        손실.backward()
        print("그래디언트:", 기울기.grad, "é", "→")
        """,
    ),
]

# nn and optim as students use them, and conversions at the edge of Python and torch.
MODULE_CASES = [
    _case(
        "nn-parameters-generator-exhausts",
        """
        import torch.nn as nn
        model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        ps = model.parameters()
        print(len(list(ps)), len(list(ps)))
        names = dict(model.named_parameters())
        print(list(names), len(model), model[-1], model[0:2])
        """,
    ),
    _case(
        "nn-manual-sgd-on-parameters",
        """
        import torch
        import torch.nn as nn
        model = nn.Linear(2, 1)
        model.weight.data.fill_(0.5)
        x = torch.tensor([[1.0, 2.0], [0.0, 1.0]])
        for step in range(3):
            loss = (model(x) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
            for p in model.parameters():
                p.grad = None
            print(step, f"{loss.item():.6f}")
        w = model.weight
        print(w, model.bias.grad)
        """,
    ),
    _case(
        "optim-adam-options",
        """
        import torch
        import torch.nn as nn
        model = nn.Linear(3, 1)
        opt = torch.optim.Adam(model.parameters(), lr=0.05, betas=(0.8, 0.99), weight_decay=0.01)
        x = torch.randn(5, 3)
        target = torch.randn(5, 1)
        for step in range(4):
            opt.zero_grad()
            loss = nn.MSELoss()(model(x), target)
            loss.backward()
            opt.step()
        print(loss, model.weight, model.bias)
        """,
    ),
    _case(
        "print-evaluation-order",
        """
        def tag(name, value):
            print("evaluating", name)
            return value

        print(tag("a", 1), tag("b", 2), sep=tag("sep", "/"))
        total = tag("left", 10) - tag("right", 3)
        print(f"{tag('f1', 1)}{tag('f2', 2)}", total)
        """,
    ),
    _case(
        "python-numeric-corners",
        """
        import torch
        print(-7.5 // 2, -7.5 % 2, 7 // -2, 2 ** 0.5, 10 ** -2, int(-3.9), round(0.125, 2))
        print(2.0 in torch.tensor([1.0, 2.0]), 5 in [1, 2], torch.tensor([1, 2.5]).dtype)
        print(1e16, 1.5e-7, 123456789.123, float("inf"), -float("inf") < 0, 3 % 0.7)
        """,
    ),
    _case("error-compare-int-str", 'print(1 < "a")\n', "TypeError"),
    _case(
        "error-ragged-tensor-literal",
        "import torch\nt = torch.tensor([[1, 2], [3]])\n",
        "ValueError",
    ),
    _case(
        "error-linear-dtype",
        """
        import torch
        import torch.nn as nn
        layer = nn.Linear(2, 1)
        out = layer(torch.ones(3, 2, dtype=torch.float64))
        """,
        "RuntimeError",
    ),
    _case(
        "error-cross-entropy-float-target",
        """
        import torch
        import torch.nn.functional as F
        logits = torch.randn(2, 3, requires_grad=True)
        loss = F.cross_entropy(logits, torch.tensor([0.0, 2.0]))
        """,
        "RuntimeError",
    ),
    _case(
        "error-backward-on-integer-result",
        """
        import torch
        x = torch.ones(3, requires_grad=True)
        n = x.argmax()
        print(n, n.requires_grad)
        n.backward()
        """,
        "RuntimeError",
    ),
    _case(
        "error-optimize-non-leaf",
        """
        import torch
        w = torch.ones(2, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
        opt.step()
        print(w)
        loss = (w * 2).sum()
        loss.backward()
        opt.step()
        print(w)
        opt2 = torch.optim.SGD([w * 2], lr=0.1)
        """,
        "ValueError",
    ),
]

# Autograd corners: hooks on leaves, retained grads over several passes, double backward,
# and warnings that come twice from one line or just before an error.
AUTOGRAD_CORNER_CASES = [
    _case(
        "hook-on-leaf",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g + 100)
        (x * x).sum().backward()
        print(x.grad)
        """,
    ),
    _case(
        "retain-grad-accumulates",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.retain_grad()
        y = (h * h).sum()
        y.backward(retain_graph=True)
        print(h.grad)
        y.backward()
        print(h.grad, x.grad)
        x.retain_grad()
        print(x.retains_grad)
        """,
    ),
    _case(
        "double-backward-through-grad",
        """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        print(g.grad_fn.name(), g.requires_grad)
        g.sum().backward()
        print(x.grad)
        """,
    ),
    _case(
        "autograd-grad-several-outputs",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        b = x ** 2
        grads = torch.autograd.grad([a, b], [x], grad_outputs=[torch.ones(2), torch.ones(2)])
        print(grads)
        """,
    ),
    _case(
        "warning-twice-on-one-line",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        print(y.grad, y.grad)
        """,
    ),
    _case(
        "warning-then-error",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        print(y.grad)
        z = y @ torch.ones(3)
        """,
        "RuntimeError",
    ),
    _case(
        "printing-containers-of-tensors",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        d = {"x": x, "twice": x * 2, "shape": x.shape, "dtype": x.dtype}
        print(d)
        print([x.sum(), (x.grad, None)], (torch.tensor(1),))
        """,
    ),
]

# Error messages that name the type of a value: the sandbox's own wrappers (modules,
# functions, grad_fn views, generators) must show CPython's type names.
TYPE_NAME_CASES = [
    _case("type-name-of-function", "f = lambda v: v\nprint(f + 1)\n", "TypeError"),
    _case("type-name-of-def-in-abs", "def g():\n    return 1\n\nprint(abs(g))\n", "TypeError"),
    _case(
        "type-name-of-function-in-concatenation",
        'f = lambda v: v\nprint([1] + [2])\nprint("a" + f)\n',
        "TypeError",
    ),
    _case("type-name-of-module", "import torch\nprint(torch + 1)\n", "TypeError"),
    _case("type-name-of-module-in-len", "import torch\nprint(len(torch))\n", "TypeError"),
    _case(
        "type-name-of-generator",
        "import torch.nn as nn\nprint(nn.Linear(1, 1).parameters() + 1)\n",
        "TypeError",
    ),
    _case(
        "type-name-of-grad-fn",
        "import torch\nx = torch.ones(1, requires_grad=True)\nprint((x * 2).grad_fn + 1)\n",
        "TypeError",
    ),
    _case(
        "type-name-of-tensor-method",
        "import torch\nx = torch.ones(1)\nprint(x.sum + 1)\n",
        "TypeError",
    ),
    _case("type-name-of-torch-function", "import torch\nprint(torch.ones + 1)\n", "TypeError"),
    _case(
        "type-name-of-nn-module", "import torch.nn as nn\nprint(nn.Linear(2, 2) + 1)\n", "TypeError"
    ),
    _case("type-name-of-dtype", "import torch\nprint(torch.float32 + 1)\n", "TypeError"),
    _case("type-name-of-builtin", "print(print + 1)\n", "TypeError"),
    _case("warning-syntax-not-subscriptable", "x = 1\nprint((0)[0])\n", "TypeError"),
    # CPython compiles the whole program first: a compile-time warning on a later line comes
    # out even when an earlier line fails.
    _case("warning-syntax-after-constant-folding", "print((1 - 0)[0])\n", "TypeError"),
    _case(
        "warning-syntax-before-earlier-error",
        'x = [1]\nprint(f"{x:05d}")\nprint((0)[0])\n',
        "TypeError",
    ),
]

# Argument forms: Python values into torch, keyword spellings, assignment through views.
ARGUMENT_FORM_CASES = [
    _case(
        "torch-from-python-values",
        """
        import torch
        x = torch.arange(6.0).reshape(2, 3)
        a = torch.tensor([t.sum().item() for t in x])
        b = torch.stack([row * 2 for row in x])
        c = torch.tensor(x.shape)
        d = torch.zeros(x.shape)
        e = torch.full(x.shape, 2.0)
        f = x.view(x.shape)
        g = x.reshape(x.size(0), -1)
        h = torch.tensor([True, 1, 2.5])
        i = torch.arange(len(x))
        j = x.to(dtype=torch.float64)
        k = torch.tensor(range(3))
        print(a, b, c, d, e, f, g, h, i, j, k)
        """,
    ),
    _case(
        "reduction-keyword-forms",
        """
        import torch
        x = torch.arange(6.0).reshape(2, 3)
        print(x.sum(dim=[0, 1]), x.mean((0, 1)), x.norm(p=1), x.norm(dim=1, keepdim=True))
        print(x.std(unbiased=False), x.var(correction=0), torch.clamp(x, min=torch.tensor(1.0)))
        print(x.max(dim=0).values, torch.max(x, 1)[0], x.argmax(dim=1, keepdim=True))
        print(x.cumsum(0), torch.cumsum(x, dim=1), x.prod(1), x.logsumexp(1), x.sum(-1))
        """,
    ),
    _case(
        "nn-activation-modules",
        """
        import torch
        import torch.nn as nn
        m = nn.Softmax(dim=0)
        s = nn.Sigmoid()
        t = nn.Tanh()
        r = nn.ReLU()
        x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        out = m(x) + s(x) + t(x) + r(x)
        out.sum().backward()
        print(out, x.grad, m, s)
        """,
    ),
    _case(
        "functional-keyword-forms",
        """
        import torch
        import torch.nn.functional as F
        x = torch.tensor([[0.5, -1.0]], requires_grad=True)
        w = torch.tensor([[1.0, 2.0], [0.0, 1.0], [1.0, 1.0]], requires_grad=True)
        y = F.linear(x, w)
        l = F.nll_loss(F.log_softmax(y, dim=1), torch.tensor([2]), reduction="sum")
        l2 = F.mse_loss(y, torch.zeros(1, 3), reduction="none")
        l.backward()
        print(y, l, l2, w.grad)
        print(F.leaky_relu(x, negative_slope=0.2), F.gelu(x, approximate="tanh"))
        """,
    ),
    _case(
        "inplace-through-views-of-clone",
        """
        import torch
        x = torch.ones(3, requires_grad=True)
        y = x.clone()
        y[1:] *= 3
        y[0] += 1
        out = y.sum()
        out.backward()
        print(y, y.grad_fn, x.grad)
        """,
    ),
    _case(
        "subscript-assignment-forms",
        """
        import torch
        t = torch.zeros(3, 3)
        t[0, :] = torch.tensor([1.0, 2.0, 3.0])
        t[1:, 1] = 5
        t[t > 4] = -1
        t[..., 2] = 9
        t[:, [0]] = 7
        print(t)
        """,
    ),
]

# Where an error is reported: line and column of the failing expression, wherever it sits.
ERROR_POSITION_CASES = [
    _case(
        "position-in-comprehension",
        "xs = [1 / (i - 1) for i in range(3)]\n",
        "ZeroDivisionError",
    ),
    _case("position-in-fstring", 'print(f"value: {1 / 0:.2f}")\n', "ZeroDivisionError"),
    _case(
        "position-in-default-argument",
        "def f(a, b=1 / 0):\n    return a\n",
        "ZeroDivisionError",
    ),
    _case(
        "position-second-line-of-expression",
        "x = 1\ny = (x\n     + undefined_thing)\n",
        "NameError",
    ),
    _case("position-second-subscript", 'd = {"a": 1}\nv = d["a"] + d["b"]\n', "KeyError"),
    _case(
        "position-two-statements-on-a-line",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        z = (x * x).sum()
        z.backward(); z.backward()
        """,
        "RuntimeError",
    ),
    _case(
        "position-assert-with-fstring-message",
        'n = 0\nwhile n < 3:\n    n += 1\nassert n == 4, f"n is {n}"\n',
        "AssertionError",
    ),
    _case(
        "position-in-later-loop-iteration",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        for i in range(3):
            y = x * i
            if i == 2:
                y.backward()
        """,
        "RuntimeError",
    ),
    _case(
        "position-range-index",
        "r = range(5)\nprint(r[1], (lambda: 1)())\nprint(r[10])\n",
        "IndexError",
    ),
]

# The rest of the torch table: every allowed name appears in some case (test_coverage.py).
TABLE_COVERAGE_CASES = [
    _case(
        "arithmetic-and-comparison-functions",
        """
        import torch
        a = torch.tensor([1.0, 2.0, 3.0])
        b = torch.tensor([3.0, 2.0, 1.0])
        print(torch.add(a, b), torch.sub(a, b), torch.mul(a, b), torch.div(a, b))
        print(a.add(b), a.sub(1), a.mul(b), a.div(2), torch.add(a, b, alpha=2))
        print(torch.eq(a, b), torch.ne(a, b), torch.lt(a, b), torch.le(a, b), torch.gt(a, b))
        print(torch.ge(a, b), a.eq(b), a.ne(2), a.lt(b), a.le(b), a.gt(b), a.ge(2))
        print(torch.isclose(a, b), a.isclose(a + 1e-9), torch.allclose(a, a), a.allclose(b))
        print(torch.equal(a, a), a.equal(b))
        """,
    ),
    _case(
        "grad-mode-queries-and-constants",
        """
        import torch
        a = torch.ones(2)
        print(torch.is_grad_enabled(), torch.is_tensor(a), torch.is_tensor(3))
        with torch.no_grad():
            print(torch.is_grad_enabled())
        i = torch.tensor([1, 2], dtype=torch.int32)
        print(i, i.dtype, torch.pi, torch.e, torch.inf, torch.nan, torch.tensor([torch.inf]))
        """,
    ),
    _case(
        "contiguous-expand-as-repeat",
        """
        import torch
        m = torch.arange(6.0, requires_grad=True).reshape(2, 3)
        c = m.t().contiguous()
        e = torch.ones(3).expand_as(m)
        r = m.repeat(2, 1)
        (c.sum() + (e * m).sum() + r.sum()).backward()
        print(c, e, r)
        """,
    ),
    _case(
        "module-attributes-and-modes",
        """
        import torch
        import torch.nn as nn
        layer = nn.Linear(3, 2)
        print(layer.in_features, layer.out_features, layer.training)
        layer.eval()
        print(layer.training)
        layer.train()
        print(layer.training)
        opt = torch.optim.SGD(layer.parameters(), lr=0.1, momentum=0.5)
        print(opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"], len(opt.param_groups))
        """,
    ),
    _case(
        "view-from-no-grad-then-inplace",
        """
        import torch
        t0 = torch.zeros(3, requires_grad=True)
        with torch.no_grad():
            v0 = t0.t()
        with torch.no_grad():
            t0.add_(1)
        print(v0)
        """,
    ),
    _case(
        "error-hook-changes-dtype",
        """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.register_hook(lambda g: g.double())
        y.sum().backward()
        """,
        "RuntimeError",
    ),
    _case(
        "error-named-hook-changes-size",
        """
        import torch
        def widen(g):
            return torch.ones(3)
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        y.register_hook(widen)
        y.sum().backward()
        """,
        "RuntimeError",
    ),
    _case(
        "grad-fn-variable-and-hook-handle",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 3
        leaf_node = y.grad_fn.next_functions[0][0]
        print(leaf_node.name(), leaf_node.variable is x, leaf_node.variable)
        handle = y.register_hook(lambda g: g * 100)
        handle.remove()
        y.sum().backward()
        print(x.grad)
        """,
    ),
]

# The torch surface of course programs (issue 21): tests/differential/course_torch_programs.py.
COURSE_TORCH_CASES = [
    _case(case_id, source, error) for case_id, source, error in course_torch_programs.PROGRAMS
]

# User-defined classes (issue 15): tests/differential/class_programs.py.
CLASS_CASES = [_case(case_id, source, error) for case_id, source, error in class_programs.PROGRAMS]

CASES: list[Case] = (
    SEED_CASES
    + TORCH_CASES
    + PYTHON_CASES
    + FAILING_CASES
    + SEMANTICS_CASES
    + MODULE_CASES
    + AUTOGRAD_CORNER_CASES
    + ARGUMENT_FORM_CASES
    + ERROR_POSITION_CASES
    + TABLE_COVERAGE_CASES
    + TYPE_NAME_CASES
    + COURSE_TORCH_CASES
)
CASES += LANGUAGE_CASES
CASES += CLASS_CASES
