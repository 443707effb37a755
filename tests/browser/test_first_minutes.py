"""The first minutes: a draft survives choosing an example, a missing `import torch` is named,
random numbers say where they come from, and the embed fits its iframe."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import (
    editor_source,
    open_and_run,
    permalink_hash,
    run_count,
    set_editor_source,
    wait_for_run,
)

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def test_choosing_an_example_keeps_unrun_edits_for_back(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=scalar-backward") == "done"
    draft = "import torch\n# my own work, never run\nw = torch.ones(3, requires_grad=True)\n"
    set_editor_source(page, draft)
    before = run_count(page)
    page.locator("[data-testid=examples]").select_option("chain-rule")
    wait_for_run(page, before)
    assert "out.backward()" in editor_source(page)
    expect(page.locator("[data-testid=toast]")).to_contain_text("Back")
    before = run_count(page)
    page.go_back()
    wait_for_run(page, before)
    assert editor_source(page) == draft


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en-US", "add `import torch` at the top"), ("ko-KR", "맨 위에 `import torch`를 추가하세요")],
)
def test_torch_without_import_gets_the_import_hint(
    page_factory: Callable[..., Page], live_server: str, locale: str, expected: str
) -> None:
    page = page_factory(locale=locale)
    source = "x = torch.ones(2, requires_grad=True)\nprint(x)\n"
    assert open_and_run(page, f"{live_server}/{permalink_hash(source, 0)}") == "error"
    expect(page.locator("[data-testid=hint]")).to_contain_text(expected)


def test_random_numbers_without_manual_seed_name_their_seed(page: Page, live_server: str) -> None:
    source = "import torch\nx = torch.randn(3)\nprint(x)\n"
    assert open_and_run(page, f"{live_server}/{permalink_hash(source, 7)}") == "done"
    note = page.locator("[data-testid=seed-note]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("seed 7")
    assert page.locator("[data-testid=seed-note]").count() == 1
    seeded = "import torch\ntorch.manual_seed(1)\nx = torch.randn(3)\nprint(x)\n"
    assert open_and_run(page, f"{live_server}/{permalink_hash(seeded, 7)}") == "done"
    expect(note).to_be_hidden()


def test_embed_at_900_by_520_shows_run_and_a_legible_graph(
    page_factory: Callable[..., Page], live_server: str
) -> None:
    page = page_factory(locale="en-US", viewport={"width": 900, "height": 520})
    assert open_and_run(page, f"{live_server}/?embed=1&example=chain-rule") == "done"
    scroll = page.evaluate(
        "[document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
    )
    assert scroll[0] <= 520 and scroll[1] <= 900, "the embed does not scroll"
    for hook in ("run", "graph"):
        box = page.locator(f"[data-testid={hook}]").bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= 520, hook
        assert box["x"] >= 0 and box["x"] + box["width"] <= 900, hook
    graph = page.locator("[data-testid=graph]")
    assert float(graph.get_attribute("data-min-label-px") or "0") >= 12
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "embed-900x520.png"))
