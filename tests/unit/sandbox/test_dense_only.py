"""No program reaches memory outside a tensor: only dense, strided CPU tensors of real dtypes
ever reach it, and `.data =` cannot swap a tensor backward saved (SECURITY.md, "Memory safety").

The doors (`sparse_grad=`, `layout=`, `device=`) are refused where a call is prepared; the
surface tests below hand it tensors of every other kind directly, as a door nobody has found yet
would, and check each way a tensor reaches a program.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
import torch

from app.runner import run_program
from app.sandbox import torch_surface
from app.sandbox.errors import SandboxViolation
from app.sandbox.surface import autograd_calls, dense
from tests.unit.sandbox.surface_driver import SurfaceDriver


def _quantized() -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.qint8)


def _nested() -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])


NOT_DENSE: dict[str, Callable[[], torch.Tensor]] = {
    "sparse": lambda: torch.ones(3).to_sparse(),
    "sparse_csr": lambda: torch.eye(3).to_sparse_csr(),
    "mkldnn": lambda: torch.ones(2, 2).to_mkldnn(),
    "meta": lambda: torch.ones(3, device="meta"),
    "quantized": _quantized,
    "nested": _nested,
    "complex": lambda: torch.ones(3, dtype=torch.complex64),
}
KIND_WORDS = {
    "sparse": "sparse",
    "sparse_csr": "sparse",
    "mkldnn": "_mkldnn-layout",
    "meta": "meta-device",
    "quantized": "quantized",
    "nested": "nested",
    "complex": "complex",
}


def run(source: str) -> dict:
    return run_program(source, capture=False)


def test_dense_tensors_of_every_reachable_dtype_pass() -> None:
    for dtype in (torch.float32, torch.float64, torch.int64, torch.int32, torch.bool):
        assert dense.is_dense(torch.ones(2, 3, dtype=dtype).t())
    assert dense.is_dense(torch.ones(3).expand(2, 3))


@pytest.mark.parametrize("kind", sorted(NOT_DENSE))
def test_every_other_kind_is_recognised_and_named(kind: str) -> None:
    tensor = NOT_DENSE[kind]()
    assert not dense.is_dense(tensor)
    assert dense.kind_of(tensor) == KIND_WORDS[kind]


# ---- the doors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        "torch.gather(x, 1, idx, sparse_grad=True)",
        "x.gather(1, idx, sparse_grad=True)",
        "torch.ones(3, layout=torch.float32)",
        "torch.zeros(3, device='meta')",
        "x.to('meta')",
    ],
)
def test_the_doors_to_other_layouts_are_refused(call: str) -> None:
    source = (
        "import torch\nx = torch.ones(3, 4, requires_grad=True)\n"
        "idx = torch.tensor([[0, 1], [2, 3], [1, 0]])\n"
        f"y = {call}\n"
    )
    result = run(source)
    assert result["error"]["type"] == "SandboxViolation", result["error"]
    assert result["error"]["line"] == 4
    assert result["error"]["message"].endswith(".")


def test_the_reported_out_of_bounds_write_is_refused_before_backward() -> None:
    # Issue 13: a sparse x.grad from gather(sparse_grad=True), its saved index swapped with
    # `.data =`; the backward built a sparse tensor with an index past the end and
    # `d.add_(x.grad)` wrote outside `d`.
    source = (
        "import torch\n"
        "x = torch.zeros(2, 4, requires_grad=True)\n"
        "idx = torch.tensor([[0, 1], [2, 3]])\n"
        "y = torch.gather(x, 1, idx, sparse_grad=True)\n"
        "idx.data = torch.tensor([[0, 100000], [2, 3]])\n"
        "y.sum().backward()\n"
        "d = torch.zeros(2, 4)\n"
        "d.add_(x.grad)\n"
    )
    result = run(source)
    assert result["error"]["type"] == "SandboxViolation"
    assert result["error"]["line"] == 4
    assert "sparse_grad=" in result["error"]["message"]


# ---- every way a tensor reaches a program ----------------------------------------------------


@pytest.mark.parametrize("kind", sorted(NOT_DENSE))
def test_a_tensor_method_result_is_checked(kind: str) -> None:
    p = SurfaceDriver()
    tensor = NOT_DENSE[kind]()
    with pytest.raises(SandboxViolation, match=r"only dense CPU tensors .* playground\.$"):
        # detach keeps the kind of tensor it is given (and works on all of them).
        p.method(tensor, "detach")


def test_operator_and_function_results_are_checked() -> None:
    p = SurfaceDriver()
    sparse = torch.ones(3).to_sparse()
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.op("*", sparse, 2)
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.torch("mul", sparse, 2)
    with pytest.raises(SandboxViolation, match="made a complex tensor"):
        p.op("+", torch.ones(2), torch.ones(2, dtype=torch.complex64))
    with pytest.raises(SandboxViolation, match="made a complex tensor"):
        p.method(torch.ones(4, dtype=torch.complex64), "chunk", 2)  # tuples of results


@pytest.mark.parametrize("name", ["grad", "data"])
def test_grad_and_data_are_checked_on_both_read_paths(name: str) -> None:
    p = SurfaceDriver()
    leaf = torch.zeros(2, 3, requires_grad=True)
    leaf.grad = torch.ones(2, 3).to_sparse()
    target = leaf if name == "grad" else torch.ones(3).to_sparse()
    fast = torch_surface.tensor_attribute(name, p.ctx)
    assert fast is not None
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        fast(target)
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.attr(target, name)
    dense_leaf = torch.zeros(2, requires_grad=True)
    assert fast(dense_leaf) is getattr(dense_leaf, name) or name == "data"


def test_a_hook_never_receives_a_sparse_gradient() -> None:
    p = SurfaceDriver()
    x = torch.zeros(2, 4, requires_grad=True)
    seen: list[torch.Tensor] = []
    # The hook is registered as the surface registers one; the sparse gradient is made by
    # real torch, as a door nobody has found yet would make it.
    autograd_calls.register_hook(x, (seen.append,), {}, p.ctx, lambda function, ctx: function)
    y = torch.gather(x, 1, torch.tensor([[0, 1], [2, 3]]), sparse_grad=True)
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        y.sum().backward()
    assert seen == []


def test_an_optimizer_never_applies_a_sparse_gradient() -> None:
    p = SurfaceDriver()
    model = p.call(p.path("torch.nn.Linear"), 3, 1)
    optimizer = p.call(p.path("torch.optim.SGD"), p.method(model, "parameters"), lr=0.1)
    before = model.weight.detach().clone()
    model.weight.grad = torch.ones(1, 3).to_sparse()
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.method(optimizer, "step")
    assert torch.equal(model.weight.detach(), before)


def test_autograd_functional_results_and_arguments_are_checked() -> None:
    p = SurfaceDriver()
    jacobian = p.path("torch.autograd.functional.jacobian")
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.call(jacobian, p.path("torch.relu"), torch.ones(3).to_sparse())


# ---- .data = ---------------------------------------------------------------------------------


def test_data_swap_of_another_shape_cannot_reach_a_saved_tensor() -> None:
    source = (
        "import torch\n"
        "x = torch.randn(3, 4, requires_grad=True)\n"
        "idx = torch.tensor([[0, 1], [2, 3], [1, 0]])\n"
        "y = x.gather(1, idx)\n"
        "idx.data = torch.zeros(30, 40, dtype=torch.long)\n"
        "y.sum().backward()\n"
    )
    error = run(source)["error"]
    assert error["type"] == "RuntimeError"
    assert error["line"] == 6
    assert "modified by an inplace operation" in error["message"]


def test_data_swap_of_another_dtype_cannot_reach_a_saved_tensor() -> None:
    source = (
        "import torch\n"
        "w = torch.ones(3, requires_grad=True)\n"
        "y = (w * w).sum()\n"
        "w.data = torch.ones(3, dtype=torch.float64)\n"
        "y.backward()\n"
    )
    error = run(source)["error"]
    assert error["type"] == "RuntimeError"
    assert "modified by an inplace operation" in error["message"]


def test_data_swap_of_the_same_shape_keeps_torchs_behaviour() -> None:
    # torch runs the backward on the new contents; index values are checked by the kernel.
    source = (
        "import torch\n"
        "x = torch.zeros(3, 4, requires_grad=True)\n"
        "idx = torch.tensor([[0, 1], [2, 3], [1, 0]])\n"
        "y = x.gather(1, idx)\n"
        "idx.data = torch.tensor([[3, 3], [0, 0], [1, 2]])\n"
        "y.sum().backward()\n"
        "print(x.grad)\n"
        "idx.data = torch.tensor([[0, 100], [2, 3], [1, 0]])\n"
        "z = x.gather(1, torch.tensor([[0, 1], [2, 3], [1, 0]]))\n"
        "w = x.gather(1, idx)\n"
    )
    x = torch.zeros(3, 4, requires_grad=True)
    idx = torch.tensor([[0, 1], [2, 3], [1, 0]])
    y = x.gather(1, idx)
    idx.data = torch.tensor([[3, 3], [0, 0], [1, 2]])
    y.sum().backward()
    result = run(source)
    assert result["stdout"] == f"{x.grad}\n"
    assert result["error"]["type"] == "RuntimeError"
    assert result["error"]["line"] == 10
    assert "out of bounds" in result["error"]["message"]


def test_updating_weights_through_data_still_works_like_torch() -> None:
    source = (
        "import torch\n"
        "w = torch.tensor([1.0, -2.0], requires_grad=True)\n"
        "for step in range(3):\n"
        "    loss = (w * w).sum()\n"
        "    loss.backward()\n"
        "    w.data = w.data - 0.1 * w.grad\n"
        "    w.grad = None\n"
        "v = torch.ones(2)\n"
        "v.data = torch.zeros(4)\n"
        "print(w, v * 2)\n"
    )
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        assert w.grad is not None
        w.data = w.data - 0.1 * w.grad
        w.grad = None
    v = torch.ones(2)
    v.data = torch.zeros(4)  # no graph saved v: the new shape is simply taken
    result = run(source)
    assert result["error"] is None, result["error"]
    assert result["stdout"] == f"{w} {v * 2}\n"


def test_tensors_held_by_modules_grad_fns_and_optimizers_are_checked() -> None:
    p = SurfaceDriver()
    model = p.call(p.path("torch.nn.Linear"), 3, 1)
    optimizer = p.call(p.path("torch.optim.SGD"), p.method(model, "parameters"), lr=0.1)
    leaf = p.torch("ones", 2, requires_grad=True)
    grad_fn = p.attr(p.op("*", leaf, 2), "grad_fn")
    accumulate = p.attr(grad_fn, "next_functions")[0][0]
    assert p.attr(accumulate, "variable") is leaf
    # A door nobody has found yet puts a sparse tensor where torch holds one.
    model.bias = torch.nn.Parameter(torch.ones(1).to_sparse())
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.attr(model, "bias")
    optimizer.param_groups[0]["params"].append(model.bias)
    with pytest.raises(SandboxViolation, match="made a sparse tensor"):
        p.attr(optimizer, "param_groups")
