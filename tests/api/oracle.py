"""Real PyTorch as the oracle: run a program with plain exec and read its final values."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import torch


def run_with_torch(source: str, seed: int = 0) -> dict[str, Any]:
    """Run `source` in CPython with real torch; return its bindings (stdout as "__stdout__")."""
    torch.manual_seed(seed)
    namespace: dict[str, Any] = {}
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        exec(compile(source, "<oracle>", "exec"), namespace)
    namespace["__stdout__"] = stdout.getvalue()
    return namespace


def assert_same_values(served: Any, expected: torch.Tensor) -> None:
    """A served nested list equals a real tensor (torch.testing.assert_close semantics)."""
    torch.testing.assert_close(torch.tensor(served, dtype=expected.dtype), expected.detach())
