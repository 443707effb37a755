"""Screenshots of the page's main states into artifacts/screenshots/ (gitignored), each taken
after checking that the page really is in that state.

PLAYGROUND_UPDATE_DOCS_SCREENSHOT=1 also refreshes docs/screenshot.png for the README.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import node_row, open_and_run, permalink_hash

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
README_SHOT = "chain-rule-why-gradient.png"


def shoot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_main_states(page_factory: Callable[..., Page], live_server: str) -> None:
    page = page_factory(locale="en-US", viewport={"width": 1440, "height": 1000})
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    node_row(page, "x").click()
    expect(page.locator("[data-testid=why-result]")).to_be_visible()
    readme_shot = shoot(page, README_SHOT)
    node_row(page, "y").click()
    expect(page.locator("[data-testid=grad-note]")).to_contain_text("y.retain_grad()")
    shoot(page, "chain-rule-y-two-gradients.png")

    page.locator("[data-testid=step-backward]").click()
    page.locator("[data-testid=step-backward]").click()
    expect(page.locator("body")).to_have_attribute("data-backward-step", "2")
    shoot(page, "chain-rule-backward-replay-step-2.png")

    page.locator("[data-testid=reset-backward]").click()
    page.locator("[data-testid=timeline]").fill("5")
    expect(page.locator("body")).to_have_attribute("data-timeline-step", "5")
    shoot(page, "chain-rule-timeline-early.png")

    assert open_and_run(page, f"{live_server}/?example=vector-backward") == "done"
    expect(page.locator("[data-testid=jacobian]")).to_have_attribute("data-state", "equal")
    page.locator("[data-testid=graph-direction]").check()
    shoot(page, "vector-backward-jacobian-top-down.png")

    source = "import torch\nx = torch.ones(2, requires_grad=True)\ny = x @ torch.ones(3)\n"
    assert open_and_run(page, f"{live_server}/{permalink_hash(source, 0)}") == "error"
    shoot(page, "error-at-line.png")

    korean = page_factory(locale="ko-KR", viewport={"width": 1440, "height": 1000})
    assert open_and_run(korean, f"{live_server}/?example=chain-rule") == "done"
    expect(korean.locator("body")).to_have_attribute("data-lang", "ko")
    node_row(korean, "y").click()
    expect(korean.locator("[data-testid=grad-note]")).to_contain_text("retain_grad()")
    shoot(korean, "korean.png")

    embedded = page_factory(locale="en-US", viewport={"width": 900, "height": 520})
    assert open_and_run(embedded, f"{live_server}/?embed=1&example=vector-backward") == "done"
    shoot(embedded, "embed.png")

    if os.environ.get("PLAYGROUND_UPDATE_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(readme_shot, ROOT / "docs" / "screenshot.png")
