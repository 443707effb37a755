"""The shape of a RunResult and of its error: the one place that writes their fields.

The runner (a finished run), the web process (a run whose worker gave no answer) and the grader
(a check whose run failed) all build results here, so a field cannot be added in one of them
and missed in another. Torch-free and framework-free on purpose: the web process imports it.
`tests/unit/test_result_shape.py` holds the keys to the pydantic schema (`app/schemas.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

API_VERSION = "1"
# The parts of a result a request may leave out (`include`), in the order they are built.
HEAVY_PARTS = ("graph", "timeline", "backward_trace")


@dataclass
class ProgramError:
    """Why a program stopped: exception class name, message, and where (1-based)."""

    type: str
    message: str
    line: int | None = None
    col: int | None = None
    limit: str | None = None
    hint: str | None = None
    hint_ko: str | None = None  # the same hint in Korean (sandbox/hints.py)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_result(
    *,
    torch_version: str,
    seed: Any,
    error: ProgramError | None,
    limits: Mapping[str, int | float],
    stdout: str = "",
    stdout_truncated: bool = False,
    warnings: list[dict[str, Any]] | None = None,
    elapsed_ms: float = 0.0,
) -> dict[str, Any]:
    """A whole RunResult with nothing captured: every heavy part None, nothing truncated.

    The runner fills in `variables`, the parts it captured and `timing_ms`; a result that never
    ran anything keeps the rest as it is (see `with_empty_parts`).
    """
    return {
        "api_version": API_VERSION,
        "torch_version": torch_version,
        "seed": seed,
        "ok": error is None,
        "error": None if error is None else error.as_dict(),
        "stdout": stdout,
        "stdout_truncated": stdout_truncated,
        "warnings": [] if warnings is None else warnings,
        "variables": {},
        "graph": None,
        "graph_truncated": False,
        "timeline": None,
        "timeline_truncated": False,
        "backward_trace": None,
        "backward_trace_truncated": False,
        "jacobian": None,
        # Values cut to keep the answer within limits.result_bytes (trace/result_budget.py).
        "result_truncated": False,
        "result_cut": [],
        "limits": dict(limits),  # a copy: callers may cache theirs
        "timing_ms": {"total": elapsed_ms},
    }


def included_parts(include: Iterable[str] | None) -> tuple[str, ...]:
    """The heavy parts a request asks for (`include`: None means all of them)."""
    if include is None:
        return HEAVY_PARTS
    wanted = set(include)
    return tuple(part for part in HEAVY_PARTS if part in wanted)


def with_empty_parts(result: dict[str, Any], parts: Sequence[str]) -> dict[str, Any]:
    """`result` with each part in `parts` present but empty, as a run that recorded nothing
    gives them (an included part is never null: api-v1.md)."""
    if "graph" in parts:
        result["graph"] = {"nodes": [], "edges": [], "modules": [], "modules_truncated": False}
    if "timeline" in parts:
        result["timeline"] = []
    if "backward_trace" in parts:
        result["backward_trace"] = []
    return result


def failure_error(failure: Mapping[str, Any]) -> ProgramError:
    """The error of a job that gave no answer (`{type, message, limit?, hint?, hint_ko?}`
    from the pool or the worker's failure frame)."""
    return ProgramError(
        str(failure.get("type", "InternalError")),
        str(failure.get("message", "")),
        limit=failure.get("limit"),
        hint=failure.get("hint"),
        hint_ko=failure.get("hint_ko"),
    )
