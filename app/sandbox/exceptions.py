"""The program's exceptions: the classes it may name, the objects `except ... as e` binds, and
which of the interpreter's signals a `try` may catch at all.

Only a `ProgramException` (an error of the program itself: a TypeError, torch's RuntimeError,
the program's own `raise`) is catchable. `LimitExceeded`, `Timeout`, `SandboxViolation`,
a syntax error and running out of memory end the run whatever handlers the program has: they
are different classes (errors.py), and `catchable` refuses the one ProgramException that is
really the memory guard.

The object a handler binds is a fresh instance of a real exception class built from plain
data (the message, or plain-value arguments): it never carries a traceback, a frame, a cause
or a context, and its only readable attribute is `args`.
"""

from __future__ import annotations

import builtins as python_builtins
from typing import Any

from app.sandbox.errors import ProgramException

# The exception classes a program can name (`except ValueError`, `raise KeyError(k)`), bound
# as builtins. BaseException is a spelling, not a door: signals are not ProgramExceptions.
EXCEPTION_NAMES: tuple[str, ...] = (
    "BaseException",
    "Exception",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "IndexError",
    "KeyError",
    "LookupError",
    "NameError",
    "NotImplementedError",
    "OverflowError",
    "RuntimeError",
    "StopIteration",
    "TypeError",
    "ValueError",
    "ZeroDivisionError",
)
EXCEPTION_CLASSES: dict[str, type[BaseException]] = {
    name: getattr(python_builtins, name) for name in EXCEPTION_NAMES
}

# Every builtin exception class by name: an error reported by type name only (a NameError of
# the interpreter, torch's errors) is rebuilt as its real class so that `except` matches it.
_BUILTIN_EXCEPTIONS: dict[str, type[BaseException]] = {
    name: value
    for name, value in vars(python_builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}

# Errors that are the sandbox's memory guard, not the program's: never catchable.
_UNCATCHABLE_TYPES = frozenset({"MemoryError"})

# Argument types an exception may keep as they are (the program's own data); anything else
# (an object of torch's or of the interpreter's) is replaced by the message text.
_PLAIN_ARGUMENTS = (str, int, float, bool, type(None))

# Where an exception object was first raised, as CPython's traceback keeps it: re-raising the
# same object (`raise e`, bare `raise`) reports that position. Stored on the instance under a
# name the program cannot spell (no attribute starting with '_' passes the validator).
_POSITION = "_playground_position"


def catchable(signal: ProgramException) -> bool:
    """True when the program's `except` clauses may see this signal."""
    return signal.error_type not in _UNCATCHABLE_TYPES


def _plain_arguments(arguments: tuple[Any, ...]) -> bool:
    for argument in arguments:
        if type(argument) is tuple:
            if not _plain_arguments(argument):
                return False
        elif type(argument) not in _PLAIN_ARGUMENTS:
            return False
    return True


def program_value(error: BaseException, message: str) -> BaseException:
    """The object the program sees for a real exception raised by an operation: the same
    class (a builtin, or torch's own such as LinAlgError), holding plain data only."""
    kind = type(error)
    arguments: tuple[Any, ...] = error.args
    if not _plain_arguments(arguments) or (
        kind not in _BUILTIN_EXCEPTIONS.values() and arguments != (message,)
    ):
        arguments = (message,)
    try:
        value = kind(*arguments)
    except Exception:  # a class of torch's that wants other arguments: its builtin base
        base = next(c for c in kind.__mro__ if c in _BUILTIN_EXCEPTIONS.values())
        value = base(message)
    return value


def exception_value(signal: ProgramException) -> BaseException:
    """The object `except ... as e` binds for `signal` (built once, then kept on it)."""
    value = signal.value
    if value is None:
        kind = _BUILTIN_EXCEPTIONS.get(signal.error_type, RuntimeError)
        value = kind(signal.message) if signal.message else kind()
        signal.value = value
    if getattr(value, _POSITION, None) is None:
        setattr(value, _POSITION, (signal.line, signal.col))
    return value


def raise_value(
    value: Any, line: int, col: int, to_str: Any = str, to_repr: Any = repr
) -> ProgramException:
    """The signal for `raise value` at (line, col): a class is instantiated first; an object
    raised before keeps its first position, as in CPython's traceback."""
    if isinstance(value, type) and issubclass(value, BaseException):
        value = value()
    if not isinstance(value, BaseException):
        return ProgramException(
            "TypeError", "exceptions must derive from BaseException", line=line, col=col
        )
    position = getattr(value, _POSITION, None)
    if position is not None:
        line, col = position
    else:
        setattr(value, _POSITION, (line, col))
    return ProgramException(
        type(value).__name__.lstrip("_"),
        exception_str(value, to_str, to_repr),
        line=line,
        col=col,
        value=value,
    )


def check_cause(cause: Any, line: int, col: int) -> None:
    """`raise X from cause`: CPython checks the cause (and then only links it)."""
    if cause is None or isinstance(cause, BaseException):
        return
    if isinstance(cause, type) and issubclass(cause, BaseException):
        return
    raise ProgramException(
        "TypeError", "exception causes must derive from BaseException", line=line, col=col
    )


def handler_types(value: Any) -> tuple[type[BaseException], ...]:
    """The classes an `except` clause names; CPython's TypeError for anything else."""
    classes = value if type(value) is tuple else (value,)
    for item in classes:
        if not (isinstance(item, type) and issubclass(item, BaseException)):
            raise TypeError(
                "catching classes that do not inherit from BaseException is not allowed"
            )
    return classes


def exception_str(value: BaseException, to_str: Any = str, to_repr: Any = repr) -> str:
    """`str(e)`: CPython's rules (KeyError shows its key's repr), values formatted by the
    interpreter's own `str`/`repr` (no addresses, torch's text for tensors)."""
    arguments = value.args
    if not arguments:
        return ""
    if len(arguments) == 1:
        if isinstance(value, KeyError):
            return str(to_repr(arguments[0]))
        return str(to_str(arguments[0]))
    return str(to_repr(arguments))


def exception_repr(value: BaseException, to_repr: Any = repr) -> str:
    """`repr(e)`: `ValueError('x')`, `KeyError(3)`, `RuntimeError()`."""
    name = type(value).__name__
    arguments = value.args
    if len(arguments) == 1:
        return f"{name}({to_repr(arguments[0])})"
    return f"{name}{to_repr(arguments)}"


def exception_attribute(value: BaseException, name: str) -> Any:
    """`e.args` is the only attribute of an exception a program reads."""
    if name == "args":
        return value.args
    return None  # the caller refuses it


def construct(kind: type[BaseException], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """`ValueError("bad", 3)`: the builtin classes take no keywords."""
    if kwargs:
        raise TypeError(f"{kind.__name__}() takes no keyword arguments")
    return kind(*args)
