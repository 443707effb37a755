"""Graph view controls: collapsing a loop's repeated nodes, and the layout direction."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from playwright.sync_api import Page, expect

from bench.page import synthetic_result
from tests.browser.page_helpers import open_and_run, permalink_hash
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser
SVG = "{http://www.w3.org/2000/svg}"


def drawn_nodes(page: Page) -> int:
    return int(page.locator("body").get_attribute("data-graph-nodes") or "0")


def node_extent(page: Page) -> tuple[float, float]:
    """Width and height spanned by the node centres in the exported SVG."""
    with page.expect_download() as download:
        page.locator("[data-testid=export-svg]").click()
    svg = ET.parse(download.value.path()).getroot()
    xs, ys = [], []
    for group in svg.iter(f"{SVG}g"):
        shape = next(iter(group))
        if shape.tag == f"{SVG}ellipse":
            xs.append(float(shape.get("cx", 0)))
            ys.append(float(shape.get("cy", 0)))
        else:
            xs.append(float(shape.get("x", 0)) + float(shape.get("width", 0)) / 2)
            ys.append(float(shape.get("y", 0)) + float(shape.get("height", 0)) / 2)
    return max(xs) - min(xs), max(ys) - min(ys)


def test_loop_nodes_collapse_and_expand(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    expected = run_with_torch(examples["vector-backward"]["source"], seed=0)
    # The while loop doubled y this many times: one MulBackward0 per doubling, plus y = x * 2.
    doublings = 0
    fn = expected.namespace["y"].grad_fn
    while fn is not None and fn.name() == "MulBackward0":
        doublings += 1
        fn = fn.next_functions[0][0]
    assert doublings >= 5

    assert open_and_run(page, f"{live_server}/?example=vector-backward") == "done"
    rows = page.locator("[data-testid=node-row]").count()
    collapsed = drawn_nodes(page)
    assert collapsed < rows
    page.locator("[data-testid=graph-collapse]").uncheck()
    expect(page.locator("body")).to_have_attribute("data-graph-nodes", str(rows))
    functions = page.locator(
        "[data-testid=node-row][data-node-kind=function]", has_text="MulBackward0"
    )
    expect(functions).to_have_count(doublings)
    page.locator("[data-testid=graph-collapse]").check()
    expect(page.locator("body")).to_have_attribute("data-graph-nodes", str(collapsed))


def test_direction_toggle_turns_the_layout(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    # The default direction is the one whose default view is more readable (here: the long
    # chain top to bottom in a wide canvas); the checkbox says which, and turns it.
    toggle = page.locator("[data-testid=graph-direction]")
    width, height = node_extent(page)
    assert toggle.is_checked() == (height > width)
    toggle.set_checked(not toggle.is_checked())
    turned_width, turned_height = node_extent(page)
    assert (turned_height > turned_width) == toggle.is_checked()
    assert (turned_height > turned_width) != (height > width)


def test_clicking_a_graph_node_selects_its_table_row(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    x_id = page.locator("[data-testid=node-row][data-node-names~=x]").get_attribute("data-node-id")
    with page.expect_download() as download:
        page.locator("[data-testid=export-svg]").click()
    svg = ET.parse(download.value.path()).getroot()
    group = next(g for g in svg.iter(f"{SVG}g") if g.get("data-node-id") == x_id)
    shape = next(iter(group))
    model_x = float(shape.get("x", 0)) + float(shape.get("width", 0)) / 2
    model_y = float(shape.get("y", 0)) + float(shape.get("height", 0)) / 2
    graph = page.locator("[data-testid=graph]")
    viewport = json.loads(graph.get_attribute("data-viewport") or "{}")
    box = graph.bounding_box()
    assert box is not None
    page.mouse.click(
        box["x"] + viewport["pan"]["x"] + viewport["zoom"] * model_x,
        box["y"] + viewport["pan"]["y"] + viewport["zoom"] * model_y,
    )
    expect(page.locator("body")).to_have_attribute("data-selected-node", x_id or "")
    expect(page.locator(f"[data-testid=node-row][data-node-id='{x_id}']")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.locator("[data-testid=inspector]")).to_contain_text("requires_grad=True")


def node_boxes(page: Page) -> dict[str, tuple[float, float, float, float]]:
    """Each node's box (x1, y1, x2, y2) in model coordinates, from the exported SVG."""
    with page.expect_download() as download:
        page.locator("[data-testid=export-svg]").click()
    boxes = {}
    for group in ET.parse(download.value.path()).getroot().iter(f"{SVG}g"):
        shape = next(iter(group))
        if shape.tag == f"{SVG}ellipse":
            cx, cy = float(shape.get("cx", 0)), float(shape.get("cy", 0))
            rx, ry = float(shape.get("rx", 0)), float(shape.get("ry", 0))
            boxes[group.get("data-node-id", "")] = (cx - rx, cy - ry, cx + rx, cy + ry)
        else:
            x, y = float(shape.get("x", 0)), float(shape.get("y", 0))
            w, h = float(shape.get("width", 0)), float(shape.get("height", 0))
            boxes[group.get("data-node-id", "")] = (x, y, x + w, y + h)
    return boxes


def test_large_graph_is_laid_out_without_overlaps_and_fitted_whole(
    page: Page, live_server: str
) -> None:
    # Above 200 nodes graph-view.js uses its own cheap layered layout instead of dagre.
    body = json.dumps(synthetic_result(500))
    page.route(
        "**/api/v1/run", lambda route: route.fulfill(body=body, content_type="application/json")
    )
    assert open_and_run(page, f"{live_server}/{permalink_hash('# synthetic', 0)}") == "done"
    expect(page.locator("body")).to_have_attribute("data-graph-nodes", "500")
    boxes = node_boxes(page)
    assert len(boxes) == 500
    ordered = sorted(boxes.values())
    for index, (_x1, y1, x2, y2) in enumerate(ordered):
        for other in ordered[index + 1 :]:
            if other[0] >= x2:
                break
            assert other[1] >= y2 or other[3] <= y1, "two nodes overlap"
    graph = page.locator("[data-testid=graph]")
    viewport = json.loads(graph.get_attribute("data-viewport") or "{}")
    size = graph.bounding_box()
    assert size is not None
    zoom, pan = viewport["zoom"], viewport["pan"]
    assert zoom < 0.5, "fitted out, not left at the default zoom"
    for x1, y1, x2, y2 in ordered:
        assert pan["x"] + zoom * x1 >= -1 and pan["x"] + zoom * x2 <= size["width"] + 1
        assert pan["y"] + zoom * y1 >= -1 and pan["y"] + zoom * y2 <= size["height"] + 1
