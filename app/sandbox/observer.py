"""What the interpreter tells the capture layer while a program runs.

The interpreter owns the language; `app.trace` implements this protocol to record the graph,
the timeline and the backward passes. An observer only listens: the surface runs every
backward and autograd.grad call itself (`surface/autograd_calls.run_pass`) inside the listener
the observer hands it. `PassiveObserver` is capture-off: it records nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

import torch

BACKWARD = "backward"
GRAD = "autograd.grad"
Gradients = tuple[torch.Tensor | None, ...]


@dataclass(frozen=True, slots=True)
class BackwardPass:
    """One backward or autograd.grad call, with torch's arguments as the program gave them
    (normalised to lists); `source` is "request" for the backward a request asks for."""

    call: str  # BACKWARD | GRAD
    roots: Sequence[torch.Tensor]
    root_grads: Sequence[torch.Tensor | None] | None
    inputs: Sequence[torch.Tensor] | None
    retain_graph: bool | None
    create_graph: bool
    line: int | None
    allow_unused: bool = False
    source: str = "program"

    @property
    def keeps_graph(self) -> bool:
        """Whether torch keeps the graph after this pass (retain_graph defaults to create_graph)."""
        return bool(self.create_graph if self.retain_graph is None else self.retain_graph)


class PassListener(Protocol):
    """Listens to one pass: entered before torch starts it, left after (also when torch raised),
    told the gradients autograd.grad returned (`finished`, before leaving)."""

    def __enter__(self) -> PassListener: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def finished(self, result: Gradients | None) -> None: ...


class NotListening:
    """The listener of an observer that records no pass."""

    def __enter__(self) -> NotListening:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def finished(self, result: Gradients | None) -> None:
        return None


NOT_LISTENING = NotListening()


class Observer(Protocol):
    """Callbacks from the interpreter; every argument is a real Python/torch object."""

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        """Record a value returned by an allowed torch function, method, operator or module call.

        `inputs` are the argument values the op received (tensors among them are graph inputs;
        those not requiring grad show as constants).
        """

    def statement_executed(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        """Record one executed statement, the top-level names it (re)bound and stdout's length."""

    def backward_pass(self, backward: BackwardPass) -> PassListener:
        """Listen to `backward`, which the surface is about to run (never run it here)."""


class PassiveObserver:
    """Capture off: record nothing, listen to no pass."""

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        return None

    def statement_executed(self, line: int, bindings: Mapping[str, Any], stdout_len: int) -> None:
        return None

    def backward_pass(self, backward: BackwardPass) -> PassListener:
        return NOT_LISTENING
