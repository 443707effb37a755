"""The differential table reaches every name of the sandbox's torch table.

The allow-list (app/sandbox/allowlist.py) is the one description of the language; a name added
there without a differential case fails here, so nothing in the language goes untested.
"""

from __future__ import annotations

import ast

import pytest

from app.sandbox import allowlist
from tests.differential.cases import CASES

TABLES = {
    "torch": allowlist.TORCH,
    "torch.nn": allowlist.NN,
    "torch.nn.functional": allowlist.NN_FUNCTIONAL,
    "torch.optim": allowlist.OPTIM,
    "torch.autograd": allowlist.AUTOGRAD,
    "torch.autograd.functional": allowlist.AUTOGRAD_FUNCTIONAL,
    "torch.autograd.function": allowlist.AUTOGRAD_FUNCTION,
    "math": allowlist.MATH,
    "random": allowlist.RANDOM,
    "torch.optim.lr_scheduler": allowlist.LR_SCHEDULER,
    "torch.utils": allowlist.UTILS,
    "torch.utils.data": allowlist.UTILS_DATA,
    "torch.accelerator": allowlist.ACCELERATOR,
    "torch.cuda": allowlist.CUDA,
    "scheduler": allowlist.SCHEDULER,
    "device": allowlist.DEVICE,
    "data": allowlist.DATA,
    "Tensor": allowlist.TENSOR,
    "nn.Module": allowlist.MODULE,
    "optimizer": allowlist.OPTIMIZER,
    "grad_fn": allowlist.GRAD_FN,
    "hook handle": allowlist.HOOK_HANDLE,
    "return types": dict.fromkeys(allowlist.RETURN_TYPE_FIELDS),
}


def _names_used_in_table() -> set[str]:
    """Attribute names, plain names and imported module parts used by the table's programs."""
    used: set[str] = set()
    for case in CASES:
        try:
            tree = ast.parse(case.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.alias):
                used.update(node.name.split("."))
    return used


@pytest.mark.parametrize("table", TABLES, ids=list(TABLES))
def test_every_allowed_name_has_a_differential_case(table: str) -> None:
    used = _names_used_in_table()
    missing = sorted(name for name in TABLES[table] if name not in used)
    assert not missing, f"{table}: no differential case uses {missing}"
