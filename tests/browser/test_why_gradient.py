"""The "why this gradient" chain: local derivatives with the numbers torch computes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from playwright.sync_api import Page

from tests.browser.page_helpers import node_row, numbers, open_and_run, permalink_hash
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


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


# A Function of the program (as in the "defining new autograd functions" tutorials): its
# backward notes what it received and returned, so the oracle knows the numbers.
PROGRAM_FUNCTION = """\
import torch
class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)
    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[x < 0] = 0
        seen.append((grad_output.tolist(), grad_input.tolist()))
        return grad_input
seen = []
x = torch.tensor([1.0, -2.0, 0.5])
w = torch.tensor([[0.5, -1.0, 2.0], [-1.5, 0.25, -0.5]], requires_grad=True)
h = MyReLU.apply(w @ x)
loss = (h * torch.tensor([3.0, -1.5])).sum()
loss.backward()
"""
BACKWARD_LINE = 8


def _program_node_row(page: Page) -> None:
    page.locator("[data-testid=node-row][data-node-kind=function]").filter(
        has_text="MyReLUBackward"
    ).click()


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_why_a_program_functions_gradient_names_its_backward_and_numbers(
    page_factory: Callable[..., Page], live_server: str, locale: str
) -> None:
    oracle = run_with_torch(PROGRAM_FUNCTION, seed=0)
    assert oracle.error is None
    [(received, returned)] = oracle.namespace["seen"]
    assert received != returned  # the ReLU's mask changes something: the test can tell them apart

    page = page_factory(locale=locale)
    assert open_and_run(page, f"{live_server}/{permalink_hash(PROGRAM_FUNCTION, 0)}") == "done"
    _program_node_row(page)
    why = page.locator("[data-testid=why-gradient]")
    rule = why.locator("[data-testid=program-rule]").inner_text()
    sentence = why.locator("[data-testid=program-numbers]").inner_text()
    if locale == "en-US":
        assert "MyReLUBackward" in rule and "program’s own backward" in rule
        assert f"(line {BACKWARD_LINE})" in rule
        went_in, came_out = sentence.split("returned")
    else:
        assert "MyReLUBackward" in rule and f"{BACKWARD_LINE}번째 줄" in rule
        went_in, came_out = sentence.split("돌려준")
    # The numbers the program's backward really got and gave back, as real torch ran it (the
    # call's number, 1, is before the first `=`).
    assert numbers(went_in.split("=", 1)[1]) == pytest.approx(received)
    assert numbers(came_out) == pytest.approx(returned)
    # The `∂` row of the inspector names the same rule.
    assert str(BACKWARD_LINE) in page.locator("[data-testid=inspector]").inner_text()
    if locale == "en-US":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("[data-testid=inspector]").screenshot(
            path=str(SHOTS / "why-program-function.png")
        )

    # On the chain down to `w`, the hop through MyReLUBackward shows the rule with its numbers.
    node_row(page, "w").click()
    hop = page.locator("[data-testid=why-gradient] li[data-program-line]")
    assert hop.get_attribute("data-program-line") == str(BACKWARD_LINE)
    text = hop.inner_text()
    assert "MyReLUBackward" in text
    arrow = "→"
    assert numbers(text.split(arrow)[0].split("=", 1)[1]) == pytest.approx(received)
    assert numbers(text.split(arrow)[1]) == pytest.approx(returned)
