# ruff: noqa: E501  (the programs are literals; splitting them would hide what they do)
"""Differential programs for the language of issue 21 ("Real course programs, part 2"):
exceptions, `math` and `random`, from-imports, string formatting, the builtins course programs
use, generator expressions, and what Korean teaching material needs (Korean strings,
identifiers, `.format`, `_private` names, `if __name__ == "__main__":`, character columns).

Written for this project in the style of the public tutorials; no third-party code.
"""

from __future__ import annotations

import sys

from tests.differential.case import Case, _case

EXCEPTION_CASES = [
    _case(
        "try-except-second-backward",
        """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        try:
            y.backward()
        except RuntimeError as e:
            print("second backward failed:", str(e)[:60])
            print(type(e))
        print(x.grad)
        """,
    ),
    _case(
        "try-except-else-finally-order",
        """
        def divide(a, b):
            try:
                result = a / b
            except ZeroDivisionError:
                print("cannot divide", a, "by zero")
                return None
            else:
                print("ok", result)
                return result
            finally:
                print("done with", a, b)

        print(divide(6, 3))
        print(divide(1, 0))
        """,
    ),
    _case(
        "except-tuple-and-order",
        """
        values = [1, "two", None, [3]]
        for v in values:
            try:
                print(v + 1)
            except (TypeError, ValueError) as err:
                print("bad value:", err)
        try:
            [1, 2, 3][10]
        except KeyError:
            print("not this one")
        except LookupError as err:
            print("lookup:", err, type(err))
        """,
    ),
    _case(
        "exception-args-str-repr",
        """
        e = ValueError("learning rate must be positive", 0.0)
        print(e.args, len(e.args))
        print(str(e))
        print(repr(e))
        k = KeyError("weight")
        print(str(k), repr(k), k.args[0])
        empty = RuntimeError()
        print(repr(empty), "[" + str(empty) + "]", empty.args)
        print(isinstance(e, Exception), isinstance(k, LookupError), isinstance(e, ArithmeticError))
        """,
    ),
    _case(
        "raise-and-catch-custom-message",
        """
        import torch
        def check_shape(t, expected):
            if t.shape != expected:
                raise ValueError(f"expected shape {expected}, got {tuple(t.shape)}")
            return t

        try:
            check_shape(torch.ones(2, 3), (3, 2))
        except ValueError as e:
            print("caught:", e)
        print(check_shape(torch.zeros(2), (2,)))
        """,
    ),
    _case(
        "raise-class-without-call",
        """
        try:
            raise NotImplementedError
        except NotImplementedError as e:
            print(repr(e), e.args, str(e) == "")
        try:
            raise StopIteration
        except Exception as e:
            print(type(e))
        """,
    ),
    _case(
        "bare-except-and-bare-raise-inside",
        """
        count = 0
        for value in [4, 0, 2]:
            try:
                print(8 // value)
            except:
                count += 1
                print("failed", count)
        """,
    ),
    _case(
        "nested-try-reraise-handled-outside",
        """
        def load(step):
            try:
                if step == 2:
                    raise RuntimeError("step 2 broke")
                return step * 10
            except RuntimeError:
                print("logging the failure")
                raise

        for step in range(4):
            try:
                print(load(step))
            except RuntimeError as e:
                print("outer caught:", e)
        """,
    ),
    _case(
        "raise-from-and-catch",
        """
        def parse(text):
            try:
                return int(text)
            except ValueError as e:
                raise RuntimeError("not a number: " + text) from e

        try:
            parse("3x")
        except RuntimeError as err:
            print(err)
        print(parse("42"))
        """,
    ),
    _case(
        "finally-runs-on-break-and-continue",
        """
        for i in range(5):
            try:
                if i == 1:
                    continue
                if i == 3:
                    break
                print("body", i)
            finally:
                print("finally", i)
        print("after loop")
        """,
    ),
    _case(
        "return-in-finally-swallows",
        """
        def risky():
            try:
                return 1 / 0
            finally:
                return "finally wins"

        print(risky())
        """,
    ),
    _case(
        "assert-with-message-caught",
        """
        import torch
        w = torch.tensor([0.5, -1.0])
        try:
            assert (w > 0).sum() == 2, "all weights must be positive"
        except AssertionError as e:
            print("assertion:", e)
        assert w.numel() == 2, "two weights"
        print("checked")
        """,
    ),
    _case(
        "torch-errors-real-types",
        """
        import torch
        a = torch.ones(2, 3)
        b = torch.ones(4, 5)
        try:
            a @ b
        except RuntimeError as e:
            print(type(e), e)
        try:
            torch.ones(2).view(3)
        except RuntimeError as e:
            print("view:", e)
        try:
            a[5]
        except IndexError as e:
            print(type(e), e)
        try:
            torch.ones(2, 2).item()
        except RuntimeError as e:
            print("item:", e)
        print("still running")
        """,
    ),
    _case(
        "leaf-inplace-error-then-no-grad",
        """
        import torch
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        try:
            w += 1
        except RuntimeError as e:
            print("in-place on a leaf:", str(e).split(" is ")[0])
            with torch.no_grad():
                w += 1
        print(w)
        """,
    ),
    _case(
        "hook-error-caught-around-backward",
        """
        import torch
        def strict_hook(grad):
            if grad.abs().max() > 1:
                raise ValueError(f"gradient too large: {grad.abs().max().item():.1f}")
            return grad
        x = torch.tensor([1.0, 3.0], requires_grad=True)
        y = x * 2
        y.register_hook(strict_hook)
        try:
            y.sum().backward()
        except ValueError as e:
            print("hook refused:", e)
        print(x.grad)
        """,
    ),
    _case(
        "bare-raise-in-finally-reraises",
        """
        def f():
            try:
                return [][0]
            finally:
                print("in finally")
        try:
            f()
        except IndexError as e:
            print("got", e)
        """,
    ),
    _case(
        "error-hook-raises-uncaught",
        """
        import torch
        def bad_hook(grad):
            raise RuntimeError("this hook always fails")
        w = torch.ones(2, requires_grad=True)
        (w * w).register_hook(bad_hook)
        z = (w * 3).sum()
        z.backward()
        print(w.grad)
        q = w * w
        q.register_hook(bad_hook)
        q.sum().backward()
        """,
        "RuntimeError",
    ),
    _case(
        "except-exception-catches-many",
        """
        tests = [lambda: 1 / 0, lambda: [][0], lambda: {}["k"], lambda: int("x"), lambda: undefined_name]
        for t in tests:
            try:
                t()
            except Exception as e:
                print(type(e), e)
        """,
    ),
    _case(
        "every-builtin-exception-class",
        """
        import math
        attempts = [
            ("overflow", lambda: math.exp(1000), OverflowError),
            ("arithmetic", lambda: 1 % 0, ArithmeticError),
            ("domain", lambda: math.sqrt(-1), ValueError),
            ("attribute", lambda: [].shape, AttributeError),
            ("name", lambda: not_defined_anywhere, NameError),
            ("index", lambda: (1, 2)[2], IndexError),
            ("key", lambda: {"a": 1}["b"], LookupError),
            ("type", lambda: len(5), TypeError),
            ("stop", lambda: next(iter([])), StopIteration),
        ]
        for label, attempt, expected in attempts:
            try:
                attempt()
                print(label, "did not fail")
            except expected as e:
                print(label, type(e), repr(e))
        for kind in [NotImplementedError, AssertionError, RuntimeError, ZeroDivisionError]:
            try:
                raise kind("from " + "a loop")
            except Exception as e:
                print(type(e) is kind, e, isinstance(e, BaseException))
        """,
    ),
    _case(
        "raise-from-none-and-chained-handlers",
        """
        def find(table, key):
            try:
                return table[key]
            except KeyError:
                raise LookupError(f"no entry {key!r}") from None

        table = {"lr": 0.1}
        for key in ["lr", "momentum"]:
            try:
                print(key, find(table, key))
            except LookupError as e:
                print("missing:", e)
            else:
                print("found", key)
            finally:
                print("checked", key)
        """,
    ),
    _case(
        "unmatched-handler-propagates",
        """
        try:
            try:
                {}["missing"]
            except IndexError:
                print("wrong handler")
        except KeyError as e:
            print("outer", repr(e))
        """,
    ),
    _case(
        "exception-name-deleted-after-handler",
        """
        try:
            1 / 0
        except ZeroDivisionError as e:
            message = str(e)
        print(message)
        print(e)
        """,
        "NameError",
    ),
    _case(
        "error-reraise-keeps-original-line",
        """
        import torch
        x = torch.ones(3, requires_grad=True)
        try:
            y = x.view(2, 2)
        except RuntimeError:
            print("reshaping failed, giving up")
            raise
        """,
        "RuntimeError",
    ),
    _case(
        "error-reraise-from-function-keeps-inner-line",
        """
        def inner(values):
            return values[3]

        def outer():
            try:
                return inner([1, 2])
            except IndexError:
                print("inner failed")
                raise

        outer()
        """,
        "IndexError",
    ),
    _case(
        "error-raise-caught-object-again",
        """
        saved = None
        try:
            int("seven")
        except ValueError as e:
            saved = e
        print("saved:", saved)
        raise saved
        """,
        "ValueError",
    ),
    _case(
        "error-raise-new-in-handler",
        """
        try:
            [1, 2][5]
        except IndexError as e:
            raise RuntimeError(f"lookup failed: {e}") from e
        """,
        "RuntimeError",
    ),
    _case(
        "error-raise-non-exception",
        """
        raise "this is not an exception"
        """,
        "TypeError",
    ),
    _case(
        "error-bare-raise-without-exception",
        """
        print("before")
        raise
        """,
        "RuntimeError",
    ),
    _case(
        "error-except-non-class",
        """
        try:
            1 / 0
        except 3:
            pass
        """,
        "TypeError",
    ),
    _case(
        "error-finally-then-propagates",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        try:
            (x * 2).backward()
        finally:
            print("cleanup runs first")
        """,
        "RuntimeError",
    ),
    _case(
        "error-assert-message-line",
        """
        losses = [0.9, 0.5, 0.7]
        for i in range(1, len(losses)):
            assert losses[i] < losses[i - 1], f"loss went up at step {i}: {losses[i]}"
        """,
        "AssertionError",
    ),
    _case(
        "error-raise-value-error-custom",
        """
        def set_lr(lr):
            if lr <= 0:
                raise ValueError("Invalid learning rate: {}".format(lr))
            return lr

        print(set_lr(0.1))
        set_lr(-1)
        """,
        "ValueError",
    ),
    _case(
        "error-handler-itself-fails",
        """
        try:
            1 / 0
        except ZeroDivisionError:
            print("handling")
            [][1]
        """,
        "IndexError",
    ),
]

IMPORT_CASES = [
    _case(
        "math-constants-and-functions",
        """
        import math
        print(math.pi, math.e, math.tau, math.inf, -math.inf)
        print(math.sqrt(2), math.exp(1), math.log(100, 10), math.log2(8), math.log10(1000))
        print(math.sin(math.pi / 2), math.cos(0), math.tan(0), math.atan2(1, 1))
        print(math.floor(2.7), math.ceil(2.1), math.trunc(-2.5), math.fabs(-3))
        print(math.factorial(10), math.comb(10, 3), math.perm(5, 2), math.gcd(12, 18), math.lcm(4, 6))
        print(math.isclose(0.1 + 0.2, 0.3), math.isnan(math.nan), math.isinf(math.inf))
        print(math.prod([1, 2, 3, 4]), math.fsum([0.1] * 10), math.hypot(3, 4), math.dist((0, 0), (3, 4)))
        print(math.degrees(math.pi), math.radians(180), math.pow(2, 10), math.fmod(7, 3))
        """,
    ),
    _case(
        "math-every-other-function",
        """
        import math
        print(math.acos(0.5), math.asin(0.5), math.atan(1), math.acosh(2), math.asinh(1), math.atanh(0.5))
        print(math.cosh(1), math.sinh(1), math.tanh(1), math.expm1(1e-5))
        print(math.erf(1), math.erfc(1), math.gamma(5), math.lgamma(5), math.log1p(1e-5))
        print(math.copysign(3, -0.0), math.frexp(8.0), math.ldexp(0.5, 4), math.modf(2.5))
        print(math.isfinite(1.0), math.isqrt(17), math.nextafter(1.0, 2.0), math.remainder(7, 4), math.ulp(1.0))
        """,
    ),
    _case(
        "math-with-tensors-polynomial-fit",
        """
        import math
        import torch
        x = torch.linspace(-math.pi, math.pi, 200)
        y = torch.sin(x)
        a = torch.zeros((), requires_grad=True)
        b = torch.zeros((), requires_grad=True)
        c = torch.zeros((), requires_grad=True)
        d = torch.zeros((), requires_grad=True)
        lr = 1e-6
        for t in range(200):
            y_pred = a + b * x + c * x ** 2 + d * x ** 3
            loss = (y_pred - y).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                for p in (a, b, c, d):
                    p -= lr * p.grad
                    p.grad = None
        print(f"loss {loss.item():.4f}")
        print(f"y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
        print(math.sqrt(loss.item()) > 0, math.exp(torch.tensor(0.0)))
        """,
    ),
    _case(
        "from-math-import-names",
        """
        from math import pi, exp, sqrt as root
        import torch
        r = torch.tensor(2.0, requires_grad=True)
        area = pi * r ** 2
        area.backward()
        print(area, r.grad, exp(0), root(16))
        """,
    ),
    _case(
        "random-seeded-by-request",
        """
        import random
        print(random.random(), random.randint(1, 6), random.uniform(-1, 1))
        print(random.choice(["a", "b", "c"]), random.gauss(0, 1), random.randrange(0, 100, 5))
        """,
        seed=3,
    ),
    _case(
        "random-seed-shuffle-sample",
        """
        import random
        random.seed(42)
        data = list(range(10))
        random.shuffle(data)
        print(data)
        print(random.sample(range(100), 5), random.sample(data, 3))
        print(random.choices(["x", "y"], weights=[1, 3], k=6))
        print(random.normalvariate(1, 2), random.expovariate(1.5), random.triangular(0, 1))
        print(random.betavariate(2, 3), random.getrandbits(20))
        random.seed(42)
        again = list(range(10))
        random.shuffle(again)
        print(again == data)
        """,
    ),
    _case(
        "from-imports-of-torch",
        """
        from torch import nn, optim, Tensor
        from torch.autograd import grad
        from torch.autograd.functional import jacobian, hessian
        import torch.optim as optim2
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        (g,) = grad((x ** 3).sum(), x)
        print(g, isinstance(g, Tensor), optim is optim2)
        print(jacobian(lambda t: t ** 2, x))
        print(hessian(lambda t: (t ** 3).sum(), x))
        model = nn.Linear(2, 1)
        opt = optim.SGD(model.parameters(), lr=0.1)
        print(type(model), type(opt))
        """,
    ),
    _case(
        "import-autograd-functional-module",
        """
        import torch
        import torch.autograd.functional as AF
        from torch.autograd import functional
        x = torch.ones(2, requires_grad=True)
        print(AF.jacobian(lambda t: 3 * t, x))
        print(functional.vjp(lambda t: t * t, x, torch.ones(2)))
        """,
    ),
]

IMPORT_CASES.append(
    _case(
        "from-autograd-function-import",
        """
        import torch
        from torch.autograd.function import once_differentiable
        import torch.autograd.function as autograd_function
        print(once_differentiable is torch.autograd.function.once_differentiable)
        print(once_differentiable is autograd_function.once_differentiable, once_differentiable)
        """,
    )
)

if sys.version_info >= (3, 11):
    # New in Python 3.11: on 3.10 CPython has no such functions, and neither has the playground.
    IMPORT_CASES.append(
        _case(
            "math-new-in-3-11",
            """
            import math
            print(math.cbrt(27), math.exp2(3), math.cbrt(-8.0), math.exp2(0.5))
            """,
        )
    )

FORMAT_CASES = [
    _case(
        "str-format-positional-numbered-keyword",
        """
        print("{} + {} = {}".format(1, 2, 3))
        print("{0} {1} {0}".format("a", "b"))
        print("{name} is {age} years old".format(name="Ada", age=36))
        print("{:>8}|{:<8}|{:^8}|".format("r", "l", "c"))
        print("{:08.3f} {:+d} {:,} {:.2%} {:e} {:x} {:b} {:o}".format(3.14159, 5, 1234567, 0.256, 12345.678, 255, 5, 8))
        print("{{literal}} {}".format("ok"))
        print("{0!r} {0!s} {1!a}".format("x", "é"))
        print("{:{width}.{prec}f}".format(2.718281, width=10, prec=2))
        print("{:*^11}".format("mid"))
        """,
    ),
    _case(
        "str-format-map-and-tensors",
        """
        import torch
        stats = {"epoch": 3, "loss": 0.123456}
        print("epoch {epoch}: loss {loss:.4f}".format_map(stats))
        loss = torch.tensor(0.5)
        w = torch.tensor([1.0, 2.0])
        print("loss: {:.4f}".format(loss.item()), "loss: {}".format(loss))
        print("w = {}".format(w))
        print("loss={:.3f}".format(loss))
        print("{} {}".format([1, 2], (3,)))
        """,
    ),
    _case(
        "percent-formatting",
        """
        import torch
        print("%d/%d" % (3, 10))
        print("%.3f" % 3.14159)
        print("%5s|%-5s|" % ("ab", "cd"))
        print("%(name)s has %(n)d items" % {"name": "cart", "n": 4})
        print("%x %o %e %g %%" % (255, 8, 1234.5, 0.0001))
        print("%r %a" % ("q", "ü"))
        print("%.4f" % torch.tensor(2.5))
        print("%d" % torch.tensor(7))
        print("%s" % [1, 2], "%s" % torch.ones(2))
        print("%*d|%.*f" % (5, 42, 2, 1.23456))
        """,
    ),
    _case(
        "training-log-with-format",
        """
        import torch
        torch.manual_seed(0)
        x = torch.randn(8, 3)
        y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
        model = torch.nn.Linear(3, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for epoch in range(30):
            pred = model(x)
            loss = torch.nn.functional.mse_loss(pred, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if epoch % 10 == 0:
                print("Epoch {:4d}/{} Cost: {:.6f}".format(epoch, 30, loss.item()))
                print("epoch %3d loss %.5f" % (epoch, loss.item()))
        """,
    ),
    _case(
        "error-format-index-out-of-range",
        """
        print("{} {}".format(1))
        """,
        "IndexError",
    ),
    _case(
        "error-format-missing-key",
        """
        print("{loss:.2f}".format(los=0.5))
        """,
        "KeyError",
    ),
    _case(
        "error-format-switch-numbering",
        """
        print("{0} {}".format(1, 2))
        """,
        "ValueError",
    ),
    _case(
        "error-format-bad-spec",
        """
        print("{:d}".format(2.5))
        """,
        "ValueError",
    ),
    _case(
        "error-percent-not-enough-arguments",
        """
        print("%d + %d" % (1,))
        """,
        "TypeError",
    ),
    _case(
        "error-percent-not-all-converted",
        """
        print("%d" % (1, 2))
        """,
        "TypeError",
    ),
    _case(
        "error-percent-bad-type",
        """
        print("%d" % "three")
        """,
        "TypeError",
    ),
    _case(
        "error-percent-unsupported-character",
        """
        print("100%y" % (1,))
        """,
        "ValueError",
    ),
    _case(
        "format-errors-caught",
        """
        for template in ["{", "}", "{0!x}", "{:q}"]:
            try:
                print(template.format(1))
            except ValueError as e:
                print("ValueError:", e)
        try:
            print("%(k)s" % (1,))
        except TypeError as e:
            print("TypeError:", e)
        """,
    ),
]

BUILTIN_CASES = [
    _case(
        "dict-and-set-comprehensions",
        """
        import torch
        import torch.nn as nn
        model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
        shapes = {name: list(p.shape) for name, p in model.named_parameters()}
        print(shapes)
        counts = {kind: 0 for kind in ("weight", "bias")}
        for name in shapes:
            counts[name.split(".")[-1]] += 1
        print(counts)
        x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
        loss = model(x).sum()
        loss.backward()
        norms = {n: round(p.grad.norm().item(), 4) for n, p in model.named_parameters() if p.grad is not None}
        print(sorted(norms))
        grid = {(i, j): i * j for i in range(3) for j in range(i)}
        print(grid)
        vowels = {c for c in "autograd" if c in "aeiou"}
        print(sorted(vowels), len({n % 3 for n in range(10)}))
        i = "outer"
        squares = {i: i ** 2 for i in range(4)}
        print(i, squares, {v: k for k, v in squares.items()})
        """,
    ),
    _case(
        "dict-comprehension-in-a-method-and-a-function",
        """
        import torch
        class Tracker:
            def __init__(self, names):
                self.values = {name: [] for name in names}
            def add(self, **scores):
                for key, value in scores.items():
                    self.values[key].append(value)
            def means(self):
                return {k: sum(v) / len(v) for k, v in self.values.items() if v}
        t = Tracker(["loss", "acc"])
        for step in range(3):
            t.add(loss=1.0 / (step + 1), acc=0.5 + step * 0.1)
        print(t.means())
        def invert(d):
            return {value: key for key, value in d.items()}
        print(invert({"a": 1, "b": 2}))
        scale = 3
        print({k: k * scale for k in range(3)})
        """,
    ),
    _case(
        "error-dict-comprehension-unhashable-key",
        """
        rows = [[1, 2], [3, 4]]
        lookup = {row: sum(row)
                  for row in rows}
        """,
        "TypeError",
    ),
    _case(
        "error-set-comprehension-unhashable",
        """
        items = [1, [2], 3]
        seen = {item for item in items}
        """,
        "TypeError",
    ),
    _case(
        "error-dict-comprehension-value-fails",
        """
        data = {"a": 1, "b": 0}
        ratios = {k: 10 / v for k, v in data.items()}
        """,
        "ZeroDivisionError",
    ),
    _case(
        "in-test-on-numbers-and-none-caught",
        """
        for container in (2, 2.5, None, True):
            try:
                print(1 in container)
            except TypeError as err:
                print("not a container:", err)
        print(1 in [1, 2], "a" in "cat", 3 in range(2), (1, 2) in {(1, 2): 0})
        """,
    ),
    _case(
        "error-in-test-on-an-int",
        """
        count = 3
        print(2 in count)
        """,
        "TypeError",
    ),
    _case(
        "type-of-values",
        """
        import torch
        import torch.nn as nn
        x = torch.ones(2)
        print(type(3), type(2.5), type("s"), type(None), type([]), type(()), type({}), type(True))
        print(type(x), type(x) == torch.Tensor, type(x) is torch.Tensor, type(3) is int)
        print(type(type(3)), type(print), type(lambda: 1), type(range(3)), type({1}))
        layer = nn.Linear(2, 2)
        print(type(layer), type(layer) == nn.Linear, isinstance(layer, type(layer)))
        print(type(x.shape), type(x.dtype), type(x.sum().grad_fn))
        y = x.requires_grad_() * 2
        print(type(y.grad_fn), isinstance(7, type(8)), type(3)(4.5), type(ValueError("x")))
        """,
    ),
    _case(
        "sets-and-frozensets",
        """
        seen = set()
        for word in ["a", "b", "a", "c", "b"]:
            seen.add(word)
        print(sorted(seen), len(seen), "a" in seen)
        evens = {0, 2, 4, 6}
        small = set(range(5))
        print(evens & small, evens | small, evens - small, evens ^ small)
        print(evens.union([8]), small.intersection(range(3)), evens.issubset(range(10)))
        f = frozenset([3, 1, 2])
        print(f, type(f), set(), frozenset(), {1, 2} == {2, 1})
        small.discard(0)
        small.remove(1)
        print(small, small.pop(), small)
        print(sorted({(1, 2), (0, 5)}))
        """,
    ),
    _case(
        "sorted-key-reverse-and-list-sort",
        """
        words = ["banana", "Apple", "cherry", "date"]
        print(sorted(words), sorted(words, key=len), sorted(words, key=lambda w: w.lower(), reverse=True))
        scores = {"kim": 82, "lee": 95, "park": 78}
        ranking = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
        print(ranking)
        nums = [5, 3, 8, 1]
        nums.sort()
        print(nums)
        nums.sort(reverse=True, key=lambda n: n % 4)
        print(nums, sorted([]), sorted("hello"))
        """,
    ),
    _case(
        "map-filter-reversed-zip",
        """
        squares = list(map(lambda v: v * v, range(6)))
        print(squares, list(filter(lambda v: v % 2, squares)), list(filter(None, [0, 1, "", "a"])))
        print(list(map(pow, [2, 3], [3, 2])), list(map(str, [1, 2])), list(reversed([1, 2, 3])))
        print(dict(zip("abc", map(len, ["x", "yy", "zzz"]))))
        m = map(abs, [-1])
        print(m is iter(m), next(m))
        """,
    ),
    _case(
        "any-all-callable-divmod-pow",
        """
        import torch
        print(any([0, 0, 1]), all([1, 2, 0]), any([]), all([]))
        print(callable(print), callable(len), callable(3), callable(lambda: 0), callable(torch.ones), callable(torch.ones(1)))
        print(divmod(17, 5), divmod(-7, 2), divmod(7.5, 2))
        print(pow(2, 10), pow(2, -1), pow(3, 4, 5), pow(torch.tensor(2.0), 3))
        """,
    ),
    _case(
        "iter-next-and-stopiteration",
        """
        it = iter([10, 20])
        print(next(it), next(it), next(it, "done"))
        try:
            next(it)
        except StopIteration:
            print("exhausted")
        rows = iter(range(3))
        for r in rows:
            print("row", r)
        """,
    ),
    _case(
        "next-of-parameters-and-iter",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        first = next(model.parameters())
        print(first.shape, first.requires_grad, type(model.parameters()))
        it = iter(model.parameters())
        print(next(it).shape, next(it).shape, next(it, None))
        rows = iter(torch.arange(6.0).reshape(3, 2))
        print(next(rows), callable(model), callable(nn.Linear))
        """,
    ),
    _case(
        "chr-ord-ascii-hex-bin-oct-hash",
        """
        print(chr(65), chr(44032), ord("A"), ord("가"), ord("€"))
        print(ascii("hello"), ascii("가나다"), ascii(["é", 1]), ascii(3.5))
        print(hex(255), bin(10), oct(8), hex(-42))
        print(hash(5), hash(-1), hash(2.5), hash(True), hash((1, 2, 3)), hash(()), hash((1, (2, 3))))
        print(hash("abc") == hash("abc"), hash(10 ** 30))
        """,
    ),
    _case(
        "generator-expressions",
        """
        import torch
        print(sum(i * i for i in range(10)))
        print(all(x > 0 for x in [1, 2, 3]), any(x < 0 for x in [1, 2, 3]))
        print(list(x * 2 for x in range(4) if x != 2), max(len(w) for w in ["a", "abc"]))
        params = [torch.ones(2, 2), torch.ones(3)]
        print(sum(p.numel() for p in params))
        print(tuple(a + b for a in "xy" for b in "12"), sorted(n % 3 for n in range(7)))
        g = (n for n in range(3))
        print(g)
        print(next(g), list(g), list(g))
        print(", ".join(str(v) for v in [1.5, 2.5]), set(c for c in "hello"))
        """,
    ),
    _case(
        "generator-is-lazy",
        """
        def noisy(v):
            print("computing", v)
            return v
        g = (noisy(v) for v in range(3))
        print("created")
        print(next(g))
        print(any(noisy(v) > 0 for v in range(5)))
        """,
    ),
    _case(
        "single-underscore-names-and-main",
        """
        import torch
        _scale = 2.0
        def _pad(t, n):
            return torch.cat([t, torch.zeros(n)])
        def _double(_x):
            return _x * _scale
        def main():
            x = _pad(torch.ones(2), 1)
            print(_double(x))
        if __name__ == "__main__":
            main()
        print(__name__)
        """,
    ),
    _case(
        "error-unhashable-set-member",
        """
        s = {1, [2]}
        """,
        "TypeError",
    ),
    _case(
        "error-sorted-key-raises",
        """
        items = [3, "a", 1]
        print(sorted(items, key=lambda v: v + 1))
        """,
        "TypeError",
    ),
    _case(
        "error-next-on-list",
        """
        next([1, 2])
        """,
        "TypeError",
    ),
    _case(
        "error-chr-out-of-range",
        """
        print(chr(65))
        print(chr(-1))
        """,
        "ValueError",
    ),
    _case(
        "error-generator-element-fails",
        """
        values = [1, 2, 0]
        print(sum(10 / v for v in values))
        """,
        "ZeroDivisionError",
    ),
]

KOREAN_CASES = [
    _case(
        "ko-format-first-autograd",
        """
        import torch
        w = torch.tensor(2.0, requires_grad=True)
        y = w ** 2
        z = 2 * y + 5
        z.backward()
        print('수식을 w로 미분한 값 : {}'.format(w.grad))
        """,
    ),
    _case(
        "ko-linear-regression-format",
        """
        import torch
        x_train = torch.tensor([[1.0], [2.0], [3.0]])
        y_train = torch.tensor([[2.0], [4.0], [6.0]])
        W = torch.zeros(1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([W, b], lr=0.01)
        nb_epochs = 300
        for epoch in range(nb_epochs + 1):
            hypothesis = x_train * W + b
            cost = torch.mean((hypothesis - y_train) ** 2)
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
            if epoch % 100 == 0:
                print('Epoch {:4d}/{} W: {:.3f}, b: {:.3f} Cost: {:.6f}'.format(
                    epoch, nb_epochs, W.item(), b.item(), cost.item()
                ))
        """,
    ),
    _case(
        "ko-identifiers-and-fstrings",
        """
        import torch
        가중치 = torch.tensor([0.5, -0.3], requires_grad=True)
        입력 = torch.tensor([1.0, 2.0])
        출력 = (가중치 * 입력).sum()
        출력.backward()
        print(f"출력: {출력.item():.2f}, 기울기: {가중치.grad}")
        학습률 = 0.1
        with torch.no_grad():
            가중치 -= 학습률 * 가중치.grad
        print(f"갱신된 가중치 = {가중치}")
        """,
    ),
    _case(
        "ko-exceptions-messages",
        """
        import torch
        def 나누기(a, b):
            try:
                return a / b
            except ZeroDivisionError as 오류:
                print("0으로 나눌 수 없습니다:", 오류)
                return None
        print(나누기(10, 2), 나누기(1, 0))
        try:
            raise ValueError("학습률은 양수여야 합니다")
        except ValueError as e:
            print("오류 메시지 = {}".format(e), repr(e))
        """,
    ),
    _case(
        "ko-percent-format-progress",
        """
        총_단계 = 5
        for 단계 in range(1, 총_단계 + 1):
            print("진행률 %d/%d (%.1f%%)" % (단계, 총_단계, 100 * 단계 / 총_단계))
        이름 = "모델"
        print("%s의 정확도: %.2f" % (이름, 0.9123))
        print("%(이름)s 학습 완료" % {"이름": 이름})
        """,
    ),
    _case(
        "ko-set-and-sorted-vocabulary",
        """
        문장 = "나는 파이토치를 배운다 나는 자동미분을 배운다"
        단어들 = 문장.split()
        어휘 = sorted(set(단어들))
        print(어휘, len(어휘))
        빈도 = {}
        for 단어 in 단어들:
            빈도[단어] = 빈도.get(단어, 0) + 1
        print(sorted(빈도.items(), key=lambda 쌍: (-쌍[1], 쌍[0])))
        단어_번호 = dict((w, i) for i, w in enumerate(어휘))
        print(단어_번호)
        """,
    ),
    _case(
        "ko-ord-ascii-unicode",
        """
        글자 = "한글"
        print([ord(c) for c in 글자], ascii(글자), chr(ord("가") + 1))
        print("{:>6}|{:<6}|".format("가나", "다"))
        print(len("가중치"), "가중치".upper(), "ＡＢＣ".lower())
        """,
    ),
    _case(
        "ko-main-guard-and-underscore",
        """
        import torch
        def _정규화(텐서):
            return (텐서 - 텐서.mean()) / 텐서.std()
        def 학습():
            데이터 = torch.tensor([1.0, 2.0, 3.0, 4.0])
            print("정규화: {}".format(_정규화(데이터)))
        if __name__ == "__main__":
            학습()
        """,
    ),
    _case(
        "ko-generator-sum-of-parameters",
        """
        import torch.nn as nn
        import torch
        torch.manual_seed(0)
        모델 = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
        총_파라미터 = sum(p.numel() for p in 모델.parameters())
        print("총 파라미터 수: {}개".format(총_파라미터))
        print(all(p.requires_grad for p in 모델.parameters()))
        """,
    ),
    _case(
        "ko-math-circle",
        """
        import math
        import torch
        반지름 = torch.tensor(3.0, requires_grad=True)
        넓이 = math.pi * 반지름 ** 2
        넓이.backward()
        print("넓이 = {:.4f}, d넓이/d반지름 = {:.4f}".format(넓이.item(), 반지름.grad.item()))
        print("2πr = {:.4f}".format(2 * math.pi * 3))
        """,
    ),
    _case(
        "ko-random-minibatch-indices",
        """
        import random
        random.seed(0)
        인덱스 = list(range(10))
        random.shuffle(인덱스)
        배치_크기 = 4
        for 시작 in range(0, len(인덱스), 배치_크기):
            print("배치 {}: {}".format(시작 // 배치_크기, 인덱스[시작:시작 + 배치_크기]))
        """,
    ),
    _case(
        "ko-error-column-in-characters",
        """
        import torch
        가중치 = torch.ones(2, 3)
        결과 = 가중치 @ torch.ones(2, 3)
        """,
        "RuntimeError",
    ),
    _case(
        "ko-error-name-column",
        """
        학습률 = 0.1
        print("학습률:", 학습율)
        """,
        "NameError",
    ),
    _case(
        "ko-error-reraise-with-korean-message",
        """
        def 검사(값):
            if 값 < 0:
                raise ValueError("음수는 허용되지 않습니다: {}".format(값))
            return 값
        try:
            검사(-3)
        except ValueError as 오류:
            print("잡았다:", 오류)
            raise
        """,
        "ValueError",
    ),
    _case(
        "ko-error-format-index-in-korean-line",
        """
        결과 = "정확도 {}, 손실 {}".format(0.9)
        """,
        "IndexError",
    ),
    _case(
        "ko-try-second-backward",
        """
        import torch
        입력 = torch.tensor([2.0], requires_grad=True)
        출력 = (입력 ** 3).sum()
        출력.backward()
        try:
            출력.backward()
        except RuntimeError as 오류:
            print("두 번째 backward 실패:", str(오류).split(".")[0])
        print("기울기:", 입력.grad)
        """,
    ),
]

LANGUAGE_CASES: list[Case] = (
    EXCEPTION_CASES + IMPORT_CASES + FORMAT_CASES + BUILTIN_CASES + KOREAN_CASES
)
