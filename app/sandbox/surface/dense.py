"""Only dense, strided CPU tensors of real dtypes ever reach a program.

Sparse tensors are built by torch without checking their indices (`gather(sparse_grad=True)`
makes a sparse `.grad`; with a swapped index, using it writes outside a tensor), and quantized,
nested, meta and complex tensors reach kernels the size and cost rules were never written for.
The keywords that make them are refused where a call is prepared (`allowlist.REFUSED_KEYWORDS`);
this is the second line: every tensor the surface hands to a program — op results, `.grad`,
`.data`, hook arguments, gradients of `autograd.grad`, results of `autograd.functional` — and
every gradient an optimizer is about to apply is checked here, and anything else stops the run
with one sentence. See SECURITY.md, "Memory safety".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from app.sandbox.context import RunContext
from app.sandbox.errors import SandboxViolation

_STRIDED = torch.strided
_TENSOR = torch.Tensor
# Quantized and complex dtypes in one set: a single lookup refuses both.
_REFUSED_DTYPES: dict[torch.dtype, str] = {
    **{
        dtype: "quantized"
        for name in ("qint8", "quint8", "qint32", "quint4x2", "quint2x4")
        if isinstance(dtype := getattr(torch, name, None), torch.dtype)
    },
    **{
        dtype: "complex"
        for name in ("complex32", "complex64", "complex128")
        if isinstance(dtype := getattr(torch, name, None), torch.dtype)
    },
}


def is_dense(tensor: torch.Tensor) -> bool:
    """A dense, strided CPU tensor of a real dtype (four reads of C properties, ~200 ns)."""
    return (
        tensor.layout is _STRIDED
        and tensor.is_cpu
        and tensor.dtype not in _REFUSED_DTYPES
        and not tensor.is_nested
    )


def kind_of(tensor: torch.Tensor) -> str:
    """What is wrong with a tensor that is not dense, in two words or fewer."""
    if tensor.layout is not _STRIDED:
        layout = str(tensor.layout).removeprefix("torch.")
        return "sparse" if layout.startswith("sparse") else f"{layout}-layout"
    if not tensor.is_cpu:
        return f"{tensor.device.type}-device"
    if tensor.dtype in _REFUSED_DTYPES:
        return _REFUSED_DTYPES[tensor.dtype]
    return "nested"


def refusal(tensor: torch.Tensor, ctx: RunContext) -> SandboxViolation:
    """The one-sentence refusal of a tensor that is not dense."""
    return SandboxViolation(
        f"Line {ctx.line}: this made a {kind_of(tensor)} tensor, and only dense CPU tensors of "
        "real numbers are available in the playground.",
        line=ctx.line,
        col=ctx.col,
    )


def check_tensor(tensor: torch.Tensor, ctx: RunContext) -> None:
    """Refuse `tensor` unless it is dense."""
    if not is_dense(tensor):
        raise refusal(tensor, ctx)


def check(value: Any, ctx: RunContext) -> None:
    """Refuse a result holding a tensor that is not dense (a tensor, or a tuple/list/dict of them,
    as torch returns: `chunk`, `max(dim=)`, `autograd.grad`, `jacobian` of several inputs)."""
    if isinstance(value, _TENSOR):
        if not is_dense(value):
            raise refusal(value, ctx)
    elif isinstance(value, tuple | list):
        _check_items(value, ctx)
    elif isinstance(value, dict):
        _check_items(value.values(), ctx)


def _check_items(items: Iterable[Any], ctx: RunContext) -> None:
    for item in items:
        if isinstance(item, _TENSOR):
            if not is_dense(item):
                raise refusal(item, ctx)
        elif isinstance(item, tuple | list | dict):
            check(item, ctx)  # jacobian/hessian of several inputs: tuples of tuples


def check_gradients(parameters: Iterable[Any], ctx: RunContext) -> None:
    """Refuse an optimizer step over a gradient that is not dense (SGD would apply it)."""
    for parameter in parameters:
        grad = getattr(parameter, "grad", None)
        if grad is not None and not is_dense(grad):
            raise refusal(grad, ctx)
