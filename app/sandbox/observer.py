"""What the interpreter tells the capture layer while a program runs.

The interpreter owns the language; `app.trace` implements this protocol to record the graph,
the timeline and the backward passes. `PassiveObserver` is capture-off: it records nothing and
performs backward passes with plain torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import torch


class Observer(Protocol):
    """Callbacks from the interpreter; every argument is a real Python/torch object."""

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        """Record a value returned by an allowed torch function, method, operator or module call.

        `inputs` are the argument values the op received (tensors among them are graph inputs;
        those not requiring grad show as constants).
        """

    def statement_executed(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        """Record one executed statement, the top-level names it (re)bound and stdout's length."""

    def backward(
        self,
        tensors: Sequence[torch.Tensor],
        grad_tensors: Sequence[torch.Tensor | None] | None,
        retain_graph: bool | None,
        create_graph: bool,
        inputs: Sequence[torch.Tensor] | None,
        line: int,
    ) -> None:
        """Run torch.autograd.backward exactly as the program asked, recording what flowed."""

    def grad(
        self,
        outputs: Sequence[torch.Tensor],
        inputs: Sequence[torch.Tensor],
        grad_outputs: Sequence[torch.Tensor | None] | None,
        retain_graph: bool | None,
        create_graph: bool,
        allow_unused: bool,
        line: int,
    ) -> tuple[torch.Tensor | None, ...]:
        """Run torch.autograd.grad exactly as the program asked, recording what flowed."""


class PassiveObserver:
    """Capture off: record nothing, run backward passes with plain torch."""

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        return None

    def statement_executed(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        return None

    def backward(
        self,
        tensors: Sequence[torch.Tensor],
        grad_tensors: Sequence[torch.Tensor | None] | None,
        retain_graph: bool | None,
        create_graph: bool,
        inputs: Sequence[torch.Tensor] | None,
        line: int,
    ) -> None:
        torch.autograd.backward(
            list(tensors),
            grad_tensors=None if grad_tensors is None else list(grad_tensors),
            retain_graph=retain_graph,
            create_graph=create_graph,
            inputs=None if inputs is None else list(inputs),
        )

    def grad(
        self,
        outputs: Sequence[torch.Tensor],
        inputs: Sequence[torch.Tensor],
        grad_outputs: Sequence[torch.Tensor | None] | None,
        retain_graph: bool | None,
        create_graph: bool,
        allow_unused: bool,
        line: int,
    ) -> tuple[torch.Tensor | None, ...]:
        return torch.autograd.grad(
            list(outputs),
            list(inputs),
            grad_outputs=None if grad_outputs is None else list(grad_outputs),
            retain_graph=retain_graph,
            create_graph=create_graph,
            allow_unused=allow_unused,
        )
