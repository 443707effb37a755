"""The "why this gradient" chain: local derivatives with the numbers torch computes."""

from __future__ import annotations

import pytest
import torch
from playwright.sync_api import Page

from tests.browser.page_helpers import node_row, numbers, open_and_run
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser


def factor_text(value: float) -> str:
    """How the page writes a factor: 1/k for reciprocals of counts, else the number."""
    if abs(value) < 1 and abs(1 / value - round(1 / value)) < 1e-6:
        return f"1/{round(1 / value)}"
    return f"{value:g}"


def test_chain_rule_explanation(page: Page, live_server: str, examples: dict[str, dict]) -> None:
    source = examples["chain-rule"]["source"]
    # Oracle: the same program in torch with every named intermediate keeping its .grad.
    expected = run_with_torch(source.replace("out.backward()", "pass"), seed=0)
    namespace = expected.namespace
    for name in ("y", "z", "out"):
        namespace[name].retain_grad()
    namespace["out"].backward()
    grads = {name: namespace[name].grad for name in ("out", "z", "y", "x")}
    local = {
        ("out", "z"): (grads["z"] / grads["out"]).flatten()[0].item(),
        ("z", "y"): (grads["y"] / grads["z"]).flatten()[0].item(),
        ("y", "x"): (grads["x"] / grads["y"]).flatten()[0].item(),
    }
    assert torch.allclose(grads["z"] / grads["out"], grads["z"].flatten()[0] / grads["out"])

    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    node_row(page, "x").click()
    why = page.locator("[data-testid=why-gradient]")
    text = why.inner_text()
    for (upper, lower), value in local.items():
        assert f"∂{upper}/∂{lower} = {factor_text(value)}" in text, text
    result = why.locator("[data-testid=why-result]").inner_text()
    product = " × ".join(["1", *(factor_text(v) for v in local.values())])
    assert product in result
    assert numbers(result.split("=")[-1]) == pytest.approx(grads["x"].flatten().tolist(), rel=1e-4)
    # The ops on each hop name the real grad_fn and its local-derivative formula.
    assert "MeanBackward0" in text and "1/n" in text
    assert "AddBackward0" in text
