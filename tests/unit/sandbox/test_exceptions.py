"""try/except/finally and raise: what no differential test can show — the sandbox's own
signals are never caught and never run a `finally`, and an exception object is plain data."""

from __future__ import annotations

import textwrap

import pytest

from app.sandbox.capabilities import capabilities
from app.sandbox.errors import ProgramException
from app.sandbox.exceptions import EXCEPTION_NAMES, catchable, exception_value, program_value
from app.sandbox.limits import Limits
from tests.unit.sandbox.interpreter_driver import run

SMALL = Limits(steps=2_000, seconds=2.0)


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.mark.parametrize(
    "handler",
    [
        "except:",
        "except BaseException:",
        "except Exception:",
        "except (ValueError, BaseException):",
    ],
)
def test_a_step_limit_passes_every_handler_and_skips_finally(handler: str) -> None:
    outcome = run(
        _source(f"""
        try:
            while True:
                pass
        {handler}
            print("caught")
        finally:
            print("finally ran")
        """),
        SMALL,
    )
    assert outcome.error is not None and outcome.error.type == "LimitExceeded"
    assert outcome.error.limit == "steps"
    assert outcome.stdout == ""


def test_a_refusal_is_not_caught() -> None:
    outcome = run("import torch\ntry:\n    s = torch.os\nexcept BaseException:\n    print('x')\n")
    assert outcome.error is not None and outcome.error.type == "SandboxViolation"
    assert outcome.stdout == ""


def test_a_size_limit_is_not_caught() -> None:
    outcome = run("try:\n    s = 'a' * 10**9\nexcept Exception:\n    print('x')\n")
    assert outcome.error is not None and outcome.error.limit == "str_length"


def test_return_in_finally_cannot_swallow_a_limit() -> None:
    source = _source("""
        def f():
            try:
                while True:
                    pass
            finally:
                return 1
        print(f())
    """)
    outcome = run(source, SMALL)
    assert outcome.error is not None and outcome.error.limit == "steps"


def test_memory_error_is_not_catchable() -> None:
    assert not catchable(ProgramException("MemoryError", "The program ran out of memory."))
    assert catchable(ProgramException("RuntimeError", "x"))


def test_exception_object_is_rebuilt_from_plain_data() -> None:
    class Internal:
        pass

    try:
        raise KeyError(Internal())
    except KeyError as error:
        value = program_value(error, "message")
    assert value.args == ("message",)
    assert value.__traceback__ is None and value.__context__ is None
    # Plain arguments stay as they are: a KeyError keeps its key.
    assert program_value(KeyError("w"), "'w'").args == ("w",)


def test_exception_value_by_type_name_matches_its_class() -> None:
    value = exception_value(ProgramException("UnboundLocalError", "cannot access"))
    assert isinstance(value, NameError) and value.args == ("cannot access",)


def test_exception_attributes_other_than_args_are_refused() -> None:
    outcome = run("e = ValueError('x')\nf = e.with_traceback\n")
    assert outcome.error is not None and outcome.error.type == "SandboxViolation"
    assert outcome.error.line == 2


def test_bare_raise_reports_the_first_position() -> None:
    outcome = run("try:\n    x = [1][3]\nexcept IndexError:\n    raise\n")
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.line, outcome.error.col) == ("IndexError", 2, 9)


def test_capabilities_publish_the_exception_classes() -> None:
    table = capabilities(Limits())
    assert table["exceptions"]["classes"] == list(EXCEPTION_NAMES)
    assert set(EXCEPTION_NAMES) <= set(table["builtins"])
    assert {"Try", "Raise", "ExceptHandler", "GeneratorExp", "Set"} <= set(table["syntax"])
    assert table["readable_dunder_names"] == ["__name__"]
    assert "math" in table["python_modules"] and "random" in table["python_modules"]
    assert "format" in table["plain_methods"]["str"]
