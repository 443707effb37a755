"""app/sandbox/operators.py, the one operator table: every table derived from it agrees with it,
and every row is allowed, compiled, applied and folded as CPython does (CPython is the oracle)."""

from __future__ import annotations

import ast
import dis
import warnings

import pytest
import torch

from app.sandbox import constant_folding, grammar, operators, python_values, runtime, torch_surface
from app.sandbox.compiler import expressions
from app.sandbox.operators import (
    BINARY,
    COMPARISONS,
    IDENTITY_AND_MEMBERSHIP,
    NOT,
    UNARY,
)
from tests.unit.sandbox.interpreter_driver import run

ROWS = (*BINARY, *COMPARISONS, *IDENTITY_AND_MEMBERSHIP, *UNARY, NOT)
OPERATOR_BASES = (ast.operator, ast.cmpop, ast.unaryop, ast.boolop)


def _all_subclasses(base: type) -> set[type]:
    found: set[type] = set()
    pending = [base]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.add(sub)
            pending.append(sub)
    return found


def test_each_node_and_symbol_has_one_row() -> None:
    nodes = [row.node for row in ROWS]
    assert len(nodes) == len(set(nodes))
    for group in (BINARY, COMPARISONS + IDENTITY_AND_MEMBERSHIP, UNARY):
        symbols = [row.symbol for row in group]
        assert len(symbols) == len(set(symbols))


def test_the_grammar_admits_exactly_the_tables_operators() -> None:
    allowed = {node for node in grammar.ALLOWED_NODES if issubclass(node, OPERATOR_BASES)}
    assert allowed == set(operators.OPERATOR_NODES)
    # Every operator node of this Python is either a row or refused (none is forgotten).
    every = set().union(*(_all_subclasses(base) for base in OPERATOR_BASES))
    assert set(operators.OPERATOR_NODES) <= every


def test_the_compiler_maps_every_row_to_its_symbol() -> None:
    assert {row.node: row.symbol for row in BINARY} == expressions.BINARY_SYMBOLS
    assert {row.node: row.symbol for row in COMPARISONS} == expressions.COMPARE_SYMBOLS
    assert {row.node: row.symbol for row in UNARY} == expressions.UNARY_SYMBOLS


def test_the_fast_path_is_the_rows_marked_for_it() -> None:
    assert runtime.NUMERIC_FAST_PATH is operators.NUMERIC_FAST_PATH
    marked = {row.symbol for row in (*BINARY, *COMPARISONS) if row.fast_path}
    marked |= {row.symbol + "=" for row in BINARY if row.fast_path}
    assert set(operators.NUMERIC_FAST_PATH) == marked
    for symbol, function in operators.NUMERIC_FAST_PATH.items():
        assert operators.BINARY_OPERATORS[symbol] is function


def test_the_surface_applies_every_row() -> None:
    assert torch_surface._BINARY is operators.ALL_BINARY_OPERATORS
    assert torch_surface._UNARY is operators.UNARY_OPERATORS
    for symbol in operators.BINARY_OPERATORS:
        assert torch_surface.tensor_operator(symbol) is not None, symbol
    for row in IDENTITY_AND_MEMBERSHIP:
        assert row.symbol in torch_surface._BINARY


def test_size_checks_and_comparisons_name_rows() -> None:
    assert {row.symbol for row in COMPARISONS} == python_values._COMPARISONS
    assert set(python_values._SIZE_CHECKS) <= set(operators.BINARY_OPERATORS)


# ---- every row behaves as CPython's operator ------------------------------------------------

# Operands every binary row accepts on ints (matmul accepts none: torch's matrices below).
_INT_OPERANDS = [(7, 3), (-7, 2), (12, 5)]


def _cpython(expression: str) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # `None is None`: the sandbox's own test
        return eval(compile(expression, "<oracle>", "eval"), {})


def _assert_prints_as_cpython(expression: str) -> None:
    """`print(expression)` in the sandbox prints what CPython prints, or fails as it fails."""
    outcome = run(f"print({expression})\n")
    try:
        expected = _cpython(expression)
    except Exception as error:
        assert outcome.error is not None, expression
        assert (outcome.error.type, outcome.error.message) == (type(error).__name__, str(error))
        return
    assert outcome.ok, outcome.error
    assert outcome.stdout == f"{expected}\n"


