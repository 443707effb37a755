"""Partial credit for a numeric check that failed at its own tolerance.

Two rules a problem file may give a check (`partial`):

- `"fraction"`: the share of elements that are within the check's tolerance (torch.isclose, the
  elementwise rule assert_close applies), when the shapes match;
- tiers, e.g. `[{atol = 1e-2, credit = 0.5}, {atol = 1e-1, credit = 0.25}]`: the credit of the
  first tier whose looser tolerance the whole value passes (assert_close at that rtol/atol).

Runs in the worker (torch). Returns the fraction of the check's points earned, in [0, 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from app.grading.compare import default_tolerances
from app.grading.values import as_numeric_tensor

FRACTION = "fraction"
NONE = "none"


@dataclass(frozen=True)
class Credit:
    """The fraction of the points earned and what earned it (for the message)."""

    fraction: float
    reason: str  # "fraction" or "tier"
    within: int = 0
    total: int = 0
    tier: dict[str, float] | None = None


def _numeric_pair(actual: Any, expected: Any) -> tuple[torch.Tensor, torch.Tensor] | None:
    a, e = as_numeric_tensor(actual), as_numeric_tensor(expected)
    if a is None or e is None or a.shape != e.shape or a.is_complex() or e.is_complex():
        return None
    common = torch.promote_types(a.dtype, e.dtype)
    return a.to(common), e.to(common)


def _tolerances(
    a: torch.Tensor, e: torch.Tensor, rtol: float | None, atol: float | None
) -> tuple[float, float]:
    default_rtol, default_atol = default_tolerances(a.dtype, e.dtype)
    return (default_rtol if rtol is None else rtol, default_atol if atol is None else atol)


def partial_credit(
    partial: Any, actual: Any, expected: Any, rtol: float | None, atol: float | None
) -> Credit | None:
    """The credit `partial` gives a failed comparison, or None when it gives nothing."""
    if partial is None or partial == NONE:
        return None
    pair = _numeric_pair(actual, expected)
    if pair is None:
        return None
    a, e = pair
    if partial == FRACTION:
        rtol, atol = _tolerances(a, e, rtol, atol)
        close = torch.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
        total = close.numel()
        within = int(close.sum())
        if total == 0 or within == 0:
            return None
        return Credit(within / total, FRACTION, within=within, total=total)
    for tier in partial:
        tier_rtol, tier_atol = _tolerances(a, e, tier.get("rtol"), tier.get("atol"))
        try:
            torch.testing.assert_close(
                a, e, rtol=tier_rtol, atol=tier_atol, equal_nan=True, check_dtype=False
            )
        except AssertionError:
            continue
        return Credit(float(tier["credit"]), "tier", tier={"rtol": tier_rtol, "atol": tier_atol})
    return None


def award_partial_credit(entry: dict[str, Any], credit: Credit) -> None:
    """Give a failed check's entry its share of points and say why in its message."""
    entry["points"] = entry["max_points"] * credit.fraction
    if credit.reason == FRACTION:
        why = f"{credit.within} of {credit.total} elements are within tolerance"
    else:
        assert credit.tier is not None
        why = (
            f"within the looser tolerance rtol={credit.tier['rtol']:g}, "
            f"atol={credit.tier['atol']:g}"
        )
    entry["message"] = (
        f"{entry['message']} Partial credit: {why} "
        f"({entry['points']:g} of {entry['max_points']:g} points)."
    )
    entry["partial"] = credit.fraction
