"""Rerunning a source reuses its validated tree, and nothing a run sees changes because of it."""

from __future__ import annotations

from typing import Any

from app.runner import execute_program, run_program
from app.sandbox import interpreter
from app.sandbox.limits import Limits


def _result(source: str, **options: Any) -> dict[str, Any]:
    result = run_program(source, **options)
    result.pop("timing_ms")
    return result


def test_a_rerun_reuses_the_tree_and_gives_the_same_result() -> None:
    source = "import torch\nx = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\n"
    first = _result(source)
    assert any(key[0] == source for key in interpreter._tree_cache)
    assert _result(source) == first


def test_compile_time_warnings_are_reported_on_every_run() -> None:
    source = "import torch\nassert (1, 'x')\nx = torch.ones(2)\n"
    runs = [_result(source) for _ in range(3)]
    assert runs[0]["warnings"] == [
        {
            "category": "SyntaxWarning",
            "message": "assertion is always true, perhaps remove parentheses?",
            "line": 2,
        }
    ]
    assert runs[1] == runs[0] and runs[2] == runs[0]
    assert not any(key[0] == source for key in interpreter._tree_cache)


def test_refused_programs_are_refused_on_every_run() -> None:
    for source in ("x = (\n", "import os\n", "x = 1\n" * 10):
        first = _result(source, limits=Limits(ast_nodes=20))
        assert not first["ok"]
        assert _result(source, limits=Limits(ast_nodes=20)) == first


def test_the_limits_are_part_of_the_key() -> None:
    source = "import torch\nx = 1 + 2 + 3 + 4 + 5\n"
    assert _result(source)["ok"]
    refused = _result(source, limits=Limits(ast_nodes=5))
    assert refused["error"]["type"] == "LimitExceeded"


def test_graders_expressions_rerun_against_each_final_state() -> None:
    first = execute_program("import torch\nx = torch.ones(3)\n")
    second = execute_program("import torch\nx = torch.full((3,), 2.0)\n")
    assert first.evaluate("x.sum().item()") == 3.0
    assert second.evaluate("x.sum().item()") == 6.0
    assert first.evaluate("x.sum().item()") == 3.0


def test_the_cache_stays_small() -> None:
    for number in range(interpreter._TREE_CACHE_SIZE + 10):
        _result(f"x = {number}\n")
    assert len(interpreter._tree_cache) <= interpreter._TREE_CACHE_SIZE
    large = "x = 1\n" * (interpreter._TREE_CACHE_SOURCE_CHARS // 6 + 1)
    _result(large)
    assert not any(key[0] == large for key in interpreter._tree_cache)
