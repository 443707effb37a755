"""RunResults for runs whose worker could not answer (deadline passed, process crashed).

Built in the web process by `app/result.py`, the owner of the shape, so they are shaped as the
runner's results for a program that recorded nothing: the page and the graders read every
result the same way.
"""

from __future__ import annotations

from typing import Any

from app.result import failure_error, included_parts, run_result, with_empty_parts
from app.sandbox.limits import Limits


def failed_run_result(
    failure: dict[str, Any],
    request: dict[str, Any],
    limits: Limits,
    torch_version: str,
    elapsed_ms: float,
) -> dict[str, Any]:
    """A RunResult with ok false and `failure` ({type, message, limit?}) as its error."""
    result = run_result(
        torch_version=torch_version,
        seed=request.get("seed", 0),
        error=failure_error(failure),
        limits=limits.as_dict(),
        elapsed_ms=elapsed_ms,
    )
    return with_empty_parts(result, included_parts(request.get("include")))