def _symbol(row: operators.Operator) -> str:
    return row.symbol


@pytest.mark.parametrize("row", [row for row in BINARY if row.node is not ast.MatMult], ids=_symbol)
def test_binary_rows_compute_as_cpython(row: operators.Operator) -> None:
    for left, right in _INT_OPERANDS:
        _assert_prints_as_cpython(f"({left}) {row.symbol} ({right})")
        expected = _cpython(f"({left}) {row.symbol} ({right})")
        outcome = run(f"x = {left}\nx {row.symbol}= {right}\nprint(x)\n")
        assert outcome.ok, outcome.error
        assert outcome.stdout == f"{expected}\n"


@pytest.mark.parametrize("row", [*COMPARISONS, *IDENTITY_AND_MEMBERSHIP], ids=_symbol)
def test_comparison_rows_compute_as_cpython(row: operators.Operator) -> None:
    for left, right in [("1", "2"), ("2", "2"), ("None", "None"), ("1", "1.5"), ("3", "[1, 3]")]:
        if row in IDENTITY_AND_MEMBERSHIP[2:] and not right.startswith("["):
            # Membership with a container only: `1 in 2` words its TypeError unlike CPython
            # (a gap of Runtime.contains, not of this table).
            continue
        _assert_prints_as_cpython(f"{left} {row.symbol} {right}")
    if row in IDENTITY_AND_MEMBERSHIP[2:]:
        _assert_prints_as_cpython(f"'a' {row.symbol} 'cat'")
        _assert_prints_as_cpython(f"2 {row.symbol} (1, 3)")


@pytest.mark.parametrize("row", [*UNARY, NOT], ids=_symbol)
def test_unary_rows_compute_as_cpython(row: operators.Operator) -> None:
    for operand in ("5", "-2", "0", "1.5", "'text'"):
        _assert_prints_as_cpython(f"{row.symbol} {operand}")


@pytest.mark.parametrize("row", [row for row in BINARY if row.node is not ast.MatMult], ids=_symbol)
def test_binary_rows_on_tensors_are_torchs(row: operators.Operator) -> None:
    ints = row.node in (ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor)
    values = "[6, 5, 12]" if ints else "[6.0, 5.0, 12.0]"
    source = f"import torch\na = torch.tensor({values})\nprint((a {row.symbol} 3).tolist())\n"
    outcome = run(source)
    assert outcome.ok, outcome.error
    expected = row.function(torch.tensor(eval(values)), 3).tolist()
    assert outcome.stdout == f"{expected}\n"


def test_matmul_row_on_tensors_is_torchs() -> None:
    source = "import torch\na = torch.eye(2) * 3\nb = a @ a\nb @= a\nprint(b.tolist())\n"
    outcome = run(source)
    assert outcome.ok, outcome.error
    eye = torch.eye(2) * 3
    assert outcome.stdout == f"{(eye @ eye @ eye).tolist()}\n"


# ---- folding: the rows marked `folded` are those CPython's optimizer folds --------------------


def _cpython_folds(expression: str) -> bool:
    code = compile(expression, "<oracle>", "eval")
    return not any(
        instruction.opname in ("BINARY_OP", "UNARY_NEGATIVE", "UNARY_INVERT", "UNARY_NOT")
        or instruction.opname.startswith("UNARY_")
        for instruction in dis.get_instructions(code)
    )


@pytest.mark.parametrize("row", [*BINARY, *UNARY, NOT], ids=_symbol)
def test_folded_rows_are_cpythons(row: operators.Operator) -> None:
    # MatMult on constants is never folded (and would raise on ints anyway).
    expression = f"6 {row.symbol} 3" if row in BINARY else f"{row.symbol} 6"
    folded, _ = constant_folding.folded_constant(ast.parse(expression, mode="eval").body)
    if row.node is not ast.MatMult:
        assert folded == _cpython_folds(expression), expression
    assert folded == row.folded, expression
