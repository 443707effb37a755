"""What a worker does with a job: dispatch by kind to the core (runs inside worker processes only).

The zygote calls `prepare()` once, before it forks any worker, so that torch, the runner and the
grader are imported and warmed up a single time and shared copy-on-write by every worker.
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Callable
from typing import Any

from app.sandbox.limits import Limits


def prepare(limits: Limits) -> dict[str, Any]:
    """Import and warm up the core; return what the web process needs to know about it."""
    import torch

    from app.examples import EXAMPLES
    from app.runner import run_program

    # Every built-in example once: the first use of torch.optim, nn modules, autograd.functional
    # and friends costs seconds of lazy initialisation, which forked workers then inherit done.
    # The examples' own deadline would be the wrong judge of this one-off cost.
    warm_up_limits = dataclasses.replace(limits, seconds=max(limits.seconds, 120.0))
    for example in EXAMPLES:
        run_program(example.source, seed=0, limits=warm_up_limits)
    return {"torch_version": torch.__version__, "capabilities": _capabilities()}


def _capabilities() -> dict[str, Any] | None:
    # The table is built from the allow-list, which imports torch: build it here so that the
    # web process never has to import torch itself.
    # A broken table must not take the run service down with it: /capabilities answers 503.
    try:
        module = importlib.import_module("app.sandbox.capabilities")
        table: dict[str, Any] = module.capabilities()
    except Exception as error:
        print(f"zygote: no capability table: {error!r}", file=sys.stderr)
        return None
    return table


Report = Callable[[dict[str, Any]], None]


def handle(
    kind: str, request: dict[str, Any], limits: Limits, report: Report | None = None
) -> dict[str, Any]:
    """Run one job and return its plain-data result.

    `report` tells the web process which phase the job is in: a check job reports
    `{"phase": "reference", "run": <the student's run>}` before its reference program starts, so
    that a kill or crash from then on is the grader's error, not the student's.
    """
    if kind == "run":
        from app.runner import run_program

        result: dict[str, Any] = run_program(
            request["source"],
            seed=request.get("seed", 0),
            backward=request.get("backward"),
            jacobian=request.get("jacobian"),
            include=request.get("include"),
            limits=limits,
        )
        return result
    if kind == "check":
        # The grader's package; imported by name so the worker does not depend on it to start.
        grading = importlib.import_module("app.grading")
        checked: dict[str, Any] = grading.run_checks(request, limits, on_reference=report)
        return checked
    raise ValueError(f"unknown job kind {kind!r}")
