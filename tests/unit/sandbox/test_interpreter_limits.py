"""Every limit the interpreter enforces stops the run with LimitExceeded naming it — never a crash,
never a hang, never a raised recursion limit."""

from __future__ import annotations

import sys

import pytest

from app.sandbox.limits import Limits
from tests.unit.sandbox.interpreter_driver import run

# (program, limits, the limit that must be named, the line(s) it may point at)
LIMIT_CASES: dict[str, tuple[str, Limits, str, int | tuple[int, ...]]] = {
    "infinite-loop-steps": ("x = 0\nwhile True:\n    x += 1\n", Limits(steps=5000), "steps", 3),
    # The last step is either the loop's test or its body.
    "empty-infinite-loop": ("while True:\n    pass\n", Limits(steps=5000), "steps", (1, 2)),
    "comprehension-steps": (
        "xs = [i for i in range(10**9)]\n",
        Limits(steps=5000),
        "steps",
        1,
    ),
    "builtin-consumer-steps": ("s = sum(zip(range(10**9)))\n", Limits(steps=5000), "steps", 1),
    "power-tower": ("x = 2 ** 10 ** 10\n", Limits(), "pow_exponent", 1),
    "big-power": ("x = 10 ** 5000\n", Limits(), "int_bits", 1),
    "repeated-squaring": ("x = 3\nfor i in range(100):\n    x = x * x\n", Limits(), "int_bits", 3),
    "repeated-addition": (
        "x = 2 ** 4000\nwhile True:\n    x = x + x\n",
        Limits(),
        "int_bits",
        3,
    ),
    "shift": ("x = 1 << 10 ** 6\n", Limits(), "shift_bits", 1),
    "shift-bits": ("x = 3 << 4095\n", Limits(), "int_bits", 1),
    "string-repeat": ("s = 'a' * 10 ** 9\n", Limits(), "str_length", 1),
    "string-repeat-reversed": ("s = 10 ** 9 * 'ab'\n", Limits(), "str_length", 1),
    "string-doubling": ("s = 'ab'\nwhile True:\n    s = s + s\n", Limits(), "str_length", 3),
    "string-augmented-doubling": ("s = 'ab'\nwhile True:\n    s += s\n", Limits(), "str_length", 3),
    "format-width": ("s = f'{1:>{10**9}}'\n", Limits(), "str_length", 1),
    "format-precision": ("s = f'{1.5:.{10**6}f}'\n", Limits(), "str_length", 1),
    "format-width-huge-digits": ("s = f'{1:>{10**50}}'\n", Limits(), "str_length", 1),
    "join": ("s = ''.join(['abc'] * 50000)\n", Limits(), "str_length", 1),
    "replace": ("s = ('a' * 50000).replace('a', 'bbbb')\n", Limits(), "str_length", 1),
    "list-repeat": ("xs = [0] * 10 ** 9\n", Limits(), "list_length", 1),
    "list-of-range": ("xs = list(range(10 ** 9))\n", Limits(), "list_length", 1),
    "list-doubling": ("xs = [1]\nwhile True:\n    xs = xs + xs\n", Limits(), "list_length", 3),
    "list-inplace-doubling": ("xs = [1]\nwhile True:\n    xs += xs\n", Limits(), "list_length", 3),
    "list-append": (
        "xs = []\nfor i in range(200):\n    xs.append(i)\n",
        Limits(list_length=100),
        "list_length",
        3,
    ),
    "comprehension-length": (
        "xs = [i for i in range(1000)]\n",
        Limits(list_length=100),
        "list_length",
        1,
    ),
    "membership-in-iterator": (
        "found = -1 in zip(range(10 ** 9))\n",
        Limits(steps=5000),
        "steps",
        1,
    ),
    "list-extend-by-iterator": (
        "xs = []\nxs += zip(range(10 ** 9))\n",
        Limits(),
        "list_length",
        2,
    ),
    "dict-update-by-iterator": (
        "d = {}\nd.update(zip(range(10 ** 9), range(10 ** 9)))\n",
        Limits(steps=5000),
        "steps",
        2,
    ),
    "many-big-lists": (
        "rows = [[0] * 100000 for _ in range(100000)]\n",
        Limits(),
        "items",
        1,
    ),
    "many-big-strings": (
        "rows = []\nfor i in range(100000):\n    rows.append('x' * 100000)\n",
        Limits(),
        "items",
        3,
    ),
    "recursion": ("def f(n):\n    return f(n + 1)\nf(0)\n", Limits(), "call_depth", 2),
    "mutual-recursion": (
        "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\na(1)\n",
        Limits(),
        "call_depth",
        4,
    ),
    "lambda-recursion": ("f = lambda n: f(n + 1)\nf(0)\n", Limits(), "call_depth", 1),
    "recursion-through-deep-expressions": (
        "def f(n):\n    return " + "(" * 40 + "f(n + 1)" + ")" * 40 + "\nf(0)\n",
        Limits(call_depth=10_000, ast_depth=10_000),
        "call_depth",
        2,
    ),
    "stdout": (
        "while True:\n    print('spam spam spam')\n",
        Limits(stdout_bytes=1000),
        "stdout_bytes",
        2,
    ),
    "container-text": (
        "s = 'a' * 50000\nxs = [s] * 50000\nprint(xs)\n",
        Limits(),
        "str_length",
        3,
    ),
    "container-text-in-fstring": (
        "xs = ['abc'] * 90000\nt = f'{xs}'\n",
        Limits(),
        "str_length",
        2,
    ),
    "tensor-size": ("import torch\nt = torch.ones(10 ** 10)\n", Limits(), "tensor_elements", 2),
}


