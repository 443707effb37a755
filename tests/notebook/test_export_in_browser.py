"""The nbconvert HTML export of the executed tour, opened from disk in Chromium with no network.

Each view must draw from the modules inside the output itself: `data-graph-nodes` > 0 on every
view root, clicking `x` in the seed program's graph shows `x.grad` 4.5 in that view's inspector,
Alt+←/→ pressed inside the second view step that view's timeline and no other one's, no request
leaves the file and the console stays free of errors. nbconvert's own page chrome
(require.js and MathJax from a CDN) is pointed at empty data: scripts: that is nbconvert's page,
not the view, and the test must see every request the views make.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter
from playwright.sync_api import Playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

LOCAL = ("file:", "data:", "blob:")
EMPTY_SCRIPT = "data:text/javascript,"


def export(notebook: nbformat.NotebookNode, target: Path) -> Path:
    exporter = HTMLExporter(template_name="lab")
    exporter.mathjax_url = EMPTY_SCRIPT
    exporter.require_js_url = EMPTY_SCRIPT
    body, _resources = exporter.from_notebook_node(notebook)
    target.write_text(body, encoding="utf-8")
    return target


def test_the_export_draws_every_view_offline(
    executed_tour: tuple[nbformat.NotebookNode, float], tmp_path: Path, playwright: Playwright
) -> None:
    notebook, _seconds = executed_tour
    page_file = export(notebook, tmp_path / "tour.html")
    left_the_file: list[str] = []
    console_errors: list[str] = []
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def guard(route, request) -> None:  # type: ignore[no-untyped-def]
            if request.url.startswith(LOCAL):
                route.continue_()
            else:
                left_the_file.append(request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.goto(page_file.as_uri())
        views = page.locator(".agp-view")
        expect(views).to_have_count(4)
        for index in range(4):
            view = views.nth(index)
            expect(view).to_have_attribute("data-graph-state", "drawn", timeout=20_000)
            assert int(view.get_attribute("data-graph-nodes") or 0) > 0

        seed_view = views.nth(0)
        seed_view.scroll_into_view_if_needed()
        graph = seed_view.locator("[data-testid=graph]")
        point = graph.evaluate(
            """(element) => {
              const cy = element._cyreg.cy;
              const x = cy.nodes().filter((n) => (n.data('names') || []).includes('x')
                || /^x\\b/.test(n.data('label') || ''))[0];
              const p = x.renderedPosition();
              return { x: p.x, y: p.y, id: x.id() };
            }"""
        )
        box = graph.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        expect(seed_view).to_have_attribute("data-selected-node", point["id"])
        inspector = seed_view.locator("[data-testid=inspector]")
        expect(inspector).to_contain_text("4.5")
        expect(inspector).to_contain_text("x")

        # Timeline keys: only the view the key press happens in steps.
        sliders = [views.nth(index).locator("[data-testid=timeline]") for index in range(4)]
        ends = [slider.get_attribute("max") or "" for slider in sliders]
        assert [slider.input_value() for slider in sliders] == ends
        assert int(ends[0]) > 0 and int(ends[1]) > 0, "two views that could step"
        second = views.nth(1)
        expect(second).to_have_attribute("role", "group")
        expect(second).to_have_attribute("aria-label", re.compile("Alt"))
        second.scroll_into_view_if_needed()
        second.locator("[data-testid=timeline-status]").click()
        page.keyboard.press("Alt+ArrowLeft")
        stepped = [ends[0], str(int(ends[1]) - 1), *ends[2:]]
        for slider, value in zip(sliders, stepped, strict=True):
            expect(slider).to_have_value(value)
        page.keyboard.press("Alt+ArrowRight")
        for slider, value in zip(sliders, ends, strict=True):
            expect(slider).to_have_value(value)
        # Outside every view the keys step nothing.
        seed_view.locator("[data-testid=timeline-prev]").click()
        moved = [str(int(ends[0]) - 1), *ends[1:]]
        page.evaluate("() => document.activeElement.blur()")
        page.keyboard.press("Alt+ArrowLeft")
        page.keyboard.press("Alt+ArrowRight")
        for slider, value in zip(sliders, moved, strict=True):
            expect(slider).to_have_value(value)
    finally:
        browser.close()
    assert left_the_file == []
    assert console_errors == []


def test_the_widget_module_draws_from_its_traits(tmp_path: Path, playwright: Playwright) -> None:
    """The anywidget module (render.widget_esm) given the traits a kernel syncs, in a bare page:
    anywidget's host is not under test here, the module's own loading and drawing are."""
    import json

    import autograd_playground as ag
    from autograd_playground import render

    result = ag.run(
        "import torch\nx = torch.ones(2, 2, requires_grad=True)\n"
        "out = ((x + 2) * (x + 2) * 3).mean()\nout.backward()\n"
    )
    view = render.widget(result.data, lang="ko")
    assert view is not None
    traits = {name: getattr(view, name) for name in ("modules", "entry", "result", "lang")}
    (tmp_path / "traits.json").write_text(json.dumps(traits))
    (tmp_path / "widget.js").write_text(render.widget_esm())
    (tmp_path / "page.html").write_text(
        "<!doctype html><meta charset=utf-8><style>" + render.view_css() + "</style>"
        "<div id=el></div><script type=module>"
        "const traits = await (await fetch('traits.json')).json();"
        "const widget = (await import('./widget.js')).default;"
        "const model = { get: (k) => traits[k] };"
        "await widget.render({ model, el: document.getElementById('el') });"
        "</script>"
    )
    errors: list[str] = []
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--allow-file-access-from-files"]
    )
    try:
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "page.html").as_uri())
        root = page.locator("#el .agp-view")
        expect(root).to_have_attribute("data-graph-state", "drawn", timeout=20_000)
        assert int(root.get_attribute("data-graph-nodes") or 0) > 0
        # --lang ko: the page's own Korean table.
        expect(root.locator("[data-testid=inspector] h3")).to_have_text("검사기")
    finally:
        browser.close()
    assert errors == []


def test_a_view_notes_module_calls_past_the_limit(tmp_path: Path, playwright: Playwright) -> None:
    """5,001 nn.Identity calls pass limits.graph_nodes module calls: the view's graph summary
    says the later calls are not folded (graph.modules_truncated), in the view's language."""
    import autograd_playground as ag
    from autograd_playground import render

    result = ag.run(
        "import torch\nfrom torch import nn\nx = torch.ones(2, requires_grad=True)\n"
        "same = nn.Identity()\nfor i in range(5001):\n    x = same(x)\n"
        "y = nn.Linear(2, 1)(x).sum()\n"
    )
    assert result.data["graph"]["modules_truncated"] is True
    pages = {lang: tmp_path / f"{lang}.html" for lang in ("en", "ko")}
    for lang, page_file in pages.items():
        page_file.write_text(
            "<!doctype html><meta charset=utf-8>" + render.static_html(result.data, lang),
            encoding="utf-8",
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        expected = {"en": "Only the first 5,000 nn.Module calls", "ko": "처음 5,000개만 기록"}
        for lang, page_file in pages.items():
            page.goto(page_file.as_uri())
            view = page.locator(".agp-view")
            expect(view).to_have_attribute("data-graph-state", "drawn", timeout=20_000)
            summary = view.locator("[data-testid=graph-summary]")
            expect(summary).to_contain_text(expected[lang])
    finally:
        browser.close()
