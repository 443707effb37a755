"""Run a program with real CPython + PyTorch: the oracle the page's numbers are checked against."""

from __future__ import annotations

import contextlib
import io
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

import torch

PROGRAM_FILENAME = "<program>"


@dataclass
class TorchRun:
    namespace: dict[str, Any]
    stdout: str
    error: BaseException | None
    warnings: list[warnings.WarningMessage]

    @property
    def error_line(self) -> int | None:
        """The program line the error was raised at (its innermost frame in the program)."""
        if self.error is None:
            return None
        frames = traceback.extract_tb(self.error.__traceback__)
        lines = [frame.lineno for frame in frames if frame.filename == PROGRAM_FILENAME]
        return lines[-1] if lines else None


def run_with_torch(source: str, seed: int = 0) -> TorchRun:
    """Execute `source` as the sandbox would (seeded, grad mode on) and keep its final state."""
    torch.manual_seed(seed)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    buffer = io.StringIO()
    error: BaseException | None = None
    with (
        contextlib.redirect_stdout(buffer),
        torch.enable_grad(),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        try:
            exec(compile(source, PROGRAM_FILENAME, "exec"), namespace)
        except Exception as exc:  # the page must show the same failure
            error = exc
    return TorchRun(namespace=namespace, stdout=buffer.getvalue(), error=error, warnings=caught)
