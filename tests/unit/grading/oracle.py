"""The grader tests' oracle: a program's final state and check values from real CPython + torch.

`exec`/`eval` are fine here: this is the reference the sandbox is compared against.
"""

from __future__ import annotations

from typing import Any

import torch

from tests.differential.oracle import reset_torch_state


def final_state(source: str, seed: int = 0) -> dict[str, Any]:
    """Run `source` with `torch.manual_seed(seed)` in force and return its globals."""
    reset_torch_state(seed)
    namespace: dict[str, Any] = {}
    exec(compile(source, "<program>", "exec"), namespace)
    return namespace


def value_of(source: str, expr: str, seed: int = 0) -> Any:
    """`expr` evaluated in the final state of `source`, as JSON-like data (tensors as lists)."""
    value = eval(expr, final_state(source, seed))
    if isinstance(value, torch.Tensor):
        return value.detach().tolist()
    if isinstance(value, torch.Size):
        return list(value)
    return value
