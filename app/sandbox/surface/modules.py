"""Cost of nn module construction and calls, and of optimizer steps, by formula from shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from app.sandbox.costs import (
    Estimate,
    broadcast_numel,
    conv_estimate,
    numel_of_shape,
    pool_estimate,
)

# Work per parameter element of one optimizer step (Adam keeps two moments and a few ops each).
STEP_COST_PER_ELEMENT = {"SGD": 4, "Adam": 12, "AdamW": 14, "RMSprop": 8, "Adagrad": 6}

# Modules whose constructor allocates parameters or buffers: their size is learnt by building
# the same module on the meta device first (no memory, no random numbers drawn), so no
# combination of arguments can allocate more than it pays for.
_ALLOCATING: tuple[type, ...] = (
    nn.Conv1d,
    nn.Conv2d,
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.LayerNorm,
    nn.Embedding,
)


def _int_arguments(args: Sequence[Any], kwargs: dict[str, Any], names: Sequence[str]) -> list[Any]:
    return [*args[: len(names)], *(kwargs.get(name) for name in names[len(args) :])]


def module_init_estimate(cls: type, args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    """The parameters and buffers a module constructor allocates, before it allocates them.

    nn.Linear(in, out) given two plain ints holds in*out weights (read directly: the hot path);
    any other spelling of a size (a 0-d tensor, a bool, an int subclass) and the conv, norm and
    embedding modules are built on the meta device, which allocates nothing, so no spelling of a
    size escapes the element limit. The other allowed modules hold nothing."""
    if cls is nn.Linear:
        sizes = [*args[:2], kwargs.get("in_features"), kwargs.get("out_features")]
        numbers = [s for s in sizes if type(s) is int]
        if len(numbers) >= 2 and len(args) + len(kwargs) == 2:
            elements = numel_of_shape(numbers[:2])
            return elements, max(elements, 1)
    if cls is nn.Linear or cls in _ALLOCATING:
        try:
            probe = cls(*args, **{**kwargs, "device": "meta"})
        except Exception:  # the real call raises torch's own error
            return 0, 1
        held = [t.numel() for t in (*probe.parameters(), *probe.buffers())]
        return sum(held), max(sum(held), 1)
    return 0, 1


def _meta_input(shape: list[int]) -> torch.Tensor:
    return torch.empty(shape, device="meta")


def _conv_call(module: nn.Conv1d | nn.Conv2d, shape: list[int]) -> tuple[list[int], int, int]:
    function = F.conv1d if isinstance(module, nn.Conv1d) else F.conv2d
    weight = module.weight.detach().to("meta")
    # padding_mode other than zeros pads first and convolves without padding: the same shape.
    args = (_meta_input(shape), weight, None, module.stride, module.padding, module.dilation)
    elements, cost = conv_estimate(function, (*args, module.groups), {})
    return _meta_shape(function, (*args, module.groups)) or shape, elements, cost


def _pool_call(module: nn.MaxPool2d | nn.AvgPool2d, shape: list[int]) -> tuple[list[int], int, int]:
    if isinstance(module, nn.MaxPool2d):
        function: Any = F.max_pool2d
        args: tuple[Any, ...] = (
            _meta_input(shape),
            module.kernel_size,
            module.stride,
            module.padding,
            module.dilation,
            module.ceil_mode,
        )
    else:
        function = F.avg_pool2d
        args = (
            _meta_input(shape),
            module.kernel_size,
            module.stride,
            module.padding,
            module.ceil_mode,
        )
    elements, cost = pool_estimate(function, args, {})
    return _meta_shape(function, args) or shape, elements, cost


def _meta_shape(function: Any, args: Sequence[Any]) -> list[int] | None:
    try:
        return list(function(*args).shape)
    except Exception:  # torch refuses the real call with its own message
        return None


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
    if isinstance(module, nn.Conv1d | nn.Conv2d):
        return _conv_call(module, shape)
    if isinstance(module, nn.MaxPool2d | nn.AvgPool2d):
        return _pool_call(module, shape)
    if isinstance(module, nn.Embedding):
        out_shape = [*shape, module.embedding_dim]
        elements = numel_of_shape(out_shape)
        return out_shape, elements, max(elements, 1)
    if isinstance(module, nn.Flatten | nn.Unflatten):
        probe = _meta_shape(module, (_meta_input(shape),))
        elements = numel_of_shape(shape)
        return probe or shape, elements, max(elements, 1)
    # Element-wise modules, norms, dropout, losses: the size of the input, a few passes.
    elements = numel_of_shape(shape)
    return shape, elements, max(elements, 1)


_PROPAGATED = (
    nn.Sequential,
    nn.Linear,
    nn.Conv1d,
    nn.Conv2d,
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.Embedding,
    nn.Flatten,
    nn.Unflatten,
)


def module_call_estimate(module: nn.Module, args: Sequence[Any]) -> Estimate:
    """`model(x)`: Linear costs batch*in*out, convolutions and pools their FLOPs (output size
    from meta tensors), Sequential the sum of its children."""
    if isinstance(module, _PROPAGATED) and args:
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
