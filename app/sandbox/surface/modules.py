"""Cost of nn module construction and calls, and of optimizer steps, by formula from shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from app.sandbox.costs import Estimate, broadcast_numel, numel_of_shape

# Work per parameter element of one optimizer step (Adam keeps two moments and a few ops each).
STEP_COST_PER_ELEMENT = {"SGD": 4, "Adam": 12}


def module_init_estimate(cls: type, args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    """The parameters a module constructor allocates: nn.Linear(in, out) holds in*out weights.

    Sizes given as plain ints are read directly; anything else torch accepts as a size (a
    0-d tensor, a bool, an int subclass) is learnt by building the module on the meta device,
    which allocates nothing, so no spelling of a size escapes the element limit."""
    if not _HOLDS_PARAMETERS.get(cls, False):
        return 0, 1
    sizes = [*args[:2], kwargs.get("in_features"), kwargs.get("out_features")]
    numbers = [s for s in sizes if type(s) is int]
    if len(numbers) >= 2 and len(args) + len(kwargs) == 2:
        elements = numel_of_shape(numbers[:2])
        return elements, max(elements, 1)
    try:
        meta = cls(*args, **{**kwargs, "device": "meta"})
    except Exception:  # the real constructor raises torch's own error
        return 0, 1
    elements = sum(p.numel() for p in meta.parameters())
    largest = max((p.numel() for p in meta.parameters()), default=0)
    return largest, max(elements, 1)


# Allowed module classes whose constructor allocates parameters from size arguments.
_HOLDS_PARAMETERS: dict[type, bool] = {nn.Linear: True}


def _propagate(module: nn.Module, shape: list[int]) -> tuple[list[int], int, int]:
    """Output shape, largest intermediate and cost of `module` applied to `shape`."""
    if isinstance(module, nn.Sequential):
        total_cost, largest = 0, numel_of_shape(shape)
        for child in module:
            shape, child_largest, child_cost = _propagate(child, shape)
            total_cost += child_cost
            largest = max(largest, child_largest)
        return shape, largest, max(total_cost, 1)
    if isinstance(module, nn.Linear):
        rows = numel_of_shape(shape[:-1]) if shape else 1
        out_shape = [*shape[:-1], module.out_features] if shape else [module.out_features]
        elements = rows * module.out_features
        return out_shape, elements, max(rows * module.in_features * module.out_features, 1)
    elements = numel_of_shape(shape)
    return shape, elements, max(elements, 1)


def module_call_estimate(module: nn.Module, args: Sequence[Any]) -> Estimate:
    """`model(x)`: Linear costs batch*in*out, Sequential the sum of its children."""
    if isinstance(module, nn.Sequential | nn.Linear) and args:
        first = args[0]
        if isinstance(first, torch.Tensor):
            _, largest, cost = _propagate(module, list(first.shape))
            return largest, cost
    elements = broadcast_numel(args)
    return elements, max(elements, 1)


def optimizer_step_estimate(optimizer: torch.optim.Optimizer) -> Estimate:
    """One step touches every parameter a few times (and Adam allocates two moments)."""
    per_element = STEP_COST_PER_ELEMENT.get(type(optimizer).__name__, 12)
    elements = sum(p.numel() for group in optimizer.param_groups for p in group["params"])
    return elements, max(elements * per_element, 1)
