"""The test oracle: run a program in real CPython + real torch and record what it did.

`exec` is fine here: this is the reference the sandbox is compared against, never the server.
The record has the same shape as the parts of a RunResult the differential tests compare:
stdout, error (type, message, line, col), warnings and the final tensor variables encoded the
way the API encodes them.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import math
import random
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

PROGRAM_FILENAME = "<program>"

# CPython prints grad_fn objects with their address; the playground shows none.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# torch appends the C++ source location of a warning, a path on the machine that built torch.
_TRIGGERED_INTERNALLY = re.compile(r"\s*\(Triggered internally at [^)]*\)")


# Messages CPython words differently before or after 3.11, whose words the playground speaks: the
# oracle translates its own wording to 3.11's, so the 3.11 comparison stays exact (columns: see
# _error_position).
_AS_3_11_WORDING: list[tuple[re.Pattern[str], str]] = []
if sys.version_info < (3, 11):
    _AS_3_11_WORDING.append(
        (
            re.compile(r"^local variable '(\w+)' referenced before assignment$"),
            r"cannot access local variable '\1' where it is not associated with a value",
        )
    )
if sys.version_info >= (3, 12):
    _AS_3_11_WORDING += [
        (
            re.compile(r"^(min|max)\(\) iterable argument is empty$"),
            r"\1() arg is an empty sequence",
        ),
        # The compiler's SyntaxWarning names the literal's type from 3.12 on.
        (re.compile(r'^("is(?: not)?") with \'\w+\' literal\.'), r"\1 with a literal."),
    ]
if sys.version_info >= (3, 13):
    # 3.13 suggests the nearest keyword of the signature; 3.11 names the unexpected one only.
    _AS_3_11_WORDING.append(
        (
            re.compile(r"^(.* got an unexpected keyword argument '\w+')\. Did you mean '\w+'\?$"),
            r"\1",
        )
    )


# Statements whose error *column* CPython moved after 3.11 (the line stays): from 3.12 a tensor's
# ambiguous truth in `if` is on the condition; 3.12 alone puts a failing `assert <expr>` on the
# whole statement; 3.13 puts a constant `assert []` on its test and a non-iterable `for` on its
# iterable. The playground speaks 3.11's columns on every host, so on those hosts an error on such
# a line keeps its line and drops its column (compared as before 3.11, which has no columns).
# From 3.12 comprehensions are inlined (PEP 709): an unhashable key or item of a dict or set
# comprehension is reported at that element, where 3.11 names the opening brace.
_IF_CONDITION = re.compile(r"^\s*if \w+:\s*$")
_BRACE_COMPREHENSION = re.compile(r"^\s*\w+ = \{\w+( for |:)")
_COLUMN_MOVED_AFTER_3_11: dict[tuple[int, int], tuple[re.Pattern[str], ...]] = {
    (3, 12): (_IF_CONDITION, re.compile(r"^\s*assert (?!\[\]\s*$)"), _BRACE_COMPREHENSION),
    (3, 13): (
        _IF_CONDITION,
        _BRACE_COMPREHENSION,
        re.compile(r"^\s*assert \[\]\s*$"),
        re.compile(r"^\s*for \w+ in \d+:"),
    ),
}


def column_moved_after_3_11(source: str, line: int | None) -> bool:
    """True when this host's CPython places an error on `line` unlike 3.11 does."""
    lines = re.split(r"\r\n|\r|\n", source)
    if line is None or not 0 < line <= len(lines):
        return False
    patterns = _COLUMN_MOVED_AFTER_3_11.get(sys.version_info[:2], ())
    return any(pattern.match(lines[line - 1]) for pattern in patterns)


def as_3_11_wording(message: str) -> str:
    """The message as CPython 3.11 words it (unchanged on 3.11 and later)."""
    for pattern, replacement in _AS_3_11_WORDING:
        message = pattern.sub(replacement, message)
    return message


def strip_addresses(text: str) -> str:
    """Remove ` at 0x…` from object reprs (CPython's grad_fn reprs carry one)."""
    return _ADDRESS.sub("", text)


def strip_build_paths(message: str) -> str:
    """Remove torch's '(Triggered internally at /build/path…)' suffix from a message."""
    return _TRIGGERED_INTERNALLY.sub("", message)


@dataclass
class ReferenceRun:
    """What real CPython + torch did with one program."""

    stdout: str
    error: dict[str, Any] | None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    tensors: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The program's final globals (real objects), for tests that compute more from them.
    namespace: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None


def reset_torch_state(seed: int) -> None:
    """Put torch's global state where the playground promises a program starts."""
    torch.manual_seed(seed)
    random.seed(seed)  # the playground seeds Python's random from the request's seed too
    torch.set_grad_enabled(True)
    torch.set_default_dtype(torch.float32)
    torch.set_printoptions(profile="default", sci_mode=None)
    torch.autograd.set_detect_anomaly(False)
    torch.set_default_device(None)  # a program's set_default_device would outlive it


def json_safe(value: Any) -> Any:
    """Encode `tolist()` output as the API does: NaN and infinities become strings."""
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "nan"
        return "inf" if value > 0 else "-inf"
    return value


# A field torch itself refuses to read (e.g. `is_leaf`/`grad_fn` of a no_grad view whose base
# was later changed in place: torch raises, its repr shows `grad_fn=<Invalid>`). There is no
# CPython value to compare with, so the comparison skips it.
UNREADABLE = "<unreadable>"


def _read(tensor: torch.Tensor, field_name: str) -> Any:
    try:
        return getattr(tensor, field_name)
    except RuntimeError:
        return UNREADABLE


