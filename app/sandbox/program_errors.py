"""How an exception becomes a program error: the one place that decides, and its words.

Two conversions, used everywhere a run can end:

- `to_program_exception`: a real exception raised by one operation of the program (torch's
  RuntimeError, CPython's TypeError) becomes the signal the compiler raises at that
  operation's position; running out of stack or memory there is a limit / MemoryError.
- `program_error`: whatever ended a run (a signal, or an exception that reached the top)
  becomes the `ProgramError` of the result, its message sanitized and its hint added
  (`hints.py`, English and Korean). An exception no operation converted is a bug of ours
  (`InternalError`) unless the caller ran torch directly (`from_operation`).

- `job_error`: a job that raised in its worker (`workers/worker.py`): memory as above, anything
  else a bug of ours named by its class only.

The interpreter (`_guarded`), the runner (its request backward and its last-resort guard) and
the worker call these; none words an error of its own.
"""

from __future__ import annotations

import re

from app.sandbox.errors import LimitExceeded, PlaygroundSignal, ProgramError, ProgramException
from app.sandbox.exceptions import program_value
from app.sandbox.hints import add_hint
from app.sandbox.sanitize import sanitize_message

MEMORY_ERROR = "MemoryError"
MEMORY_MESSAGE = "The program ran out of memory."
DEPTH_MESSAGE = "The program nested calls or values too deeply."
INTERNAL_ERROR = "InternalError"
# A job that raised in its worker: named by the exception's class only, since its text may
# hold anything of the server's (it did not come from the program).
JOB_FAILED_MESSAGE = "The playground failed while running the program ({name})."

# CPython's names for the interpreter's own callables, as they appear in its messages
# ("object of type 'function' has no len()").
_CPYTHON_NAME_OF = {
    "InterpretedFunction": "function",
    "PlainMethod": "builtin_function_or_method",
    # The program's bridges (classes.py, their `python_name`).
    "ProgramMethod": "method",
    "TrustedCallable": "method",
    "ModuleFunction": "function",
    "PropertyView": "property",
}
_CPYTHON_TYPE_NAMES = re.compile(r"\b(" + "|".join(_CPYTHON_NAME_OF) + r")\b")


def to_program_exception(
    error: BaseException, line: int | None, col: int | None
) -> PlaygroundSignal:
    """Turn a real exception raised by an operation into the program's error at a position."""
    signal = getattr(error, "program_signal", None)
    if signal is not None:  # the program's own error, carried through Python (classes.py)
        return signal
    if isinstance(error, RecursionError):
        return LimitExceeded(DEPTH_MESSAGE, line=line, col=col, limit="call_depth")
    if isinstance(error, MemoryError):
        return ProgramException(MEMORY_ERROR, MEMORY_MESSAGE, line=line, col=col)
    message = _CPYTHON_TYPE_NAMES.sub(
        lambda match: _CPYTHON_NAME_OF[match.group(0)], sanitize_message(str(error))
    )
    # torch's LinAlgError is the private class `_LinAlgError`; show its public name.
    return ProgramException(
        type(error).__name__.lstrip("_"),
        message,
        line=line,
        col=col,
        value=program_value(error, message),
    )


def program_error(
    caught: BaseException,
    line: int | None = None,
    col: int | None = None,
    *,
    from_operation: bool = False,
) -> ProgramError:
    """The error a run ended with when `caught` reached the top, with its hint.

    A signal keeps its own position; anything else is placed at (line, col). Running out of
    stack or memory outside any single operation (building a list, joining output, capture)
    reads as it does inside one.
    """
    if isinstance(caught, PlaygroundSignal):
        error = caught.to_error()
    elif from_operation or isinstance(caught, RecursionError | MemoryError):
        error = to_program_exception(caught, line, col).to_error()
    else:  # a bug of ours: report it without internals
        error = ProgramError(
            INTERNAL_ERROR, f"{type(caught).__name__}: {caught}", line=line, col=col
        )
    error.message = sanitize_message(error.message)
    add_hint(error)
    return error


def job_error(caught: BaseException) -> ProgramError:
    """The error of a job that raised in its worker instead of answering."""
    if isinstance(caught, MemoryError | RecursionError):
        return program_error(caught)
    error = ProgramError(INTERNAL_ERROR, JOB_FAILED_MESSAGE.format(name=type(caught).__name__))
    add_hint(error)
    return error
