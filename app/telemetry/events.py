"""One event per run: what the metrics count and the run log line says.

`outcome_of` runs in the worker on the finished result (plain data) so the web process never has
to decode a result to classify it. Events never hold the program's source or its output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The outcomes metrics label runs with. A program's own exception (RuntimeError, ValueError …)
# is "ProgramError": the label set stays small and fixed whatever programs raise.
SANDBOX_OUTCOMES = frozenset(
    {
        "ok",
        "Timeout",
        "LimitExceeded",
        "SandboxViolation",
        "SyntaxError",
        "MemoryError",
        "WorkerCrashed",
        "InternalError",
        "GraderError",
    }
)


def outcome_of(kind: str, result: dict[str, Any]) -> dict[str, Any]:
    """{"outcome", "limit"} of a finished job's result (a RunResult or a CheckResult)."""
    if kind == "check":
        if result.get("grader_error"):
            return {"outcome": "GraderError", "limit": None}
        result = result.get("run") or {}
    error = result.get("error")
    if not error:
        return {"outcome": "ok", "limit": None}
    return classify_error(error)


def classify_error(error: dict[str, Any]) -> dict[str, Any]:
    """The outcome label of an error dict ({"type", "limit", …})."""
    error_type = str(error.get("type") or "InternalError")
    outcome = error_type if error_type in SANDBOX_OUTCOMES else "ProgramError"
    limit = error.get("limit") if outcome in {"LimitExceeded", "Timeout"} else None
    return {"outcome": outcome, "limit": None if limit is None else str(limit)}


@dataclass
class RunEvent:
    """A finished job as the operators see it (no source, no output)."""

    kind: str
    outcome: str
    limit: str | None = None
    queue_wait_s: float = 0.0
    run_s: float = 0.0
    result_bytes: int = 0
    request_id: str | None = None
    client: str | None = None
    route: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_log_fields(self) -> dict[str, Any]:
        """The fields of the run's log line."""
        # A shallow copy, in field order (`asdict` deep-copied every field on each run).
        fields = dict(vars(self))
        fields.update(fields.pop("extra"))
        fields["queue_wait_ms"] = round(fields.pop("queue_wait_s") * 1000, 3)
        fields["run_ms"] = round(fields.pop("run_s") * 1000, 3)
        return fields
