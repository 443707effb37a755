"""`.grad` (what PyTorch stores) and the gradient that reached a node are never confused."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
import torch
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import node_row, numbers, open_and_run, permalink_hash, row_field
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser
SVG = "{http://www.w3.org/2000/svg}"


def retained(source: str, names: tuple[str, ...], backward: str) -> dict[str, torch.Tensor]:
    """The gradient that reaches each name, read by torch itself through retain_grad()."""
    run = run_with_torch(source.replace(backward, "pass"), seed=0)
    for name in names:
        if not run.namespace[name].is_leaf:
            run.namespace[name].retain_grad()
    eval(backward, run.namespace)  # the one backward line of the example, in real torch
    return {name: run.namespace[name].grad for name in names}


def test_chain_rule_table_shows_none_for_non_leaves_and_the_reached_gradient_apart(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    source = examples["chain-rule"]["source"]
    plain = run_with_torch(source, seed=0).namespace
    reached = retained(source, ("x", "y", "z", "out"), "out.backward()")
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    for name in ("y", "z", "out"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns on reading a non-leaf's .grad
            assert plain[name].grad is None
        assert row_field(page, name, "grad") == "None", name
        assert numbers(row_field(page, name, "reached")) == pytest.approx(
            reached[name].flatten().tolist(), rel=1e-5
        )
    assert numbers(row_field(page, "x", "grad")) == pytest.approx(
        plain["x"].grad.flatten().tolist(), rel=1e-5
    )


def test_inspector_labels_the_reached_gradient_and_says_how_to_keep_it(
    page_factory: Callable[..., Page], live_server: str
) -> None:
    for locale, expected in (
        ("en-US", "∂out/∂y reached y; y.grad is None — call y.retain_grad() to keep it."),
        ("ko-KR", "y.retain_grad()를 호출하세요"),
    ):
        page = page_factory(locale=locale)
        assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
        node_row(page, "y").click()
        inspector = page.locator("[data-testid=inspector]")
        expect(inspector.locator("[data-testid=inspector-grad]")).to_have_text("None")
        expect(inspector.locator("[data-testid=grad-note]")).to_contain_text(expected)
        assert (
            numbers(inspector.locator("[data-testid=inspector-reached]").inner_text()) == [4.5] * 4
        )
        why = inspector.locator("[data-testid=why-gradient]")
        # The chain to y ends where y's gradient arrives: y's own grad_fn is not in it.
        assert "AddBackward0" not in why.inner_text()
        result = why.locator("[data-testid=why-result]").inner_text()
        assert "y.grad =" not in result and "∂out/∂y" in result


def test_graph_export_labels_grad_only_where_pytorch_has_one(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    with page.expect_download() as svg_download:
        page.locator("[data-testid=export-svg]").click()
    svg = ET.parse(svg_download.value.path()).getroot()
    labels = {}
    for group in svg.iter(f"{SVG}g"):
        texts = [text.text or "" for text in group.iter(f"{SVG}text")]
        if texts:
            labels[texts[0].split()[0]] = texts
    assert any(line.startswith(".grad = [[4.5, 4.5], [4.5, 4.5]]") for line in labels["x"])
    assert not any(".grad" in line for line in labels["y"])
    assert "∂out/∂y = [[4.5, 4.5], [4.5, 4.5]]" in labels["y"]


GRAD_STEPS = """import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward(retain_graph=True)
print("after one", x.grad)
y.backward()
print("after two", x.grad)
x.grad.zero_()
print("zeroed", x.grad)
z = (3 * x).sum()
z.backward()
print("end", x.grad)
"""


def x_grad_by_line(source: str) -> dict[int, list[float] | None]:
    """x.grad after each line, from real torch (a line-by-line run of the same program)."""
    lines = source.splitlines()
    expected: dict[int, list[float] | None] = {}
    for count in range(2, len(lines) + 1):
        run = run_with_torch("\n".join(lines[:count]) + "\n", seed=0)
        grad = run.namespace["x"].grad
        expected[count] = None if grad is None else grad.tolist()
    return expected


def test_timeline_and_replay_show_grad_as_of_the_step(page: Page, live_server: str) -> None:
    expected = x_grad_by_line(GRAD_STEPS)
    assert open_and_run(page, f"{live_server}/{permalink_hash(GRAD_STEPS, 0)}") == "done"
    slider = page.locator("[data-testid=timeline]")
    last = int(slider.get_attribute("max") or "0")
    for index in range(1, last + 1):
        slider.fill(str(index))
        line = int(
            page.evaluate(
                "document.querySelector('[data-testid=timeline-status]')"
                ".textContent.match(/line (\\d+)/)[1]"
            )
        )
        cell = page.locator("[data-testid=variables] dd[data-name=x] [data-field=grad]")
        want = expected[line]
        if want is None:
            expect(cell).to_contain_text("None")
        else:
            assert numbers(cell.inner_text()) == pytest.approx(want), line
    # Replaying the third backward: before its AccumulateGrad runs, x.grad is the zeroed one.
    slider.fill(str(last))
    steps = page.locator("[data-testid=step-backward]")
    seen = []
    while steps.is_enabled():
        steps.click()
        seen.append(numbers(row_field(page, "x", "grad")))
    assert seen[-1] == pytest.approx(expected[len(GRAD_STEPS.splitlines())])
    zero_line = GRAD_STEPS.splitlines().index("x.grad.zero_()") + 1
    assert pytest.approx(expected[zero_line]) in seen, "the last call starts from zero_()"
