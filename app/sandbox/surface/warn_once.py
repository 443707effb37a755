"""torch's warn-once warnings, shown once per run instead of once per process.

torch emits some warnings once per process (C++ TORCH_WARN_ONCE): in a reused worker the
second run would not see what a fresh Python shows, and a program could learn from their absence
what an earlier program did. So no run can use them up: `reset()` (called before every run by
`process_state`) keeps torch's "warn always" switch on, which makes every TORCH_WARN_ONCE site
warn every time. A fresh Python shows such a warning once, at its first line: the interpreter
keeps the first of each message in `ONCE_PER_PROCESS` (the ones the language can reach, learned
from torch's own text at import) and drops its repeats at other lines. A once-only warning that
is not in the table would be shown at each line that triggers it: more than a fresh Python
shows, never less, and never depending on an earlier run.

For the two the language reaches, the surface also emits torch's text itself on the first
occurrence in each run (`warn_transpose`, `warn_backward_create_graph`), which keeps them right
in a process where something turned the switch off.
"""

from __future__ import annotations

import warnings

import torch

from app.sandbox.context import RunContext
from app.sandbox.sanitize import sanitize_message


def _learn(trigger: str) -> tuple[str, type[Warning]] | None:
    previous = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # even if this process already used the site up
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if trigger == "T":
                _ = torch.zeros(3).T
            elif trigger == "create_graph":
                leaf = torch.ones(1, requires_grad=True)
                (leaf * leaf).sum().backward(create_graph=True)
                leaf.grad = None  # break the cycle the warning is about
            elif trigger == "complex":
                torch.zeros(1).copy_(torch.ones(1, dtype=torch.complex64))
    finally:
        torch.set_warn_always(previous)
    if not caught:
        return None  # torch no longer warns
    return str(caught[0].message), caught[0].category


# `x.T` on a tensor that is not 2-D.
TRANSPOSE_NOT_2D = _learn("T")
# backward(create_graph=True): the engine warns as it starts, even if the pass then fails.
BACKWARD_CREATE_GRAPH = _learn("create_graph")
# Copying complex values into a real tensor (the language refuses complex numbers; kept in case a
# door to them opens: the issue-13 leak was this warning).
COMPLEX_TO_REAL = _learn("complex")

# Messages (as the interpreter records them: sanitized) that a fresh Python shows once per
# process: the interpreter shows each once per run, at its first line.
ONCE_PER_PROCESS: frozenset[str] = frozenset(
    sanitize_message(learned[0])
    for learned in (TRANSPOSE_NOT_2D, BACKWARD_CREATE_GRAPH, COMPLEX_TO_REAL)
    if learned is not None
)


def reset() -> None:
    """Make every TORCH_WARN_ONCE site warn every time (one C flag; a no-op when already on)."""
    if not torch.is_warn_always_enabled():
        torch.set_warn_always(True)


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
