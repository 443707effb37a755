"""The torch table is consistent: every entry exists in torch, has a cost rule, and nothing
dangerous is in it; the capabilities table is built from it."""

from __future__ import annotations

import json
import math
import random

import pytest
import torch
import torch.optim.lr_scheduler
import torch.utils.data

from app.sandbox import allowlist, grammar
from app.sandbox.allowlist import Kind
from app.sandbox.capabilities import capabilities
from app.sandbox.costs import SHAPE_RULES, CostRule
from app.sandbox.limits import Limits

REAL_NAMESPACES = {
    "torch": torch,
    "torch.nn": torch.nn,
    "torch.nn.functional": torch.nn.functional,
    "torch.optim": torch.optim,
    "torch.autograd": torch.autograd,
    "torch.autograd.functional": torch.autograd.functional,
    "torch.autograd.function": torch.autograd.function,
    "math": math,
    "random": random,
    "torch.optim.lr_scheduler": torch.optim.lr_scheduler,
    "torch.utils": torch.utils,
    "torch.utils.data": torch.utils.data,
    "torch.accelerator": torch.accelerator,
    "torch.cuda": torch.cuda,
}

# Names that must never appear in the table, whatever else is added (shared/sandbox-threats.md).
NEVER_ALLOWED = {
    "os", "sys", "builtins", "ctypes", "importlib", "hub", "serialization", "load", "save",
    "empty", "empty_like", "empty_strided", "new_empty", "as_strided", "as_strided_",
    "untyped_storage", "storage", "set_", "resize_", "numpy", "data_ptr", "sparse", "ops",
    "apply_", "map_", "frombuffer", "from_file", "set_default_dtype", "set_num_threads",
    "register_prehook", "metadata", "register_forward_hook", "jit", "compile",
}  # fmt: skip

ALL_TABLES = {
    **{f"namespace {path}": table for path, table in allowlist.ALL_NAMESPACES.items()},
    "tensor": allowlist.TENSOR,
    "module": allowlist.MODULE,
    "optimizer": allowlist.OPTIMIZER,
    "grad_fn": allowlist.GRAD_FN,
}


@pytest.mark.parametrize("path", sorted(allowlist.ALL_NAMESPACES))
def test_every_namespace_entry_exists_in_torch(path: str) -> None:
    for name, entry in allowlist.ALL_NAMESPACES[path].items():
        if entry.kind is Kind.NAMESPACE:
            assert f"{path}.{name}" in allowlist.ALL_NAMESPACES
        else:
            assert hasattr(REAL_NAMESPACES[path], name), f"{path}.{name}"


def test_every_tensor_entry_exists_on_tensors() -> None:
    for name in allowlist.TENSOR:
        assert hasattr(torch.Tensor, name), name


@pytest.mark.parametrize("table", sorted(ALL_TABLES))
def test_no_private_or_dangerous_names(table: str) -> None:
    names = set(ALL_TABLES[table])
    assert not {n for n in names if n.startswith("_")}
    assert not names & NEVER_ALLOWED
    assert {n for n in names if n.startswith("set_")} <= {"set_grad_enabled", "set_default_device"}


def test_every_cost_rule_in_use_has_an_implementation() -> None:
    special = {
        CostRule.FREE,
        CostRule.META,
        CostRule.CONV,
        CostRule.POOL,
        CostRule.MODULE_INIT,
        CostRule.MODULE_CALL,
        CostRule.OPTIMIZER_INIT,
        CostRule.OPTIMIZER_STEP,
        CostRule.BACKWARD,
        CostRule.JACOBIAN,
    }
    used = {entry.cost for table in ALL_TABLES.values() for entry in table.values()}
    assert used - special <= set(SHAPE_RULES)


def test_issue_language_is_in_the_table() -> None:
    required_torch = [
        "tensor",
        "ones",
        "zeros",
        "full",
        "ones_like",
        "zeros_like",
        "full_like",
        "rand",
        "randn",
        "randint",
        "rand_like",
        "randn_like",
        "arange",
        "linspace",
        "eye",
        "manual_seed",
        "exp",
        "log",
        "log1p",
        "sqrt",
        "rsqrt",
        "sin",
        "cos",
        "tan",
        "tanh",
        "sigmoid",
        "relu",
        "abs",
        "neg",
        "pow",
        "clamp",
        "sign",
        "floor",
        "ceil",
        "round",
        "maximum",
        "minimum",
        "where",
        "sum",
        "mean",
        "prod",
        "max",
        "min",
        "argmax",
        "argmin",
        "norm",
        "std",
        "var",
        "logsumexp",
        "cumsum",
        "trace",
        "matmul",
        "mm",
        "bmm",
        "mv",
        "dot",
        "outer",
        "einsum",
        "det",
        "inverse",
        "cat",
        "stack",
        "reshape",
        "flatten",
        "squeeze",
        "unsqueeze",
        "transpose",
        "permute",
        "t",
        "chunk",
        "split",
        "index_select",
        "gather",
        "float32",
        "float64",
        "float",
        "double",
        "int64",
        "long",
        "bool",
        "no_grad",
        "enable_grad",
        "set_grad_enabled",
        "Tensor",
        "nn",
        "optim",
        "autograd",
    ]
    required_tensor = [
        "backward",
        "grad",
        "grad_fn",
        "requires_grad",
        "requires_grad_",
        "retain_grad",
        "retains_grad",
        "is_leaf",
        "data",
        "detach",
        "clone",
        "item",
        "tolist",
        "shape",
        "size",
        "dim",
        "ndim",
        "numel",
        "dtype",
        "float",
        "double",
        "long",
        "int",
        "to",
        "zero_",
        "fill_",
        "add_",
        "sub_",
        "mul_",
        "div_",
        "register_hook",
        "view",
        "expand",
        "T",
    ]
    assert set(required_torch) <= set(allowlist.TORCH)
    assert set(required_tensor) <= set(allowlist.TENSOR)
    assert set(
        [
            "Linear",
            "Sequential",
            "ReLU",
            "Sigmoid",
            "Tanh",
            "Softmax",
            "MSELoss",
            "CrossEntropyLoss",
            "BCELoss",
        ]
    ) <= set(allowlist.NN)
    assert set(allowlist.OPTIM) == {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"}
    assert set(allowlist.AUTOGRAD_FUNCTIONAL) == {"jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"}


def test_importable_modules_agree_with_the_grammar() -> None:
    assert allowlist.IMPORTABLE == grammar.ALLOWED_IMPORTS
    assert all(path in allowlist.ALL_NAMESPACES for path in allowlist.IMPORTABLE)


def test_capabilities_is_plain_json_built_from_the_tables() -> None:
    table = capabilities(Limits())
    assert json.loads(json.dumps(table)) == table
    torch_functions = {f["name"] for f in table["torch"]["torch"]["functions"]}
    assert torch_functions == {
        name for name, e in allowlist.TORCH.items() if e.kind is Kind.FUNCTION
    }
    assert table["tensor"]["assignable"] == ["data", "grad", "requires_grad"]
    assert table["builtins"] == list(grammar.ALLOWED_BUILTINS)
    assert table["limits"]["tensor_elements"] == Limits().tensor_elements
