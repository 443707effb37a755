"""Drive the torch surface directly, as the interpreter does, for the surface's unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from app.sandbox import torch_surface
from app.sandbox.context import RunContext
from app.sandbox.limits import Limits
from app.sandbox.observer import GRAD, BackwardPass, PassiveObserver, PassListener

# As in the workers: one intra-op thread (on a loaded 2-core machine, two threads thrash).
torch.set_num_threads(1)


class RecordingObserver(PassiveObserver):
    """Capture-off behaviour plus a log of what the surface reported."""

    def __init__(self) -> None:
        self.results: list[Any] = []
        self.backward_calls: list[dict[str, Any]] = []
        self.grad_calls: list[dict[str, Any]] = []

    def op_result(self, result: Any, inputs: Sequence[Any], line: int) -> None:
        self.results.append(result)

    def backward_pass(self, backward: BackwardPass) -> PassListener:
        if backward.call == GRAD:
            self.grad_calls.append({"outputs": backward.roots, "inputs": backward.inputs})
        else:
            self.backward_calls.append(
                {
                    "tensors": backward.roots,
                    "grad_tensors": backward.root_grads,
                    "retain_graph": backward.retain_graph,
                    "create_graph": backward.create_graph,
                    "inputs": backward.inputs,
                }
            )
        return super().backward_pass(backward)


class SurfaceDriver:
    """`p.torch("ones", 2, 2)` is what `torch.ones(2, 2)` does inside the interpreter."""

    def __init__(self, limits: Limits | None = None, *, record: bool = True) -> None:
        # record=False: capture off, so the observer keeps no result alive.
        self.observer = RecordingObserver()
        self.ctx = RunContext(limits or Limits(), self.observer if record else PassiveObserver())

    def module(self, dotted: str = "torch") -> Any:
        return torch_surface.import_module(dotted, self.ctx)

    def attr(self, obj: Any, name: str) -> Any:
        return torch_surface.get_attribute(obj, name, self.ctx)

    def path(self, dotted: str) -> Any:
        """`torch.nn.functional.relu` → the surface value, one attribute at a time."""
        first, *rest = dotted.split(".")
        value = self.module(first)
        for name in rest:
            value = self.attr(value, name)
        return value

    def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return torch_surface.call(fn, args, kwargs, self.ctx)

    def torch(self, dotted: str, *args: Any, **kwargs: Any) -> Any:
        return self.call(self.path(f"torch.{dotted}"), *args, **kwargs)

    def method(self, obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        return self.call(self.attr(obj, name), *args, **kwargs)

    def op(self, symbol: str, left: Any, right: Any) -> Any:
        return torch_surface.binary_op(symbol, left, right, self.ctx)


def same_error(surface_call: Any, real_call: Any) -> tuple[str, str]:
    """Run both; assert both raise the same exception type and message; return them."""
    try:
        real_call()
    except Exception as error:  # any torch error is the oracle
        expected = (type(error).__name__, str(error))
    else:
        raise AssertionError("the real call did not fail")
    try:
        surface_call()
    except Exception as error:
        got = (type(error).__name__, str(error))
    else:
        raise AssertionError(f"the surface call did not fail (torch raised {expected})")
    assert got == expected
    return got


def real_float_tensor(*shape: int) -> torch.Tensor:
    return torch.arange(float(torch.Size(shape).numel())).reshape(shape) / 7 - 0.5
