"""Big programs stay readable: one backward call's graph at a time, loops folded, the node
table paginated, and one sentence saying what is shown and what is hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import open_and_run, permalink_hash

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

MLP_TRAINING = """import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(16, 2)
Y = (X[:, 0] * X[:, 1] > 0).float().unsqueeze(1)
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = nn.MSELoss()
for step in range(20):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
print(loss.item())
"""

LOOP_300 = """import torch

x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = x
for i in range(300):
    y = y * 1.01 + 0.001
loss = y.sum()
loss.backward()
print(x.grad)
"""


def drawn(page: Page) -> int:
    return int(page.locator("body").get_attribute("data-graph-nodes") or "0")


def min_label_px(page: Page) -> float:
    return float(page.locator("[data-testid=graph]").get_attribute("data-min-label-px") or "0")


def test_mlp_training_shows_the_last_backward_calls_graph(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/{permalink_hash(MLP_TRAINING, 0)}") == "done"
    summary = page.locator("[data-testid=graph-summary]")
    expect(summary).to_contain_text("backward call 20 of 20 (line 13)")
    expect(summary).to_contain_text("hidden")
    assert drawn(page) <= 40 and min_label_px(page) >= 12
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "mlp-20-steps.png"), full_page=True)
    calls = page.locator("[data-testid=backward-call] option")
    expect(calls).to_have_count(22)  # the last call, each of the 20, all nodes
    # Compared unfolded: the last step's output is the variable `loss`, drawn beside the MSELoss
    # box, while step 1's unnamed output folds into it.
    page.locator("[data-testid=graph-modules]").uncheck()
    last_call = drawn(page)
    page.locator("[data-testid=backward-call]").select_option("0")
    expect(summary).to_contain_text("backward call 1 of 20")
    assert drawn(page) == last_call, "every step builds the same graph"
    page.locator("[data-testid=backward-call]").select_option("all")
    expect(summary).to_contain_text("Showing all")
    assert drawn(page) > last_call


def test_a_300_op_loop_is_folded_and_its_table_paginated(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/{permalink_hash(LOOP_300, 0)}") == "done"
    assert drawn(page) <= 40 and min_label_px(page) >= 12
    expect(page.locator("[data-testid=graph-summary]")).to_contain_text("Repeats are folded")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "loop-300-ops.png"), full_page=True)
    rows = page.locator("[data-testid=node-row]")
    expect(rows).to_have_count(100)
    status = page.locator("[data-testid=nodes-page-status]")
    expect(status).to_have_text("Rows 1–100 of 1,204")
    page.locator("[data-testid=nodes-next]").click()
    expect(status).to_have_text("Rows 101–200 of 1,204")
    assert rows.first.get_attribute("data-node-id") != "t0"


def test_each_module_call_folds_into_a_box_named_after_the_module(
    page: Page, live_server: str
) -> None:
    assert open_and_run(page, f"{live_server}/{permalink_hash(MLP_TRAINING, 0)}") == "done"
    graph = page.locator("[data-testid=graph]")
    boxes = (graph.get_attribute("data-module-boxes") or "").split("\n")
    # The last backward call's graph holds one forward: each module once, named by its path.
    assert sorted(boxes) == [
        "loss_fn: MSELoss",
        "model.0: Linear(2→4)",
        "model.1: Tanh",
        "model.2: Linear(4→1)",
    ]
    folded = drawn(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "mlp-modules-folded.png"), full_page=True)
    page.locator("[data-testid=graph-modules]").uncheck()
    expect(graph).to_have_attribute("data-module-boxes", "")
    assert drawn(page) > folded
    page.locator("[data-testid=graph-modules]").check()
    assert drawn(page) == folded


MODULE_CALLS_PAST_THE_LIMIT = """import torch
from torch import nn

x = torch.ones(2, requires_grad=True)
same = nn.Identity()
for i in range(5001):
    x = same(x)
y = nn.Linear(2, 1)(x).sum()
"""


def test_module_calls_past_the_limit_are_noted_in_both_languages(
    page: Page, live_server: str
) -> None:
    # 5,001 calls of nn.Identity (no node each) pass limits.graph_nodes = 5,000 module calls:
    # the Linear after them is not folded, and the summary says why.
    url = f"{live_server}/{permalink_hash(MODULE_CALLS_PAST_THE_LIMIT, 0)}"
    assert open_and_run(page, url) == "done"
    summary = page.locator("[data-testid=graph-summary]")
    expect(summary).to_contain_text("Only the first 5,000 nn.Module calls were recorded")
    assert page.locator("[data-testid=graph]").get_attribute("data-module-boxes") in ("", None)
    page.locator("[data-testid=language]").select_option("ko")
    expect(summary).to_contain_text("nn.Module 호출은 처음 5,000개만 기록했습니다")
    page.locator("[data-testid=language]").select_option("en")
    assert open_and_run(page, f"{live_server}/{permalink_hash(MLP_TRAINING, 0)}") == "done"
    expect(summary).not_to_contain_text("nn.Module calls were recorded")
