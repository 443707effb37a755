"""Random programs of the plain-Python part of the language behave exactly as under CPython,
or stop at a named limit — the interpreter never fails with an internal error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sandbox.limits import Limits
from tests.differential.oracle import run_reference
from tests.unit.sandbox.interpreter_driver import run

NAMES = ("a", "b", "c")

atoms = st.one_of(
    st.integers(min_value=-20, max_value=20).map(str),
    # Double quotes, so that an atom fits inside an f'...' string.
    st.sampled_from(["0.5", "-1.25", '"ab"', '""', "True", "None", "[1, 2]", "(3,)", "{}"]),
    st.sampled_from(NAMES),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(
        children,
        st.sampled_from(["+", "-", "*", "//", "%", "**", "<", "==", "and", "or", "<<", "&"]),
        children,
    ).map(lambda parts: f"({parts[0]} {parts[1]} {parts[2]})")
    unary = st.tuples(st.sampled_from(["-", "not ", "~"]), children).map(
        lambda parts: f"({parts[0]}{parts[1]})"
    )
    call = st.tuples(st.sampled_from(["len", "abs", "str", "repr", "bool", "int"]), children).map(
        lambda parts: f"{parts[0]}({parts[1]})"
    )
    pair = st.tuples(st.sampled_from(["min", "max"]), children, children).map(
        lambda parts: f"{parts[0]}({parts[1]}, {parts[2]})"
    )
    other = st.one_of(
        st.tuples(children, children).map(lambda parts: f"{parts[0]}[{parts[1]}]"),
        st.tuples(children, children).map(lambda parts: f"[{parts[0]}, {parts[1]}]"),
        st.tuples(children, children, children).map(
            lambda parts: f"({parts[0]} if {parts[1]} else {parts[2]})"
        ),
        children.map(lambda part: f"[v * 2 for v in range(3) if {part}]"),
        # Atoms only: a nested f-string with the same quotes is a SyntaxError before 3.12.
        atoms.map(lambda part: f"f'{{{part}!r:>6}}'"),
    )
    return st.one_of(binary, unary, call, pair, other)


expressions = st.recursive(atoms, _combine, max_leaves=8)

statements = st.one_of(
    st.tuples(st.sampled_from(NAMES), expressions).map(lambda parts: f"{parts[0]} = {parts[1]}"),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(["+=", "*=", "-="]), expressions).map(
        lambda parts: f"{parts[0]} {parts[1]} {parts[2]}"
    ),
    expressions.map(lambda expression: f"print({expression})"),
    expressions.map(lambda expression: f"if {expression}:\n    print('yes')\nelse:\n    a = 0"),
)

programs = st.lists(statements, min_size=1, max_size=6).map(
    lambda lines: "a = 1\nb = 'x'\nc = [0]\n" + "\n".join(lines) + "\n"
)

# Errors of the playground itself; CPython has no such limits.
SANDBOX_STOPS = {"LimitExceeded", "Timeout", "SandboxViolation"}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(programs)
def test_random_programs_match_cpython_or_stop_at_a_limit(source: str) -> None:
    outcome = run(source, Limits(seconds=10.0))
    if outcome.error is not None and outcome.error.type in SANDBOX_STOPS:
        # Stopped by a limit CPython does not have: what ran before must still agree.
        assert outcome.error.type != "SandboxViolation" or "%" in outcome.error.message
        reference = run_reference(source)
        assert reference.stdout.startswith(outcome.stdout)
        return
    reference = run_reference(source)
    assert outcome.stdout == reference.stdout
    if reference.error is None:
        assert outcome.error is None, outcome.error
    else:
        assert outcome.error is not None
        assert (outcome.error.type, outcome.error.message, outcome.error.line) == (
            reference.error["type"],
            reference.error["message"],
            reference.error["line"],
        )
