"""Keyboard and accessibility: nobody is trapped in the editor, every control is reachable in
reading order, and axe-core finds no serious or critical violation in either language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import editor_source, node_row, open_and_run, permalink_hash

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}"""
# What has focus, named by its data-testid (the editor's surface is `editor`).
FOCUSED = """() => {
  const element = document.activeElement;
  if (element.closest('.CodeMirror')) return 'editor';
  return element.dataset.testid || element.tagName.toLowerCase();
}"""


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))  # inline: the page itself never loads axe
    return list(page.evaluate(RUN_AXE))


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_axe_finds_no_serious_violation_after_a_run(
    page_factory: Callable[..., Page], live_server: str, locale: str
) -> None:
    page = page_factory(locale=locale)
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    assert serious_violations(page) == []
    # With the inspector, the why-chain, a replay step and the variables filled in.
    node_row(page, "y").click()
    page.locator("[data-testid=step-backward]").click()
    assert serious_violations(page) == []


def test_axe_on_an_error_and_on_embed(page_factory: Callable[..., Page], live_server: str) -> None:
    page = page_factory(locale="en-US")
    source = "import torch\nx = torch.ones(2, requires_grad=True)\ny = x @ torch.ones(3)\n"
    assert open_and_run(page, f"{live_server}/{permalink_hash(source, 0)}") == "error"
    assert serious_violations(page) == []
    embedded = page_factory(locale="en-US", viewport={"width": 900, "height": 520})
    assert open_and_run(embedded, f"{live_server}/?embed=1&example=chain-rule") == "done"
    assert serious_violations(embedded) == []


def test_escape_then_tab_leaves_the_editor(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=scalar-backward") == "done"
    page.locator(".CodeMirror-line").first.click()
    before = editor_source(page)
    page.keyboard.press("Tab")  # Tab alone indents: the editor keeps focus
    assert page.evaluate(FOCUSED) == "editor"
    assert editor_source(page) != before
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "seed", "Escape, Tab moves on to the next control"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "editor"
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == "examples", "Escape, Shift+Tab moves back"


def test_every_control_is_reachable_in_reading_order(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    page.locator("body").focus()
    order: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused == "editor":
            page.keyboard.press("Escape")
        if not order or order[-1] != focused:
            order.append(focused)
        if focused == "node-row":
            break
    expected = [
        "copy-link",
        "language",
        "examples",
        "editor",
        "seed",
        "run",
        "graph-fit",
        "timeline",
        "step-backward",
        "node-row",
    ]
    positions = [order.index(name) for name in expected if name in order]
    assert [name for name in expected if name in order] == expected, " > ".join(order)
    assert positions == sorted(positions), order


def test_clicking_the_error_message_puts_the_cursor_on_its_line(
    page: Page, live_server: str
) -> None:
    source = "import torch\nx = torch.ones(2)\ny = x @ torch.ones(3)\n"
    assert open_and_run(page, f"{live_server}/{permalink_hash(source, 0)}") == "error"
    page.locator("[data-testid=run]").focus()
    page.locator("[data-testid=editor-error]").click()
    assert page.evaluate(FOCUSED) == "editor"
    line = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getCursor().line")
    assert line + 1 == 3


def test_the_editor_is_renamed_with_the_language(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=scalar-backward") == "done"
    surface = page.locator(".CodeMirror [aria-label]").first
    expect(surface).to_have_attribute("aria-label", "Program")
    page.locator("[data-testid=language]").select_option("ko")
    expect(surface).to_have_attribute("aria-label", "프로그램")
