"""Live tensor bytes: what the program's ops allocated and still hold.

Element and cost limits bound one op; they do not stop a loop that keeps a thousand 4 MB
tensors in a list. Each new (non-view) tensor result of at least `TRACKED_ELEMENTS` elements is
counted until it is garbage collected (weakref.finalize); smaller ones are left out because the
step limit already bounds how many a run can make, and finalizers cost microseconds.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch

from app.sandbox.context import RunContext

TRACKED_ELEMENTS = 256
# Bytes an element may take before the op runs and the dtype is known (float64/int64).
MAX_ELEMENT_BYTES = 8


def _release(ctx: RunContext, nbytes: int) -> None:
    ctx.live_tensor_bytes -= nbytes


def check_room(elements: int, what: str, ctx: RunContext) -> None:
    """Refuse an op whose result would not fit in the live-bytes budget, before it runs."""
    if elements < TRACKED_ELEMENTS:
        return
    needed = elements * MAX_ELEMENT_BYTES
    limit = ctx.limits.live_tensor_bytes
    if ctx.live_tensor_bytes + needed > limit:
        raise ctx.limit_exceeded(
            "live_tensor_bytes",
            f"{what} would need {needed:,} more bytes while the program already holds "
            f"{ctx.live_tensor_bytes:,} bytes of tensors; at most {limit:,} may be alive.",
        )


def _track_one(tensor: torch.Tensor, ctx: RunContext) -> None:
    if tensor.numel() < TRACKED_ELEMENTS or tensor._is_view():
        return
    nbytes = tensor.numel() * tensor.element_size()
    ctx.live_tensor_bytes += nbytes
    weakref.finalize(tensor, _release, ctx, nbytes)


def track(result: Any, ctx: RunContext) -> None:
    """Count the tensors of an op's result (one tensor or a tuple of them)."""
    if isinstance(result, torch.Tensor):
        if result.numel() >= TRACKED_ELEMENTS:  # the common small result: no call at all
            _track_one(result, ctx)
    elif isinstance(result, tuple):
        for item in result:
            if isinstance(item, torch.Tensor):
                _track_one(item, ctx)
