"""One run-wide budget of Python list items and characters, shared by the interpreter and torch."""

from __future__ import annotations

import dataclasses

import torch

from app.runner import run_program
from app.sandbox.limits import Limits

LIMITS = dataclasses.replace(Limits(), list_length=1_000, items=100_000)
BUDGET = LIMITS.items


def test_tolist_is_paid_from_the_runs_item_budget() -> None:
    rows = BUDGET // 100 + 1  # each tolist below builds 100 floats
    source = (
        f"import torch\nkeep = []\nfor k in range({rows}):\n"
        "    keep.append(torch.ones(10, 10).tolist())\n"
    )
    result = run_program(source, limits=LIMITS, include=[])
    assert result["error"]["type"] == "LimitExceeded", result["error"]
    assert result["error"]["limit"] == "items"
    assert result["error"]["line"] == 4


def test_lists_and_tolist_share_one_total() -> None:
    half = BUDGET // 2 // LIMITS.list_length + 1
    source = (
        "import torch\nkeep = []\n"
        f"for k in range({half}):\n    keep.append([0] * {LIMITS.list_length})\n"
        f"for k in range({half}):\n    keep.append(torch.zeros({LIMITS.list_length}).tolist())\n"
    )
    result = run_program(source, limits=LIMITS, include=[])
    assert result["error"] is not None and result["error"]["limit"] == "items"
    assert result["error"]["line"] == 6


def test_a_program_within_the_budget_gets_torchs_own_list() -> None:
    source = "import torch\nv = torch.arange(6.0).reshape(2, 3).tolist()\n"
    result = run_program(source, limits=LIMITS, include=[])
    assert result["ok"], result["error"]
    expected = torch.arange(6.0).reshape(2, 3).tolist()
    assert [
        [item["value"] for item in row["items"]] for row in result["variables"]["v"]["items"]
    ] == expected
