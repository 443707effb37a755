"""app/sandbox/program_errors.py is the one conversion of exceptions into program errors: an
operation, the interpreter, the runner and the worker all end a run out of memory, out of stack
or by a bug of ours with the same words and the same hint."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from app import runner
from app.config import Settings
from app.result import failure_error
from app.runner import run_program
from app.sandbox.context import RunContext
from app.sandbox.errors import LimitExceeded, ProgramException, SandboxViolation
from app.sandbox.interpreter import Interpreter
from app.sandbox.limits import Limits
from app.sandbox.program_errors import (
    DEPTH_MESSAGE,
    MEMORY_MESSAGE,
    program_error,
    to_program_exception,
)
from app.workers import worker
from app.workers.framing import HEADER, TAG_FAILURE

APP = Path(__file__).resolve().parents[3] / "app"


def _memory_error_fields(error: dict[str, Any]) -> tuple[Any, ...]:
    return error["type"], error["message"], error["hint"], error["hint_ko"]


MEMORY = ("MemoryError", MEMORY_MESSAGE)


def test_an_operation_out_of_memory_is_the_programs_memory_error() -> None:
    signal = to_program_exception(MemoryError(), 3, 5)
    assert isinstance(signal, ProgramException)
    assert (signal.error_type, signal.message, signal.line, signal.col) == (*MEMORY, 3, 5)


def test_an_operation_out_of_stack_is_the_call_depth_limit() -> None:
    signal = to_program_exception(RecursionError("deep"), 2, 1)
    assert isinstance(signal, LimitExceeded)
    assert (signal.message, signal.limit, signal.line) == (DEPTH_MESSAGE, "call_depth", 2)


def test_an_operations_own_error_keeps_its_class_and_words() -> None:
    where = str(APP / "x.py")
    signal = to_program_exception(RuntimeError(f"bad shape in {where} at 0xdeadbeef00"), 4, 2)
    assert signal.to_error().type == "RuntimeError"
    assert signal.message == "bad shape in …/app/x.py"  # sanitized: no server path or address


def test_a_signal_keeps_its_own_position() -> None:
    error = program_error(SandboxViolation("no", line=7, col=3), 1, 1)
    assert (error.type, error.line, error.col) == ("SandboxViolation", 7, 3)


def test_an_unconverted_exception_is_ours_unless_torch_raised_it() -> None:
    ours = program_error(KeyError("boom"), 2, None)
    assert (ours.type, ours.message, ours.line) == ("InternalError", "KeyError: 'boom'", 2)
    torchs = program_error(ValueError("wrong"), from_operation=True)
    assert (torchs.type, torchs.message) == ("ValueError", "wrong")


def test_every_memory_error_has_the_hint_in_english_and_korean() -> None:
    error = program_error(MemoryError())
    assert (error.type, error.message) == MEMORY
    assert error.hint and "memory" in error.hint
    assert error.hint_ko and "메모리" in error.hint_ko


def test_the_interpreter_outside_any_operation_says_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    interpreter = Interpreter(RunContext(Limits()))

    def out_of_memory() -> None:
        raise MemoryError

    error = interpreter._guarded(out_of_memory)
    assert error is not None
    assert _memory_error_fields(error.as_dict()) == _memory_error_fields(
        program_error(MemoryError()).as_dict()
    )


def test_the_runner_outside_the_program_says_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    def out_of_memory(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(runner, "_encode_variables", out_of_memory)
    error = run_program("x = 1\n")["error"]
    assert _memory_error_fields(error) == _memory_error_fields(
        program_error(MemoryError()).as_dict()
    )


def _failure_frame(raised: BaseException) -> dict[str, Any]:
    def handle(*args: Any) -> Any:
        raise raised

    payload = json.dumps({"kind": "run", "request": {"source": ""}}).encode()
    frame = worker._answer(payload, SimpleNamespace(handle=handle), Settings(), lambda _: None)  # type: ignore[arg-type]
    size, tag = HEADER.unpack(frame[: HEADER.size])
    assert tag == TAG_FAILURE
    decoded: dict[str, Any] = json.loads(frame[HEADER.size : HEADER.size + size])
    return decoded


def test_the_worker_out_of_memory_says_the_same_and_asks_to_retire() -> None:
    failure = _failure_frame(MemoryError())
    assert failure["retire"] is True
    assert _memory_error_fields(failure) == _memory_error_fields(
        program_error(MemoryError()).as_dict()
    )
    # The web process keeps the hint when it builds the failed result.
    assert failure_error(failure).hint_ko == program_error(MemoryError()).hint_ko


def test_a_failing_job_is_an_internal_error_without_internals() -> None:
    # Not the exception's text: it did not come from the program and may hold anything.
    failure = _failure_frame(KeyError("/srv/secret"))
    assert (failure["type"], failure["retire"]) == ("InternalError", True)
    assert failure["message"] == "The playground failed while running the program (KeyError)."


def test_only_the_owner_words_running_out_of_memory() -> None:
    speakers = sorted(
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if MEMORY_MESSAGE in path.read_text(encoding="utf-8")
    )
    assert speakers == ["sandbox/program_errors.py"]