@pytest.mark.parametrize("name", list(LIMIT_CASES))
def test_limit_stops_the_program(name: str) -> None:
    source, limits, limit, line = LIMIT_CASES[name]
    recursion_limit = sys.getrecursionlimit()
    outcome = run(source, limits)
    assert not outcome.ok
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.limit) == ("LimitExceeded", limit), outcome.error
    assert outcome.error.line in (line if isinstance(line, tuple) else (line,))
    assert sys.getrecursionlimit() == recursion_limit


def test_deadline_is_checked_at_every_step() -> None:
    outcome = run("while True:\n    pass\n", Limits(steps=10**9, seconds=0.2))
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.limit) == ("Timeout", "seconds")


def test_stdout_is_cut_at_the_limit_and_marked() -> None:
    outcome = run("for i in range(1000):\n    print('0123456789')\n", Limits(stdout_bytes=95))
    assert outcome.stdout_truncated
    assert outcome.stdout == ("0123456789\n" * 9)[:95]
    assert outcome.error is not None and outcome.error.limit == "stdout_bytes"


def test_percent_formatting_of_strings_is_refused_at_run_time() -> None:
    outcome = run("template = '%s'\nx = template % ((1).real,)\n")
    assert outcome.error is not None
    assert outcome.error.type in ("SandboxViolation",)
    assert outcome.error.line == 2


def test_percent_on_numbers_still_works() -> None:
    outcome = run("print(7 % 3, 7.5 % 2)\n")
    assert outcome.ok, outcome.error
    assert outcome.stdout == "1 1.5\n"


def test_recursion_limit_is_never_raised_and_deep_recursion_is_a_limit() -> None:
    source = "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(40))\nf(10000)\n"
    recursion_limit = sys.getrecursionlimit()
    outcome = run(source, Limits(call_depth=100_000))
    assert outcome.stdout == "40\n"
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.limit) == ("LimitExceeded", "call_depth")
    assert sys.getrecursionlimit() == recursion_limit


def test_deep_data_printing_is_not_a_crash() -> None:
    outcome = run("x = []\nfor i in range(5000):\n    x = [x]\nprint(len(str(x)))\n")
    assert outcome.ok, outcome.error
    assert outcome.stdout == f"{5000 * 2 + 2}\n"


def test_limits_cannot_be_caught_by_the_program() -> None:
    source = "def f():\n    while True:\n        pass\nf()\nprint('after')\n"
    outcome = run(source, Limits(steps=1000))
    assert outcome.stdout == ""
    assert outcome.error is not None and outcome.error.limit == "steps"