def encode_tensor(tensor: torch.Tensor) -> dict[str, Any]:
    """Encode a tensor like RunResult.variables does (grad read without emitting a warning)."""
    with warnings.catch_warnings():
        # Reading .grad of a non-leaf warns; the oracle's own reads must not be recorded.
        warnings.simplefilter("ignore")
        grad = _read(tensor, "grad")
    grad_fn = _read(tensor, "grad_fn")
    if grad_fn is not None and grad_fn is not UNREADABLE:
        # The class name, as in the tensor's repr (`grad_fn=<CopySlices>`) and the RunResult of
        # the architecture; `name()` differs for a few C++ nodes ('torch::autograd::CopySlices').
        grad_fn = type(grad_fn).__name__
    return {
        "shape": list(tensor.shape),
        "dtype": str(tensor.dtype).removeprefix("torch."),
        "requires_grad": _read(tensor, "requires_grad"),
        "is_leaf": _read(tensor, "is_leaf"),
        "grad_fn": grad_fn,
        "value": json_safe(tensor.detach().tolist()),
        "grad": grad if grad is None or grad is UNREADABLE else json_safe(grad.detach().tolist()),
    }


def _innermost_program_line() -> int | None:
    """Line of the innermost frame executing the program (for warnings raised inside torch)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == PROGRAM_FILENAME:
            return frame.f_lineno
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _error_position(error: BaseException, source: str) -> tuple[int | None, int | None]:
    """1-based line and column of the failing instruction in the program's own code.

    Code objects hold UTF-8 byte offsets; the column is in characters, as CPython's traceback
    shows it (a SyntaxError's offset already is).
    """
    if isinstance(error, SyntaxError):
        return error.lineno, error.offset
    line: int | None = None
    col: int | None = None
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == PROGRAM_FILENAME:
            line = tb.tb_lineno
            # Columns exist from CPython 3.11 on (PEP 657); before, the oracle has none and
            # compare.py compares the line only.
            positions = list(code.co_positions()) if hasattr(code, "co_positions") else []
            index = tb.tb_lasti // 2
            start_col = positions[index][2] if 0 <= index < len(positions) else None
            col = None if start_col is None else _characters(source, line, start_col) + 1
        tb = tb.tb_next
    return line, col


def _characters(source: str, line: int | None, byte_offset: int) -> int:
    lines = re.split(r"\r\n|\r|\n", source)
    if line is None or not 0 < line <= len(lines):
        return byte_offset
    return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


# torch classes whose __name__ is private; the playground reports the public name (lead's
# decision in docs/sandbox-findings.md: torch.linalg.LinAlgError, whose __name__ is _LinAlgError).
PUBLIC_ERROR_NAMES: dict[type, str] = {torch.linalg.LinAlgError: "LinAlgError"}


def _encode_error(error: BaseException, source: str) -> dict[str, Any]:
    line, col = _error_position(error, source)
    if column_moved_after_3_11(source, line):
        col = None
    message = error.msg if isinstance(error, SyntaxError) else str(error)
    return {
        "type": PUBLIC_ERROR_NAMES.get(type(error), type(error).__name__),
        "message": as_3_11_wording(strip_build_paths(message)),
        "line": line,
        "col": col,
    }


def _first_occurrences(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep each (category, message, line) once, as CPython's default warning filter does."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for record in records:
        key = (record["category"], record["message"], record["line"])
        if key not in seen:
            seen.add(key)
            kept.append(record)
    return kept


def run_reference(source: str, seed: int = 0) -> ReferenceRun:
    """Run `source` as a script in this process with fresh torch state and record the result."""
    reset_torch_state(seed)
    stdout = io.StringIO()
    records: list[dict[str, Any]] = []

    def record_warning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        where = lineno if filename == PROGRAM_FILENAME else _innermost_program_line()
        records.append(
            {
                "category": category.__name__,
                "message": as_3_11_wording(strip_build_paths(str(message))),
                "line": where,
            }
        )

    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    error: dict[str, Any] | None = None
    with warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
        warnings.simplefilter("always")
        warnings.showwarning = record_warning
        try:
            code = compile(source, PROGRAM_FILENAME, "exec")
            exec(code, namespace)
        except Exception as exc:  # the oracle records every program error
            error = _encode_error(exc, source)
    tensors = {
        name: encode_tensor(value)
        for name, value in namespace.items()
        if name[:1].isalpha() and isinstance(value, torch.Tensor)
    }
    reset_torch_state(seed)
    return ReferenceRun(
        stdout=strip_addresses(stdout.getvalue()),
        error=error,
        warnings=_first_occurrences(records),
        tensors=tensors,
        namespace=namespace,
    )


_REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
_FRESH_PROCESS_SCRIPT = """
import json, sys
from tests.differential.oracle import run_reference
run = run_reference(sys.stdin.read(), int(sys.argv[1]))
fields = ("stdout", "error", "warnings", "tensors")
print(json.dumps({name: getattr(run, name) for name in fields}))
"""


def run_reference_in_fresh_process(source: str, seed: int = 0) -> ReferenceRun:
    """Run the oracle in a new interpreter: what a student's own `python prog.py` would see.

    Needed for torch's warn-once warnings (TORCH_WARN_ONCE), which a process emits only the
    first time, so an in-process oracle would depend on what ran before it.
    """
    completed = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS_SCRIPT, str(seed)],
        input=source,
        capture_output=True,
        text=True,
        cwd=_REPOSITORY_ROOT,
        timeout=120,
        check=True,
    )
    data = json.loads(completed.stdout.splitlines()[-1])
    return ReferenceRun(**data)
