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
        elif trigger == "create_graph":
            leaf = torch.ones(1, requires_grad=True)
            (leaf * leaf).sum().backward(create_graph=True)
            leaf.grad = None  # break the cycle the warning is about
    if not caught:
        return None  # torch already warned in this process, or no longer warns
    return str(caught[0].message), caught[0].category


# `x.T` on a tensor that is not 2-D.
TRANSPOSE_NOT_2D = _learn("T")
# backward(create_graph=True): the engine warns as it starts, even if the pass then fails.
BACKWARD_CREATE_GRAPH = _learn("create_graph")

# Errors torch raises while preparing a backward pass, before the engine starts (and warns).
_BEFORE_ENGINE_ERRORS = (
    "grad can be implicitly created only for scalar outputs",
    "Mismatch in shape",
    "`inputs` argument to `backward()` cannot be empty",
)


def _emit(key: str, learned: tuple[str, type[Warning]] | None, ctx: RunContext) -> None:
    if learned is None or key in ctx.warned_once:
        return
    ctx.warned_once.add(key)
    message, category = learned
    warnings.warn(message, category, stacklevel=3)


def engine_started(error: BaseException | None) -> bool:
    """Whether a backward pass that ended with `error` got as far as the engine."""
    if error is None:
        return True
    if not isinstance(error, RuntimeError):
        return False
    return not any(text in str(error) for text in _BEFORE_ENGINE_ERRORS)


def warn_backward_create_graph(ctx: RunContext) -> None:
    """Emit torch's create_graph reference-cycle warning once per run."""
    _emit("create_graph", BACKWARD_CREATE_GRAPH, ctx)


def warn_transpose(tensor: torch.Tensor, ctx: RunContext) -> None:
    """Emit torch's `x.T` deprecation warning once per run, as a fresh process would."""
    if tensor.dim() != 2:
        _emit("T", TRANSPOSE_NOT_2D, ctx)
