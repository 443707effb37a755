"""The node table and the inspector show the values real PyTorch computes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import (
    node_row,
    numbers,
    open_and_run,
    permalink_hash,
    row_grad,
    row_value,
)
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser


def test_vector_backward_table_and_inspector(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    source = examples["vector-backward"]["source"]
    expected = run_with_torch(source, seed=0)
    x = expected.namespace["x"]
    assert open_and_run(page, f"{live_server}/?example=vector-backward") == "done"

    # The seed post's question: x.grad for seed 0 ([51.2, 512, 0.0512]), computed by torch here.
    assert row_grad(page, "x") == pytest.approx(x.grad.tolist(), rel=1e-4)
    assert row_value(page, "x") == pytest.approx(x.detach().tolist(), rel=1e-4)
    y = expected.namespace["y"]
    assert row_value(page, "y") == pytest.approx(y.detach().tolist(), rel=1e-4)

    node_row(page, "x").click()
    inspector = page.locator("[data-testid=inspector]")
    node_id = node_row(page, "x").get_attribute("data-node-id")
    expect(page.locator("body")).to_have_attribute("data-selected-node", node_id or "")
    expect(node_row(page, "x")).to_have_attribute("aria-selected", "true")
    assert numbers(inspector.locator("[data-testid=inspector-grad]").inner_text()) == pytest.approx(
        x.grad.tolist(), rel=1e-4
    )
    assert numbers(
        inspector.locator("[data-testid=inspector-value]").inner_text()
    ) == pytest.approx(x.detach().tolist(), rel=1e-4)
    text = inspector.inner_text()
    assert f"({x.shape[0]},)" in text
    assert str(x.dtype) in text
    assert f"requires_grad={x.requires_grad}" in text
    assert f"is_leaf={x.is_leaf}" in text


def test_function_node_shows_grad_fn_and_saved_tensors(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    expected = run_with_torch(examples["chain-rule"]["source"], seed=0)
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    grad_fn_name = expected.namespace["out"].grad_fn.name()
    row = page.locator("[data-testid=node-row][data-node-kind=function]", has_text=grad_fn_name)
    row.first.click()
    inspector = page.locator("[data-testid=inspector]")
    expect(inspector).to_contain_text(grad_fn_name)
    expect(inspector).to_contain_text("1/n")  # MeanBackward0's local derivative


def test_table_is_keyboard_navigable(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    rows = page.locator("[data-testid=node-row]")
    rows.first.focus()
    page.keyboard.press("ArrowDown")
    second = rows.nth(1).get_attribute("data-node-id")
    expect(page.locator("body")).to_have_attribute("data-selected-node", second or "")
    expect(rows.nth(1)).to_be_focused()


def test_values_cut_by_the_result_budget_end_in_an_ellipsis(page: Page, live_server: str) -> None:
    """Past the graph's budget a tensor keeps its first element: the page must not show it as
    the whole tensor."""
    source = (
        "import torch\nx = torch.ones(1000, requires_grad=True)\ny = x\n"
        "for i in range(300):\n    y = y * 1.001\n"
    )
    first = run_with_torch(source, seed=0).namespace["y"][0].item()
    assert open_and_run(page, f"{live_server}/{permalink_hash(source, 0)}") == "done"
    # 600 nodes: the table shows 100 rows a page; choosing y (here in the variables) brings
    # its page up.
    page.locator("[data-testid=variables] dt[data-name=y] button").click()
    cell = node_row(page, "y").locator("[data-col=value]").inner_text()
    assert numbers(cell) == [pytest.approx(first, rel=1e-4)] and cell.endswith("…]")
    node_row(page, "y").click()
    value = page.locator("[data-testid=inspector] [data-testid=inspector-value]").inner_text()
    assert value.splitlines()[-1] == "…"
