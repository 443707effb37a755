"""Embed mode for course pages, and export of the graph (PNG, SVG) and the run (JSON)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import open_and_run

pytestmark = pytest.mark.browser


def test_embed_mode_shows_editor_run_and_graph_only(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?embed=1&example=chain-rule") == "done"
    expect(page.locator("body")).to_have_attribute("data-embed", "1")
    for visible in ("[data-testid=run]", ".CodeMirror", "[data-testid=graph]"):
        expect(page.locator(visible)).to_be_visible()
    for hidden in (
        "[data-testid=inspector]",
        "[data-testid=node-table]",
        "[data-testid=output]",
        "[data-testid=timeline]",
        "[data-testid=jacobian]",
        "header",
    ):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-graph-state", "drawn")
    assert "#src=" not in page.url, "an embedded page leaves its host's URL alone"


def test_exports(page: Page, live_server: str, examples: dict[str, dict]) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"

    with page.expect_download() as png_download:
        page.locator("[data-testid=export-png]").click()
    png = png_download.value
    assert png.suggested_filename.endswith(".png")
    with open(png.path(), "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"

    with page.expect_download() as svg_download:
        page.locator("[data-testid=export-svg]").click()
    svg = ET.parse(svg_download.value.path()).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    drawn = int(page.locator("body").get_attribute("data-graph-nodes") or "0")
    groups = svg.findall("{http://www.w3.org/2000/svg}g")
    assert len(groups) == drawn > 0
    labels = " ".join(text.text or "" for text in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "MeanBackward0" in labels and "AccumulateGrad" in labels

    with page.expect_download() as json_download:
        page.locator("[data-testid=export-json]").click()
    with open(json_download.value.path(), encoding="utf-8") as file:
        exported = json.load(file)
    direct = httpx.post(
        f"{live_server}/api/v1/run",
        json={"source": examples["chain-rule"]["source"], "seed": 0},
        timeout=30,
    ).json()
    exported.pop("timing_ms")
    direct.pop("timing_ms")
    assert exported == direct


def test_copy_link_is_a_working_permalink(page: Page, live_server: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    page.locator("[data-testid=seed]").fill("3")
    page.locator("[data-testid=copy-link]").click()
    expect(page.locator("[data-testid=toast]")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link.startswith(live_server) and "#src=" in link and link.endswith("&seed=3")
