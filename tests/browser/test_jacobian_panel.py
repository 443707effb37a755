"""The Jacobian panel explains y.backward(v): J, v and vᵀJ = x.grad."""

from __future__ import annotations

import pytest
import torch
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import numbers, open_and_run
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser


def test_vector_backward_jacobian(page: Page, live_server: str, examples: dict[str, dict]) -> None:
    expected = run_with_torch(examples["vector-backward"]["source"], seed=0)
    x = expected.namespace["x"]
    y = expected.namespace["y"]
    v = expected.namespace["gradients"]
    # y is x scaled by a constant: its Jacobian, computed by torch on that same map.
    scale = (y / x).detach()
    jacobian = torch.autograd.functional.jacobian(lambda t: t * scale, x.detach())

    assert open_and_run(page, f"{live_server}/?example=vector-backward") == "done"
    panel = page.locator("[data-testid=jacobian]")
    expect(panel).to_have_attribute("data-state", "equal")
    cell_texts = panel.locator("[data-testid=jacobian-matrix] td").all_inner_texts()
    assert [float(text) for text in cell_texts] == pytest.approx(
        jacobian.flatten().tolist(), rel=1e-4
    )
    assert numbers(panel.locator("[data-testid=jacobian-v]").inner_text()) == pytest.approx(
        v.tolist(), rel=1e-4
    )
    vjp = numbers(panel.locator("[data-testid=jacobian-vjp]").inner_text())
    assert vjp == pytest.approx((v @ jacobian).tolist(), rel=1e-4)
    assert vjp == pytest.approx(x.grad.tolist(), rel=1e-4)
    expect(panel.locator("[data-testid=jacobian-check]")).to_contain_text("x.grad")


def test_scalar_program_has_no_jacobian(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    expect(page.locator("[data-testid=jacobian]")).to_have_attribute("data-state", "none")
