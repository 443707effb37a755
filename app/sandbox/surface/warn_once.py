"""torch's warn-once warnings, shown once per run instead of once per process.

torch emits some warnings once per process (C++ TORCH_WARN_ONCE): in a reused worker the
second run would not see what a fresh Python shows. For the ones the language can trigger we
learn torch's exact text once, at import (which also uses up torch's own "once"), and emit it
ourselves on the first occurrence in each run.
"""

from __future__ import annotations

import warnings

import torch

from app.sandbox.context import RunContext


def _learn(trigger: str) -> tuple[str, type[Warning]] | None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if trigger == "T":
            _ = torch.zeros(3).T
    if not caught:
        return None  # torch already warned in this process, or no longer warns
    return str(caught[0].message), caught[0].category


# `x.T` on a tensor that is not 2-D.
TRANSPOSE_NOT_2D = _learn("T")


def warn_transpose(tensor: torch.Tensor, ctx: RunContext) -> None:
    """Emit torch's `x.T` deprecation warning once per run, as a fresh process would."""
    if tensor.dim() == 2 or TRANSPOSE_NOT_2D is None or "T" in ctx.warned_once:
        return
    ctx.warned_once.add("T")
    message, category = TRANSPOSE_NOT_2D
    warnings.warn(message, category, stacklevel=2)
