"""Run a backward pass with a Recorder listening, as the surface does for the interpreter."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from app.sandbox.observer import BACKWARD, GRAD, BackwardPass
from app.sandbox.surface.autograd_calls import run_pass
from app.trace.recorder import Recorder


def backward(
    recorder: Recorder,
    tensors: Sequence[torch.Tensor],
    grad_tensors: Sequence[torch.Tensor | None] | None,
    retain_graph: bool | None,
    create_graph: bool,
    inputs: Sequence[torch.Tensor] | None,
    line: int,
) -> None:
    """`torch.autograd.backward(tensors, grad_tensors, …)` at `line`, the recorder listening."""
    backward_pass = BackwardPass(
        BACKWARD, list(tensors), grad_tensors, inputs, retain_graph, create_graph, line or None
    )
    run_pass(backward_pass, recorder)


def autograd_grad(
    recorder: Recorder,
    outputs: Sequence[torch.Tensor],
    inputs: Sequence[torch.Tensor],
    grad_outputs: Sequence[torch.Tensor | None] | None,
    retain_graph: bool | None,
    create_graph: bool,
    allow_unused: bool,
    line: int,
) -> tuple[torch.Tensor | None, ...]:
    """`torch.autograd.grad(outputs, inputs, …)` at `line`, the recorder listening."""
    grad_pass = BackwardPass(
        GRAD,
        list(outputs),
        grad_outputs,
        list(inputs),
        retain_graph,
        create_graph,
        line or None,
        allow_unused=allow_unused,
    )
    result = run_pass(grad_pass, recorder)
    assert result is not None
    return result
