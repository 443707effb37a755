"""The validator refuses every construct outside the language, naming it and its line."""

from __future__ import annotations

import ast
import re
import sys
import textwrap
import warnings

import pytest

from app.sandbox.errors import LimitExceeded, PlaygroundSignal, ProgramSyntaxError, SandboxViolation
from app.sandbox.limits import Limits
from app.sandbox.validate import parse_program
from tests.differential.oracle import as_3_11_wording

# (source, words the one-sentence refusal must contain). The program starts with `import torch`,
# so the body's first line is line 2; LINE_OF names the line when the construct is further down.
REFUSED: dict[str, tuple[str, str]] = {
    "class": ("class A(metaclass=type):\n    pass", "takes no keywords"),
    "class-nested": ("class A:\n    class B:\n        pass", "a class body may only hold"),
    "global": ("def f():\n    global x", "global"),
    "nonlocal": ("def f():\n    x = 1\n    def g():\n        nonlocal x", "nonlocal"),
    "yield": ("def f():\n    yield 1", "yield"),
    "yield-from": ("def f():\n    yield from [1]", "yield from"),
    "async-def": ("async def f():\n    pass", "async functions"),
    "await": ("async def f():\n    await g()", "async functions"),
    "match": ("match x:\n    case 1:\n        pass", "match statements"),
    "decorator": ("@torch.compile\ndef f():\n    pass", "decorator @torch.compile"),
    "del": ("del x", "del"),
    "walrus": ("print(y := 3)", "walrus"),
    "annotated-assignment": ("x: int = 1", "annotated assignments"),
    "dunder-attribute": ("c = ().__class__", "'__class__' starts with '__'"),
    "dunder-chain-inner-first": ("n = x.__class__.__name__", "'__class__' starts with '__'"),
    "reserved-attribute": ("t = torch._parameters", "used inside torch's own classes"),
    "dunder-name": ("b = __builtins__", "'__builtins__' starts with '__'"),
    "dunder-name-store": ("__name__ = 'x'", "'__name__' starts with '__'"),
    "dunder-except-name": ("try:\n    pass\nexcept Exception as __e:\n    pass", "'__e'"),
    "underscore-keyword": ("f(_x=1)", "keyword argument '_x'"),
    "getattr": ("getattr(x, 'y')", "'getattr'"),
    "setattr": ("setattr(x, 'y', 1)", "'setattr'"),
    "delattr": ("delattr(x, 'y')", "'delattr'"),
    "eval": ("eval('1')", "'eval'"),
    "exec": ("exec('1')", "'exec'"),
    "compile": ("compile('1', 'f', 'exec')", "'compile'"),
    "open": ("open('/etc/passwd')", "'open'"),
    "globals": ("g = globals()", "'globals'"),
    "locals": ("g = locals()", "'locals'"),
    "vars": ("g = vars()", "'vars'"),
    "dir": ("d = dir(torch)", "'dir'"),
    "id": ("i = id(1)", "'id'"),
    "input": ("s = input()", "'input'"),
    "exit": ("exit()", "'exit'"),
    "quit": ("quit()", "'quit'"),
    "import-builtin": ("m = __import__('os')", "'__import__' starts with '__'"),
    "breakpoint": ("breakpoint()", "'breakpoint'"),
    "help": ("help(torch)", "'help'"),
    "forbidden-name-as-variable": ("id = 3", "'id'"),
    "import-os": ("import os", "importing 'os'"),
    "import-numpy": ("import numpy", "importing 'numpy'"),
    "import-torch-submodule": (
        "import torch.utils.cpp_extension",
        "importing 'torch.utils.cpp_extension'",
    ),
    "from-import-os": ("from os import system", "importing 'os'"),
    "from-import-torch-hub": ("from torch.hub import load", "importing 'torch.hub'"),
    "relative-import": ("from . import x", "importing '.'"),
    "star-import": ("from torch import *", "'import *'"),
    "import-private-alias": ("from torch import _C", "'_C' starts with '_'"),
    "with-open": ("with open('f') as f:\n    pass", "'with' is only supported"),
    "with-other-call": ("with torch.autograd.profiler.profile():\n    pass", "'with' is only"),
    "with-as": ("with torch.no_grad() as g:\n    pass", "'with ... as'"),
    "positional-only-parameter": ("def f(a, /, b):\n    pass", "positional-only"),
    "star-args-annotation": ("def f(*args: int):\n    pass", "annotations"),
    "kwargs-dunder-name": ("def f(**__class__):\n    pass", "starts with '__'"),
    "keyword-only-dunder-name": ("def f(*, __dict__=1):\n    pass", "starts with '__'"),
    "star-in-list": ("xs = [*a]", "*-unpacking"),
    "star-assignment": ("a, *b = [1, 2]", "*-unpacking"),
    "double-star-dict": ("d = {**a}", "**-unpacking"),
    "return-annotation": ("def f() -> int:\n    return 1", "annotations"),
    "parameter-annotation": ("def f(a: int):\n    return 1", "annotations"),
    "bytes-literal": ("b = b'%s'", "bytes literals"),
    "complex-literal": ("c = 1j", "complex numbers"),
    # Identifiers are NFKC-normalized by the parser: look-alike letters become the real name.
    "unicode-lookalike-eval": ("r = 𝐞𝐯𝐚𝐥('1')", "'eval'"),
}

