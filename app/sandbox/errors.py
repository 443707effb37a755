"""The errors a program can end with, as the interpreter reports them.

`ProgramError` is plain data (it becomes RunResult.error; `app/result.py` owns its shape). The
exceptions below are raised inside the interpreter; they derive from BaseException so that no
path through user-visible code can swallow them by accident (our own code catches `Exception`
around torch calls). The program's `try`/`except` catches a `ProgramException` only
(exceptions.py decides which): every other signal ends the run, whatever the program's
handlers say.
"""

from __future__ import annotations

from app.result import ProgramError

__all__ = [
    "DeadlineExceeded",
    "LimitExceeded",
    "PlaygroundSignal",
    "ProgramError",
    "ProgramException",
    "ProgramSyntaxError",
    "SandboxViolation",
]


class PlaygroundSignal(BaseException):
    """Base of the sandbox's own stop signals; user code can never catch these."""

    error_type = "PlaygroundSignal"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        col: int | None = None,
        limit: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.limit = limit

    def to_error(self) -> ProgramError:
        return ProgramError(self.error_type, self.message, self.line, self.col, self.limit)


class SandboxViolation(PlaygroundSignal):
    """A construct, name, attribute or torch function the playground does not allow."""

    error_type = "SandboxViolation"


class LimitExceeded(PlaygroundSignal):
    """A size, step or cost limit would be exceeded; `limit` names the Limits field."""

    error_type = "LimitExceeded"


class DeadlineExceeded(PlaygroundSignal):
    """The run's wall-clock deadline passed (checked at every step)."""

    error_type = "Timeout"


class ProgramSyntaxError(PlaygroundSignal):
    """The source does not parse (reported like CPython's SyntaxError, with line and column)."""

    error_type = "SyntaxError"


class ProgramException(PlaygroundSignal):
    """An exception of the program itself (a TypeError, torch's RuntimeError, an assert).

    The interpreter converts the real exception where it happened, so it carries the position of
    the innermost expression, and user code can never catch it.
    """

    def __init__(
        self,
        error_type: str,
        message: str,
        *,
        line: int | None = None,
        col: int | None = None,
        value: BaseException | None = None,
    ) -> None:
        super().__init__(message, line=line, col=col)
        self.error_type = error_type
        # The exception object the program sees in `except ... as e` (built on demand from
        # the type and message when None: see exceptions.py).
        self.value = value
