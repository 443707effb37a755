"""app/sandbox/compiler/scopes.py, name resolution: `Scope` and `assigned_names` decide whether a
name is local, free (a closure's) or global, as CPython's symbol table does. CPython is the
oracle: each program runs in the interpreter and with `exec`, and prints the same (or fails the
same)."""

from __future__ import annotations

import ast
import contextlib
import io
import sys

import pytest

from app.sandbox.compiler.scopes import Scope, assigned_names
from tests.unit.sandbox.interpreter_driver import run


def _cpython(source: str) -> tuple[str, str | None]:
    """stdout and the error type name of `source` under CPython."""
    out = io.StringIO()
    error = None
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(source, "<program>", "exec"), {"__name__": "__main__"})
        except Exception as raised:
            error = type(raised).__name__
    return out.getvalue(), error


PROGRAMS = {
    "closure_reads_the_enclosing_local": (
        "def outer():\n    n = 3\n    def inner():\n        return n * 2\n    return inner()\n"
        "print(outer())\n"
    ),
    "closure_sees_the_latest_binding": (
        "def outer():\n    fs = []\n    for i in range(3):\n        fs.append(lambda: i)\n"
        "    return [f() for f in fs]\nprint(outer())\n"
    ),
    "default_captures_the_value_now": (
        "def outer():\n    fs = []\n    for i in range(3):\n        fs.append(lambda i=i: i)\n"
        "    return [f() for f in fs]\nprint(outer())\n"
    ),
    "a_global_read_inside_a_function": (
        "k = 5\ndef f():\n    return k + 1\nprint(f())\nk = 7\nprint(f())\n"
    ),
    "assignment_makes_a_name_local_everywhere": ("k = 5\ndef f():\n    print(k)\n    k = 1\nf()\n"),
    "a_local_shadows_a_global": (
        "x = 'global'\ndef f():\n    x = 'local'\n    return x\nprint(f(), x)\n"
    ),
    "comprehension_variables_stay_inside": (
        "i = 'kept'\nsquares = [i * i for i in range(4)]\nprint(squares, i)\n"
    ),
    "comprehension_in_a_function_reads_its_locals": (
        "def f(scale):\n    return [scale * v for v in range(3)]\nprint(f(10))\n"
    ),
    "two_levels_of_closure": (
        "def a():\n    x = 1\n    def b():\n        def c():\n            return x + 1\n"
        "        return c()\n    return b()\nprint(a())\n"
    ),
    "a_parameter_is_local": ("x = 1\ndef f(x):\n    x = x + 1\n    return x\nprint(f(10), x)\n"),
    "an_undefined_name_is_a_name_error": ("def f():\n    return missing\nf()\n"),
    "recursion_finds_its_own_name": (
        "def fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\nprint(fact(6))\n"
    ),
}


@pytest.mark.parametrize("source", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_names_resolve_as_in_cpython(source: str) -> None:
    stdout, error = _cpython(source)
    outcome = run(source)
    assert outcome.stdout == stdout
    assert (outcome.error.type if outcome.error else None) == error


def test_resolve_walks_out_to_the_scope_that_binds() -> None:
    module = Scope("module", set(), None, "")
    outer = Scope("function", {"n", "inner"}, module, "outer")
    inner = Scope("function", {"m"}, outer, "outer.<locals>.inner")
    assert inner.resolve("m") == ("local", 0)
    assert inner.resolve("n") == ("free", 1)
    assert inner.resolve("print") == ("global", 0)
    assert module.resolve("n") == ("global", 0)  # the module's names are all globals
    assert outer.child_prefix() == "outer.<locals>."
    assert module.child_prefix() == ""


def _body(source: str) -> list[ast.stmt]:
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    return function.body


def test_assigned_names_are_the_functions_own() -> None:
    body = _body(
        "def f():\n"
        "    a = 1\n"
        "    b, (c, d) = 2, (3, 4)\n"
        "    for e in []: pass\n"
        "    import torch.nn as nn\n"
        "    import math\n"
        "    def g(h=a):\n"
        "        inner = 1\n"
        "    squares = [k for k in range(3)]\n"
        "    try:\n        pass\n    except ValueError as err:\n        pass\n"
        "    print(unassigned)\n"
    )
    names = assigned_names(body)
    assert names == {"a", "b", "c", "d", "e", "nn", "math", "g", "squares", "err"}


def test_what_cpython_calls_local_is_what_assigned_names_finds() -> None:
    # CPython's own symbol table as the oracle for the same function body.
    import symtable

    source = (
        "def f(p):\n    x = p\n    y, z = 1, 2\n    def g():\n        return x\n"
        "    w = [q for q in range(2)]\n    return y\n"
    )
    table = symtable.symtable(source, "<program>", "exec").get_children()[0]
    assert isinstance(table, symtable.Function)
    cpython_locals = set(table.get_locals()) - set(table.get_parameters())
    if sys.version_info >= (3, 12):
        # PEP 709 inlines comprehensions: their own variables (q) show among the function's
        # symbols, though they are still invisible to its body, as in 3.11.
        cpython_locals -= {"q"}
    assert assigned_names(_body(source)) == cpython_locals
