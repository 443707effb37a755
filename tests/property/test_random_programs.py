"""Random programs from the allowed language: the core always answers, and answers like CPython."""

from __future__ import annotations

import builtins
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings

from app.runner import run_program
from tests.differential.compare import differences
from tests.differential.oracle import run_reference
from tests.property.program_strategy import GeneratedProgram, programs, python_programs

PLAYGROUND_ERROR_TYPES = {"SyntaxError", "SandboxViolation", "LimitExceeded", "Timeout"}
# torch's own exception classes that are not builtins (torch.linalg.LinAlgError, …).
TORCH_ERROR_TYPES = {"LinAlgError", "OutOfMemoryError", "GradcheckError"}
RESULT_KEYS = {"ok", "error", "stdout", "warnings", "variables", "limits"}


def _is_documented_error_type(name: str) -> bool:
    if name in PLAYGROUND_ERROR_TYPES or name in TORCH_ERROR_TYPES:
        return True
    candidate = getattr(builtins, name, None)
    return isinstance(candidate, type) and issubclass(candidate, BaseException)


def check_program(program: GeneratedProgram) -> None:
    result: dict[str, Any] = run_program(program.source, seed=program.seed)

    assert set(result) >= RESULT_KEYS, sorted(result)
    error = result["error"]
    assert result["ok"] is (error is None)
    if error is not None:
        assert error["type"] != "InternalError", error
        assert _is_documented_error_type(error["type"]), error

    if program.forbidden:
        assert error is not None and error["type"] == "SandboxViolation", error
        assert result["stdout"] == ""
        return

    if error is not None and error["type"] == "LimitExceeded":
        # A documented divergence: CPython has no such limit (e.g. a huge `**`).
        event("LimitExceeded")
        return

    # Everything else is in the language, so CPython + torch is the oracle for all of it:
    # stdout, error type/message/line, warnings and every final tensor.
    reference = run_reference(program.source, seed=program.seed)
    found = differences(reference, result)
    assert not found, "\n".join(found)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_programs_end_in_a_documented_way_and_match_cpython(
    program: GeneratedProgram,
) -> None:
    check_program(program)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_many_random_programs(program: GeneratedProgram) -> None:
    check_program(program)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(python_programs())
def test_random_python_expressions_match_cpython(program: GeneratedProgram) -> None:
    check_program(program)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(python_programs())
def test_many_random_python_expressions(program: GeneratedProgram) -> None:
    check_program(program)
