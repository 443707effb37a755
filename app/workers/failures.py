"""RunResults for runs whose worker could not answer (deadline passed, process crashed).

Built in the web process, so they must have the same shape as the runner's results: the page
and the graders read `ok` and `error` from every result the same way.
"""

from __future__ import annotations

from typing import Any

from app.sandbox.limits import Limits

ALL_PARTS = ("graph", "timeline", "backward_trace")


def failed_run_result(
    failure: dict[str, Any],
    request: dict[str, Any],
    limits: Limits,
    torch_version: str,
    elapsed_ms: float,
) -> dict[str, Any]:
    """A RunResult with ok false and `failure` ({type, message, limit?}) as its error."""
    include = request.get("include")
    parts = ALL_PARTS if include is None else include
    result: dict[str, Any] = {
        "api_version": "1",
        "torch_version": torch_version,
        "seed": request.get("seed", 0),
        "ok": False,
        "error": {
            "type": failure.get("type", "InternalError"),
            "message": failure.get("message", ""),
            "line": None,
            "col": None,
            "limit": failure.get("limit"),
            "hint": None,
            "hint_ko": None,
        },
        "stdout": "",
        "stdout_truncated": False,
        "warnings": [],
        "variables": {},
    }
    if "graph" in parts:
        result["graph"] = {"nodes": [], "edges": [], "modules": []}
    if "timeline" in parts:
        result["timeline"] = []
        result["timeline_truncated"] = False
    if "backward_trace" in parts:
        result["backward_trace"] = []
    result["jacobian"] = None
    result["limits"] = limits.as_dict()
    result["timing_ms"] = {"total": elapsed_ms}
    return result
