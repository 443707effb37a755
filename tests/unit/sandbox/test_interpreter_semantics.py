"""Python semantics of the interpreter, compared with real CPython running the same program.

The oracle is `tests/differential/oracle.run_reference` (plain `exec` in this process): stdout,
error type, message, line and column must all agree.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.differential.oracle import run_reference
from tests.unit.sandbox.interpreter_driver import run

PROGRAMS: dict[str, str] = {
    "arithmetic": """
        print(1 + 2 * 3, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 2 ** -1, 7 / 2)
        print(1.5 * 2, 0.1 + 0.2, 1e300 * 10, 3 << 4, 1000 >> 3, 6 & 3, 6 | 3, 6 ^ 3, ~5)
        print(-3, +3, not 0, abs(-2.5), round(2.675, 2), round(7.5), round(8.5))
    """,
    "comparisons-and-booleans": """
        print(1 < 2 < 3, 1 < 3 < 2, 1 == 1.0, 'a' < 'b', [1, 2] < [1, 3], (1,) == (1,))
        print(0 or 'x', 1 and 0, None or [], 3 and 4, not [], 1 if 0 else 2)
        x = None
        print(x is None, x is not None, 2 in [1, 2], 'b' not in 'abc', 3 in range(5))
    """,
    "assignment-forms": """
        a, b = 1, 2
        a, b = b, a
        (c, d), e = [3, 4], 5
        f = g = [0]
        f += [1]
        print(a, b, c, d, e, f, g)
        xs = [1, 2, 3]
        xs[0] = 10
        xs[1:] = [20]
        m = {'k': 1}
        m['k'] += 5
        m['n'] = 2
        print(xs, m)
        n = 5
        n -= 2
        n *= 3
        n **= 2
        n //= 4
        n %= 7
        print(n)
    """,
    "control-flow": """
        total = 0
        for i in range(10):
            if i == 2:
                continue
            if i == 7:
                break
            total += i
        else:
            print('not reached')
        print(total)
        k = 0
        while k < 3:
            k += 1
        else:
            print('while else', k)
        for i in []:
            pass
        else:
            print('for else')
        if k > 5:
            print('big')
        elif k > 2:
            print('medium')
        else:
            print('small')
    """,
    "functions": """
        def add(a, b=10):
            return a + b
        def nothing():
            pass
        print(add(1), add(1, 2), add(b=3, a=4), nothing())
        def outer(x):
            def inner(y):
                return x * y
            return inner
        triple = outer(3)
        print(triple(5), outer(2)(4))
        def fact(n):
            if n <= 1:
                return 1
            return n * fact(n - 1)
        print(fact(20))
        square = lambda v: v * v
        print(square(7), (lambda: 'called')(), sorted_pair(3, 1) if False else 'skip')
        adders = [lambda v, k=k: v + k for k in range(3)]
        late = [lambda v: v + k for k in range(3)]
        print([f(10) for f in adders], [f(10) for f in late])
    """,
    "comprehensions": """
        print([x * x for x in range(6) if x % 2 == 0])
        print([(i, j) for i in range(3) for j in range(i)])
        print([[c for c in row] for row in ['ab', 'cd']])
        x = 'outer'
        ys = [x for x in range(3)]
        print(x, ys)
        def scale(items, factor):
            return [factor * item for item in items]
        print(scale([1, 2], 3))
    """,
    "fstrings": """
        pi = 3.14159265
        name = 'grad'
        print(f'{pi:.2f} {pi:10.3f}| {name!r} {name:>8}|{42:05d} {0.000123:.2e} {1234567:,}')
        width = 7
        print(f'{name:>{width}}|{pi=:.1f}|{[1, "a"]}|{None}|{True:d}')
    """,
    "print-and-containers": """
        print('a', 'b', sep='-', end='!\\n')
        print()
        print(1, 2, sep='')
        print([1, 'two', 3.0, None, True], (1,), (), {'a': [1, (2, 3)]}, [[]])
        print(repr('it\\'s'), str([1.5]), repr((1, 'x')))
        loop = [1]
        loop.append(loop)
        print(loop)
        print(list(range(3)), tuple('ab'), dict(a=1, b=2), dict([(1, 2)]))
        print(range(2, 5), range(3))
    """,
    "builtins": """
        print(len('abc'), len([1, 2]), len({'a': 1}), min(3, 1, 2), max([4, 9, 2]))
        print(min(['bb', 'a', 'ccc'], key=len), max('abc', 'b', key=len), max([], default=0))
        print(sum([1, 2, 3]), sum([[1], [2]], []), sum(range(5), 10), sum([0.1] * 3))
        print(int('42'), int(3.9), int(-3.9), float('1.5'), float(2), bool(0), bool([1]))
        print(str(12), isinstance(1, int), isinstance(True, (str, int)), isinstance('a', float))
        print(list(enumerate('ab', 1)), list(zip([1, 2, 3], 'ab')), list(reversed([1, 2])))
        print(any([0, 0, 1]), all([1, 0]), all([]), abs(-7), round(3.14159, 3))
        for i, (a, b) in enumerate(zip('xy', [1, 2])):
            print(i, a, b)
        d = {'x': 1, 'y': 2}
        for key in d:
            print(key, d[key])
        print(list(d.keys()), list(d.values()), list(d.items()), d.get('z', 0))
        print(d.keys(), d.items())
    """,
    "methods-of-plain-values": """
        losses = []
        for i in range(3):
            losses.append(i * 0.5)
        losses.extend([9])
        losses.insert(0, -1)
        print(losses, losses.pop(), losses.index(0.5), losses.count(-1))
        words = ' Auto Grad '.strip().lower().split()
        print(words, '-'.join(words), 'abc'.upper().replace('B', 'x'), 'ab'.startswith('a'))
    """,
    "iterators": """
        pairs = zip('abc', range(3))
        print(('b', 1) in pairs, ('a', 0) in pairs, list(pairs))
        xs = [0]
        xs += zip([1], [2])
        xs += range(2)
        xs += 'ab'
        d = {}
        d.update(enumerate('xy'))
        print(xs, d, 2 in d.keys(), 'y' in d.values())
    """,
    "augmented-error-message": "a = 1\na += 'x'\n",
    "augmented-list-error": "xs = [1]\nxs += 5\n",
    "function-type-names": "f = lambda: 1\nprint(len(f))\n",
    "function-operand-names": "def g():\n    pass\nx = g + 1\n",
    "function-concatenation-names": "f = lambda: 1\nx = 'ab' + f\n",
    "method-type-names": "xs = []\nprint(len(xs.append))\n",
    "name-error": "x = 1\nprint(y)\n",
    "unbound-local": "x = 1\ndef f():\n    print(x)\n    x = 2\nf()\n",
    "zero-division": "a = 1\nb = 0\nprint(a / b)\n",
    "float-zero-division": "print(1.0 % 0.0)\n",
    "unsupported-operand": "x = 1 + 'a'\n",
    "unsupported-operand-multiline": "x = [1,\n     2 - 'b']\n",
    "index-error": "xs = [1, 2]\nprint(xs[5])\n",
    "key-error": "d = {'a': 1}\nprint(d['b'])\n",
    "too-many-values": "a, b = [1, 2, 3]\n",
    "not-enough-values": "a, b, c = (1, 2)\n",
    "non-iterable-unpack": "a, b = 5\n",
    "non-iterable-for": "for x in 5:\n    pass\n",
    "not-callable": "x = 3\nx(1)\n",
    "missing-argument": "def f(a, b, c):\n    return a\nf(1)\n",
    "missing-arguments": "def f(a, b, c):\n    return a\nf()\n",
    "too-many-arguments": "def f(a, b=1):\n    return a\nf(1, 2, 3)\n",
    "too-many-arguments-nested": (
        "def outer():\n    def inner():\n        pass\n    inner(1)\nouter()\n"
    ),
    "unexpected-keyword": "def f(a):\n    return a\nf(1, z=2)\n",
    "multiple-values": "def f(a):\n    return a\nf(1, a=2)\n",
    "lambda-arguments": "f = lambda: 1\nf(2)\n",
    "error-inside-function": "def f(v):\n    return v + 'x'\ny = f(1)\n",
    "attribute-of-plain-value": "xs = [1]\nxs.foo\n",
    "assert-message": "x = 1\nassert x == 2, f'x is {x}'\n",
    "assert-bare": "assert []\n",
    "max-empty": "print(max([]))\n",
    "int-parse": "int('x1')\n",
    "bad-format-spec": "print(f'{1:xyz}')\n",
    "format-on-list": "print(f'{[1]:>5}')\n",
    "string-repeat-type": "x = 'a' * 'b'\n",
    "comparison-type": "print(1 < 'a')\n",
    "chained-comparison-type": "x = 1 < 2 < 'a'\n",
    "print-sep-type": "print(1, sep=2)\n",
    "not-subscriptable": "x = 5\nx[0]\n",
    "tensor-list-print": """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).sum()
        print([x, x * 2], (x,), {'y': y})
        print(y.grad_fn.next_functions)
        print(f'{y.item():.3f}', f'{y}', str(x), repr(x))
    """,
    "tensor-truth-error": "import torch\nv = torch.ones(2)\nif v:\n    pass\n",
    "tensor-truth-compare-error": "import torch\nv = torch.ones(2)\nwhile v > 0:\n    pass\n",
    "tensor-unpack": """
        import torch
        a, b = torch.tensor([1.0, 2.0])
        print(a, b)
        rows = [r.sum() for r in torch.ones(2, 3)]
        print(rows, sum(torch.ones(3)), max(torch.tensor([1.0, 5.0])), abs(torch.tensor(-2.0)))
        print(len(torch.ones(4, 2)), float(torch.tensor(2.5)), int(torch.tensor(3)))
        print(isinstance(a, torch.Tensor), round(torch.tensor(1.26), 1))
    """,
    "tensor-unpack-0d": "import torch\na, b = torch.tensor(1.0)\n",
    # `obj.name(...)` with a tensor method's name: compiled to a direct call on tensors, the
    # generic attribute-then-call path on anything else.
    "method-calls-on-tensors-and-others": """
        import torch
        from torch import nn
        x = torch.tensor([3.0, 4.0], requires_grad=True)
        print(x.norm(), x.sum(dim=0), x.max(dim=0), x.pow(2).mean().item(), x.view(2, 1).t())
        w = nn.Linear(2, 1).weight
        print(w.sum().shape, torch.sum(x), [3, 1, 2].index(1), 'a-b'.split('-'))
        print(x.add(print('argument first') or 1), x.clamp(min=3.5))
    """,
    "method-call-error-position": "import torch\nx = torch.ones(3)\ny = (x + x).view(2, 2)\n",
    "method-call-on-non-tensor-error": "import torch\ny = 2\nprint(y.sum())\n",
    "grad-mode-restored-after-error": """
        import torch
        with torch.no_grad():
            print(torch.is_grad_enabled())
        print(torch.is_grad_enabled())
        with torch.set_grad_enabled(False):
            y = 1 + 'a'
    """,
}


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_interpreter_matches_cpython(name: str) -> None:
    source = textwrap.dedent(PROGRAMS[name]).lstrip("\n")
    reference = run_reference(source)
    outcome = run(source)
    assert outcome.stdout == reference.stdout
    if reference.error is None:
        assert outcome.ok, outcome.error
        return
    assert outcome.error is not None, "the sandbox ran a program CPython fails"
    expected = reference.error
    found = outcome.error
    assert (found.type, found.message) == (expected["type"], expected["message"])
    assert found.line == expected["line"]
    if expected["col"] is not None:  # None before CPython 3.11 (no columns): see oracle.py
        assert found.col == expected["col"]


def test_printing_a_lone_surrogate_fails_like_a_utf8_stdout() -> None:
    # The oracle prints into a StringIO, which accepts anything; a real UTF-8 stdout refuses.
    with pytest.raises(UnicodeEncodeError) as expected:
        "\ud800\n".encode("utf-8")
    outcome = run("s = '\\ud800'\nprint(len(s))\nprint(s)\n")
    assert outcome.stdout == "1\n"
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.message, outcome.error.line) == (
        "UnicodeEncodeError",
        str(expected.value),
        3,
    )
