"""app/sandbox/compiler/positions.py: where an error is reported is where CPython 3.11's
traceback puts it. CPython is the oracle: each program fails under `exec`, and the position of
the failing instruction (`co_positions` at the traceback's last instruction) must be the
sandbox's error line and 1-based column."""

from __future__ import annotations

import ast
import sys

import pytest

from app.sandbox.compiler.positions import attribute_position, call_position, position
from tests.unit.sandbox.interpreter_driver import run

PROGRAMS = {
    "a_plain_call": "def f(x):\n    return 1 / x\ny = f(0)\n",
    "a_method_call_on_one_line": "xs = [1]\nxs.pop(5)\n",
    "a_method_call_spread_over_lines": "xs = [1]\ny = (xs\n     .pop(5))\n",
    "an_attribute_read_spread_over_lines": "xs = [1]\ny = (xs\n     .nothing)\n",
    "a_chained_method_call": "s = 'a b'\nn = (s.split()\n     .index('c'))\n",
    "an_imported_modules_function_over_lines": "import math\ny = (math\n     .sqrt(-1))\n",
    "an_unpacked_method_call_over_lines": "xs = [1]\nargs = [5]\ny = (xs\n     .pop(*args))\n",
    "a_subscript": "d = {}\nv = 1 + d['k']\n",
    "an_operator_on_a_second_line": "x = 1\ny = (x\n     + 'a')\n",
}


def _cpython_position(source: str) -> tuple[int, int]:
    code = compile(source, "<program>", "exec")
    try:
        exec(code, {"__name__": "__main__"})
    except Exception:
        traceback = sys.exc_info()[2]
        assert traceback is not None
        while traceback.tb_next is not None:
            traceback = traceback.tb_next
        positions = list(traceback.tb_frame.f_code.co_positions())
        line, _, col, _ = positions[traceback.tb_lasti // 2]
        assert line is not None and col is not None
        return line, col + 1
    raise AssertionError("the program was meant to fail")


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the positions are CPython 3.11's")
@pytest.mark.parametrize("source", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_errors_are_reported_where_cpython_reports_them(source: str) -> None:
    outcome = run(source)
    assert outcome.error is not None
    assert (outcome.error.line, outcome.error.col) == _cpython_position(source)


def _call(source: str) -> ast.Call:
    node = ast.parse(source).body[-1]
    assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
    return node.value


def test_position_is_one_based() -> None:
    assert position(ast.parse("x = 1\n  # \ny = 2\n").body[1]) == (3, 1)


def test_a_method_call_over_lines_sits_at_the_attribute_name() -> None:
    call = _call("y = (xs\n     .pop(5))\n")
    assert call_position(call, frozenset) == (2, 7)
    assert isinstance(call.func, ast.Attribute)
    assert attribute_position(call.func, 1, 6) == (2, 7)


def test_an_imported_module_is_not_a_method_receiver() -> None:
    call = _call("y = (math\n     .sqrt(-1))\n")
    assert call_position(call, lambda: frozenset({"math"})) == (1, 6)
    assert call_position(call, frozenset) == (2, 7)
