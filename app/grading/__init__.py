"""The grader: checks with assert_close semantics, scores, reference programs, platform formats.

Importing this package does not import torch: the web process uses its torch-free parts
(`scoring`, `platforms`); `run_checks` pulls in the runner only when a worker calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.sandbox.limits import Limits


def run_checks(
    request: dict[str, Any],
    limits: Limits,
    on_reference: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Grade one CheckRequest in this process (a worker, or the offline CLI)."""
    from app.grading.checks import run_checks as grade

    return grade(request, limits, on_reference=on_reference)


__all__ = ["run_checks"]
