"""Everything outside the torch table is refused with a SandboxViolation naming it.

The list follows shared/sandbox-threats.md: escapes through torch's plain attributes, storage
and pointer APIs, uninitialised memory, global state, hooks run outside the budget.
"""

from __future__ import annotations

import pytest
import torch

from app.sandbox import torch_surface
from app.sandbox.errors import SandboxViolation
from tests.unit.sandbox.surface_driver import SurfaceDriver

TORCH_NAMESPACE_THREATS = [
    "os", "sys", "builtins", "ctypes", "importlib", "hub", "serialization", "load", "save",
    "empty", "empty_like", "empty_strided", "as_strided", "sparse", "sparse_coo_tensor", "ops",
    "_C", "_dynamo", "set_default_dtype", "set_num_threads",
    "set_printoptions", "set_grad_enabled_", "frombuffer", "from_numpy", "from_file", "Storage",
    "UntypedStorage", "Generator", "jit", "compile", "distributed", "fx",
    "library", "kron", "cartesian_prod", "bincount", "autocast", "storage", "Size",
]  # fmt: skip

TENSOR_THREATS = [
    "untyped_storage", "storage", "as_strided", "as_strided_", "set_", "resize_", "resize_as_",
    "numpy", "data_ptr", "apply_", "map_", "new_empty", "new_tensor", "to_sparse", "is_shared",
    "share_memory_", "__class__", "__dict__", "__reduce_ex__", "_base", "_version",
    "cuda", "pin_memory", "storage_offset", "stride",
    "kron", "index_put_", "copy_", "type", "__setstate__", "grad_fn_",
]  # fmt: skip


@pytest.mark.parametrize("name", TORCH_NAMESPACE_THREATS)
def test_torch_namespace_refuses_names_outside_the_table(name: str) -> None:
    p = SurfaceDriver()
    with pytest.raises(SandboxViolation, match=rf"torch\.{name} is not available"):
        p.attr(p.module("torch"), name)


@pytest.mark.parametrize("name", TENSOR_THREATS)
def test_tensor_refuses_methods_outside_the_table(name: str) -> None:
    p = SurfaceDriver()
    with pytest.raises(SandboxViolation, match=rf"Tensor\.{name} is not available"):
        p.attr(p.torch("ones", 2, requires_grad=True), name)


@pytest.mark.parametrize(
    "name", ["register_hook", "register_prehook", "metadata", "_saved_self", "_raw_saved_self"]
)
def test_grad_fn_view_refuses_hooks_and_internals(name: str) -> None:
    p = SurfaceDriver()
    view = p.attr(p.method(p.torch("ones", 2, requires_grad=True), "sum"), "grad_fn")
    with pytest.raises(SandboxViolation, match=rf"SumBackward0\.{name} is not available"):
        p.attr(view, name)


def test_refusal_names_the_reason_and_the_line() -> None:
    p = SurfaceDriver()
    p.ctx.line = 7
    with pytest.raises(SandboxViolation) as refused:
        p.attr(p.module("torch"), "load")
    assert refused.value.line == 7
    assert refused.value.message == (
        "Line 7: torch.load is not available in the playground: it unpickles files."
    )


@pytest.mark.parametrize(
    "dotted",
    [
        "os",
        "sys",
        "numpy",
        "torch.hub",
        "torch.utils.cpp_extension",
        "torch.serialization",
        "ctypes",
    ],
)
def test_imports_outside_the_table_are_refused(dotted: str) -> None:
    with pytest.raises(SandboxViolation, match="is not allowed"):
        torch_surface.import_module(dotted, SurfaceDriver().ctx)


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        ("torch.nn", "ParameterDict"),
        ("torch.nn", "Transformer"),
        ("torch.nn", "modules"),
        ("torch.nn.functional", "torch"),
        ("torch.optim", "Optimizer"),
        ("torch.optim", "LBFGS"),
        ("torch.autograd", "forward_ad"),
        ("torch.autograd", "graph"),
        ("torch.autograd", "profiler"),
        ("torch.autograd.functional", "torch"),
    ],
)
def test_sub_namespaces_refuse_names_outside_the_table(owner: str, name: str) -> None:
    p = SurfaceDriver()
    with pytest.raises(SandboxViolation, match=rf"{owner}\.{name} is not available"):
        p.attr(p.path(owner), name)


@pytest.mark.parametrize(
    "name",
    ["register_forward_hook", "register_full_backward_hook", "load_state_dict", "apply", "to"],
)
def test_module_members_outside_the_table_are_refused(name: str) -> None:
    p = SurfaceDriver()
    with pytest.raises(SandboxViolation, match=rf"Linear\.{name} is not available"):
        p.attr(p.torch("nn.Linear", 2, 2), name)


def test_optimizer_members_outside_the_table_are_refused() -> None:
    p = SurfaceDriver()
    optimizer = p.torch("optim.SGD", [torch.ones(2, requires_grad=True)], lr=0.1)
    for name in ("state", "load_state_dict", "add_param_group", "register_step_pre_hook"):
        with pytest.raises(SandboxViolation):
            p.attr(optimizer, name)


@pytest.mark.parametrize(
    ("keyword", "value"),
    [
        ("out", torch.zeros(2)),
        ("layout", torch.sparse_coo),
        ("pin_memory", True),
        ("memory_format", torch.contiguous_format),
        ("device", "meta"),
        ("device", "xla"),
        ("sparse_grad", True),
        ("names", ("a",)),
        ("device", torch.device("meta")),
    ],
)
def test_dangerous_keywords_and_devices_are_refused(keyword: str, value: object) -> None:
    p = SurfaceDriver()
    with pytest.raises(SandboxViolation, match=keyword):
        p.torch("ones", 2, **{keyword: value})


def test_cpu_device_is_allowed_and_to_meta_is_refused() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2, device="cpu")
    assert torch.equal(p.method(x, "to", "cpu"), torch.ones(2))
    assert p.method(x, "to", torch.float64).dtype == torch.float64
    with pytest.raises(SandboxViolation, match="meta"):
        p.method(x, "to", "meta")


def test_only_program_functions_can_be_handed_to_torch() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2, requires_grad=True)
    with pytest.raises(SandboxViolation, match="cannot be handed to torch"):
        p.method(x, "register_hook", print)


@pytest.mark.parametrize("name", ["requires_grad_", "shape", "is_leaf", "grad_fn", "T"])
def test_assigning_other_tensor_attributes_is_refused(name: str) -> None:
    p = SurfaceDriver()
    with pytest.raises(SandboxViolation, match="can be assigned"):
        torch_surface.set_attribute(p.torch("ones", 2), name, 1, p.ctx)


def test_wrappers_expose_no_attributes() -> None:
    p = SurfaceDriver()
    for value in (p.path("torch.ones"), p.path("torch.Tensor"), p.path("torch.nn.Linear")):
        for name in ("target", "real", "__self__", "__globals__", "entry", "qualified"):
            with pytest.raises(SandboxViolation):
                p.attr(value, name)
    token = p.torch("manual_seed", 0)
    with pytest.raises(SandboxViolation):
        p.attr(token, "get_state")
