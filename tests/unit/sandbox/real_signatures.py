"""The keywords real torch 2.13 accepts for each callable of the playground's table.

Read from torch's own signatures: `inspect.signature` for callables written in Python, and the
type stubs torch generates from the same declarations as its C++ argument parser
(`torch/_C/_VariableFunctions.pyi`, `torch/_C/_nn.pyi`, class `TensorBase` of
`torch/_C/__init__.pyi`) for builtins, where every overload's parameter names count.

Used by `test_keyword_rows.py` (every row of `allowlist.KEYWORD_ROWS` is a subset of what torch
accepts) and `scripts/print_keyword_rows.py` (prints fresh rows to review).
"""

from __future__ import annotations

import ast
import functools
import inspect
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional
import torch.optim.lr_scheduler
import torch.utils.data

_TORCH_DIR = Path(torch.__file__).parent


def _stub_functions(tree: ast.Module) -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names.setdefault(node.name, set()).update(_parameter_names(node))
    return names


def _parameter_names(node: ast.FunctionDef) -> set[str]:
    arguments = node.args
    found = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
    if arguments.vararg is not None:
        found.add(arguments.vararg.arg)  # the parser accepts `size=` for `*size`
    found.discard("self")
    return found


@functools.cache
def _stubs() -> dict[str, dict[str, set[str]]]:
    variable_functions = ast.parse((_TORCH_DIR / "_C/_VariableFunctions.pyi").read_text())
    nn_functions = ast.parse((_TORCH_DIR / "_C/_nn.pyi").read_text())
    c_module = ast.parse((_TORCH_DIR / "_C/__init__.pyi").read_text())
    tensor_methods: dict[str, set[str]] = {}
    for node in c_module.body:
        if isinstance(node, ast.ClassDef) and node.name == "TensorBase":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    tensor_methods.setdefault(item.name, set()).update(_parameter_names(item))
    return {
        "torch": _stub_functions(variable_functions),
        "nn": _stub_functions(nn_functions),
        "tensor": tensor_methods,
    }


def _python_keywords(function: Any) -> set[str]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return set()
    return {
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        and name != "self"
    }


# torch's argument parser also accepts NumPy's names for these parameters (`x.sum(axis=0)`).
_NUMPY_ALIASES: dict[str, tuple[str, ...]] = {
    "dim": ("axis",),
    "keepdim": ("keepdims",),
    "input": ("x", "a", "x1"),
    "other": ("x2",),
}


def _with_aliases(names: set[str]) -> set[str]:
    found = set(names)
    for name in names:
        found.update(_NUMPY_ALIASES.get(name, ()))
    return found


def _is_builtin(function: Any) -> bool:
    return type(function).__name__ in ("builtin_function_or_method", "method_descriptor")


# Callables whose Python signature torch does not expose (C types), as torch documents them.
_DOCUMENTED: dict[str, set[str]] = {
    "torch.device": {"type", "index"},
    "torch.Tensor": set(),  # the legacy constructor takes data positionally only
    "torch.FloatTensor": set(),
    "torch.DoubleTensor": set(),
    "torch.LongTensor": set(),
    # A boolean dispatch (return_indices) that hides its signature from inspect.
    "torch.nn.functional.max_pool2d": {
        "input",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "ceil_mode",
        "return_indices",
    },
    # Variable's C constructor: (data, requires_grad=False, volatile=False, _grad_fn=None).
    "torch.autograd.Variable": {"data", "requires_grad", "volatile", "_grad_fn"},
}


def real_keywords(owner: str, name: str) -> set[str]:
    """Every keyword torch accepts for `owner.name` (owner: a dotted namespace, 'Tensor',
    'Module', 'optimizer', 'scheduler', or 'forward' for calling an nn module class `name`)."""
    qualified = f"{owner}.{name}"
    if qualified in _DOCUMENTED:
        return _DOCUMENTED[qualified]
    if owner == "Tensor":
        method = getattr(torch.Tensor, name)
        if _is_builtin(method):
            return _with_aliases(_stubs()["tensor"].get(name, set()))
        return _python_keywords(method)
    if owner == "Module":
        for cls in (torch.nn.Module, torch.nn.ModuleList, torch.nn.ModuleDict):
            if name in vars(cls):
                return _python_keywords(getattr(cls, name))
        return set()
    if owner == "optimizer":
        return _python_keywords(getattr(torch.optim.Optimizer, name))
    if owner == "scheduler":
        return _python_keywords(getattr(torch.optim.lr_scheduler.LRScheduler, name))
    if owner == "forward":
        return _python_keywords(getattr(torch.nn, name).forward)
    module: Any = torch
    for part in owner.split(".")[1:]:
        module = getattr(module, part)
    target = getattr(module, name)
    if inspect.isclass(target):
        return _python_keywords(target)
    if _is_builtin(target):
        stubs = _stubs()
        return _with_aliases(stubs["torch"].get(name, set()) | stubs["nn"].get(name, set()))
    return _python_keywords(target)
