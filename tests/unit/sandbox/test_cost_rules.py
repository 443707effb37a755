"""Every allowed op is priced by a rule of its own: no rule falls back to another's estimate."""

from __future__ import annotations

import importlib

import pytest
import torch

from app.sandbox import allowlist, costs, torch_surface
from app.sandbox.allowlist import Kind
from app.sandbox.costs import (
    SHAPE_RULES,
    SURFACE_PRICED,
    TARGET_RULES,
    CostRule,
    PricedBySurface,
)

CALLABLE_KINDS = (Kind.FUNCTION, Kind.METHOD)


def _callable_entries() -> list[tuple[str, allowlist.Entry, object]]:
    entries: list[tuple[str, allowlist.Entry, object]] = []
    for path, table in allowlist.NAMESPACES.items():
        real = importlib.import_module(path)
        for name, entry in table.items():
            if entry.kind in CALLABLE_KINDS:
                entries.append((f"{path}.{name}", entry, getattr(real, name)))
    for name, entry in allowlist.TENSOR.items():
        if entry.kind is Kind.METHOD:
            entries.append((f"Tensor.{name}", entry, getattr(torch.Tensor, name)))
    return entries


def test_every_rule_is_priced_exactly_one_way() -> None:
    for rule in CostRule:
        ways = [rule in SHAPE_RULES, rule in SURFACE_PRICED, rule in TARGET_RULES]
        assert sum(ways) == 1, rule


ENTRIES = _callable_entries()


@pytest.mark.parametrize(
    ("qualified", "entry", "target"), ENTRIES, ids=[qualified for qualified, _, _ in ENTRIES]
)
def test_every_allowed_op_has_an_estimator(
    qualified: str, entry: allowlist.Entry, target: object
) -> None:
    estimator = costs.estimator_for(entry.cost, target)  # type: ignore[arg-type]
    if entry.cost in SURFACE_PRICED:
        # Priced by the surface from more than shapes: it must have a special path there.
        name = qualified.rsplit(".", 1)[-1]
        special = (
            name in torch_surface._SPECIAL_TENSOR_METHODS
            if qualified.startswith("Tensor.")
            else qualified in torch_surface._SPECIAL_FUNCTIONS
        )
        assert special, f"{qualified} names {entry.cost} but the surface has no path for it"
        return
    elements, cost = estimator((torch.ones(2, 2),), {})
    assert elements >= 0 and cost >= 1


def test_a_surface_priced_rule_never_silently_becomes_a_view_estimate() -> None:
    # Before: estimator_for fell back to the view estimate for any rule missing from its table,
    # so an op filed under the wrong rule was priced as a free reshape.
    estimator = costs.estimator_for(CostRule.BACKWARD, torch.sum)
    with pytest.raises(PricedBySurface):
        estimator((torch.ones(1000, 1000),), {})


def test_the_nuclear_norm_is_priced_as_the_svd_it_runs() -> None:
    estimator = costs.estimator_for(CostRule.NORM, torch.norm)
    matrix = torch.ones(500, 400)
    _, plain = estimator((matrix,), {})
    _, nuclear = estimator((matrix,), {"p": "nuc"})
    assert plain == matrix.numel()
    assert nuclear == 500 * 400 * 400 * costs.SVD_FLOPS_PER_MNK
    assert estimator((matrix, "nuc"), {})[1] == nuclear