LINE_OF = {
    "class-nested": 3,
    "global": 3,
    "nonlocal": 5,
    "yield": 3,
    "yield-from": 3,
    "dunder-except-name": 4,
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_construct_names_itself_and_its_line(name: str) -> None:
    body, words = REFUSED[name]
    source = "import torch\n" + body + "\n"
    line = LINE_OF.get(name, 2)
    with pytest.raises(SandboxViolation) as refused:
        parse_program(source, Limits())
    message = refused.value.message
    assert words in message
    assert refused.value.line == line
    assert message.startswith(f"Line {line}: ")
    # One sentence: no full stop followed by another sentence.
    assert not re.search(r"\.\s+[A-Z]", message)
    assert message.endswith(".")


ALLOWED = """
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.autograd
from torch import nn, autograd
from torch.nn import functional
x = torch.ones(2, 2, requires_grad=True)
y, z = x * 2, x[..., None]
w = x[:, 1:]
x.grad = None
def f(a, b=2):
    return [a * b for _ in range(3) if a]
g = lambda v: v + 1
with torch.no_grad():
    pass
with torch.enable_grad(), torch.set_grad_enabled(True):
    pass
for i, v in enumerate(zip([1], [2])):
    continue
while False:
    break
assert True, 'fine'
print(f"{1:.2f} {x!r}", sep='', end='')
h = f(*[1, 2])
d = {'a': 1}
"""


def test_the_language_itself_is_accepted() -> None:
    tree = parse_program(ALLOWED, Limits())
    assert isinstance(tree, ast.Module)


# Programs CPython refuses when compiling; the validator must give the same message and place.
SYNTAX_ERRORS: dict[str, str] = {
    "unclosed-paren": "x = (1, 2\nprint(x)\n",
    "bad-indent": "if True:\nprint(1)\n",
    "unexpected-indent": "x = 1\n    y = 2\n",
    "inconsistent-tabs": "if True:\n        x = 1\n\ty = 2\n",
    "invalid-syntax": "x = = 1\n",
    "return-outside-function": "x = 1\nreturn x\n",
    "break-outside-loop": "if True:\n    break\n",
    "continue-outside-loop": "continue\n",
    "break-in-function-in-loop": "for i in []:\n    def f():\n        break\n",
    "break-in-loop-else": "for i in []:\n    pass\nelse:\n    break\n",
    "duplicate-argument": "def f(a, a):\n    pass\n",
    "keyword-repeated": "print(sep='', sep='')\n",
    "too-many-parentheses": "x = " + "(" * 250 + "1" + ")" * 250 + "\n",
    "huge-int-literal": "x = " + "9" * 5000 + "\n",
    "bare-except-not-last": "try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass\n",
}


@pytest.mark.parametrize("name", list(SYNTAX_ERRORS))
def test_syntax_errors_match_cpython(name: str) -> None:
    source = SYNTAX_ERRORS[name]
    with pytest.raises(SyntaxError) as expected:
        compile(source, "<program>", "exec")
    with pytest.raises(ProgramSyntaxError) as found:
        parse_program(source, Limits())
    assert found.value.message == expected.value.msg
    assert found.value.error_type == type(expected.value).__name__
    assert (found.value.line, found.value.col) == (expected.value.lineno, expected.value.offset)


def test_nul_byte_is_a_syntax_error_with_its_position() -> None:
    # On 3.10 compile() raises ValueError with the same words; the playground speaks 3.11's.
    cpython_error = SyntaxError if sys.version_info >= (3, 11) else ValueError
    with pytest.raises(cpython_error) as expected:
        compile("x = 1\ny = 2\0\n", "<program>", "exec")
    with pytest.raises(ProgramSyntaxError) as found:
        parse_program("x = 1\ny = 2\0\n", Limits())
    cpython_message = getattr(expected.value, "msg", str(expected.value))
    assert found.value.message == cpython_message
    assert (found.value.line, found.value.col) == (2, 6)


def _limit(source: str, limits: Limits | None = None) -> LimitExceeded:
    with pytest.raises(LimitExceeded) as exceeded:
        parse_program(source, limits or Limits())
    return exceeded.value


def test_source_size_is_limited() -> None:
    assert _limit("x = 1\n" * 20, Limits(source_bytes=100)).limit == "source_bytes"


def test_node_count_is_limited() -> None:
    source = "x = [" + ", ".join(["1"] * 500) + "]\n"
    assert _limit(source, Limits(ast_nodes=300)).limit == "ast_nodes"


def test_nesting_depth_is_limited_with_its_line() -> None:
    source = "x = 1\ny = " + "[" * 90 + "]" * 90 + "\n"
    exceeded = _limit(source)
    assert exceeded.limit == "ast_depth"
    assert exceeded.line == 2


@pytest.mark.parametrize("terms", [3000, 100_000])
def test_long_operator_chains_stop_at_a_limit(terms: int) -> None:
    source = "x = " + " + ".join(["1"] * terms) + "\n"
    exceeded = _limit(source, Limits(source_bytes=10**6))
    assert exceeded.limit in ("ast_depth", "ast_nodes")


def test_deep_nesting_that_breaks_the_parser_is_a_limit() -> None:
    source = "x = " + "-" * 200_000 + "1\n"
    assert _limit(source, Limits(source_bytes=10**6)).limit == "ast_depth"


def test_huge_literals_are_limited() -> None:
    assert _limit("x = 1" + "0" * 2000 + "\n").limit == "int_bits"
    assert _limit("x = 0x" + "f" * 5000 + "\n").limit == "int_bits"
    assert _limit("s = '" + "a" * 200 + "'\n", Limits(str_length=100)).limit == "str_length"


def test_validation_is_iterative_for_deep_statement_nesting() -> None:
    body = "".join("    " * depth + "if True:\n" for depth in range(90))
    source = body + "    " * 90 + "pass\n"
    try:
        parse_program(source, Limits(ast_depth=10_000))
    except ProgramSyntaxError as error:  # CPython's own indentation limit (100 levels)
        assert "indentation" in error.message
    exceeded = _limit(source)
    assert exceeded.limit == "ast_depth"


@pytest.mark.parametrize(
    "source",
    [
        "x = 1 +",
        "print(((((((1",
        "def f(:\n",
        textwrap.dedent("""
            x = 1
              y = 2
        """),
        "\ufeffx = 1\n\0",
        "x = '\\N{bad name}'\n",
        "f'{'\n",
    ],
)
def test_broken_sources_give_a_signal_never_a_crash(source: str) -> None:
    with pytest.raises(PlaygroundSignal):
        parse_program(source, Limits())


# Code CPython's compiler warns about before running it; the sandbox must warn the same way.
COMPILE_WARNINGS = [
    "x = (0)[0]",
    "x = 'ab'['a']",
    "x = [1]['a']",
    "x = (1, 2)[1.5]",
    "x = 'a'[None]",
    "x = 'a'[-1]",
    "x = 'a'[True]",
    "x = [][[]]",
    "x = 1.5[0]",
    "x = None[0]",
    "x = (True)[0]",
    "x = (lambda: 1)[0]",
    "x = [i for i in 'a'][1.0]",
    "x = {}[1]",
    "x = 'a'(1)",
    "x = [1](2)",
    "x = f'{1}'(1)",
    "x = (lambda: 1)()",
    "x = 1 is 1",
    "x = 1 is not 'a'",
    "x = None is None",
    "x = x is (1, 2)",
    "x = x is ()",
    "x = x is [1]",
    "x = 1 if y is 2 else 3",
    "assert (1, 'msg')",
    "assert ()",
    "x = '\\d'",
    "print(-1 is -1)",
    "print((1 - 0)[0])",
    "print((2 ** 3)[0])",
    "print((2 ** 200)[0])",
    "print((1 / 0)[0])",
    "print(('ab' * 3)[1.5])",
    "print(('ab' % 3)[1.5])",
    "print(('abc'[0])(1))",
    "print((not 1)[0])",
    "print(x is 1 + 1)",
    "print((1 << 200)[0])",
]


@pytest.mark.parametrize("source", COMPILE_WARNINGS)
def test_compile_time_warnings_match_cpython(source: str) -> None:
    program = "y = 1\n" + source + "\n"
    with warnings.catch_warnings(record=True) as expected:
        warnings.simplefilter("always")
        compile(program, "<program>", "exec")
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        try:
            parse_program(program, Limits())
        except SandboxViolation:
            pytest.skip("refused by the playground anyway")

    def summary(records: list[warnings.WarningMessage]) -> list[tuple[str, str, int]]:
        return [(r.category.__name__, as_3_11_wording(str(r.message)), r.lineno) for r in records]

    assert summary(found) == summary(expected)
