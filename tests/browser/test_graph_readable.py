"""A graph a student can read at the default view: node text ≥ 12 CSS px up to 40 nodes, edge
labels that overlap nothing, every value of a small tensor, one name per node everywhere."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import Page

from tests.browser.page_helpers import open_and_run

pytestmark = pytest.mark.browser

# Read from Cytoscape itself (its registry on the container), measured independently of the
# page's own placement code: node boxes from position and size, edge label boxes from the edge
# midpoint and the text width the canvas measures for the label's font.
DRAWING = """() => {
  const cy = document.querySelector('[data-testid=graph]')._cyreg.cy;
  const ctx = document.createElement('canvas').getContext('2d');
  const nodes = cy.nodes().map((n) => {
    const p = n.position();
    const w = n.width(), h = n.height();
    return { id: n.id(), label: n.data('label'), kind: n.data('kind'),
             font: parseFloat(n.style('font-size')),
             box: [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2] };
  });
  const labels = cy.edges().filter((e) => e.data('label') && Number(e.style('text-opacity')) > 0)
    .map((e) => {
      const size = parseFloat(e.style('font-size'));
      ctx.font = `${size}px ${e.style('font-family')}`;
      const w = ctx.measureText(e.data('label')).width + 4;
      const h = size * 1.2 + 4;
      const m = e.midpoint();
      return { id: e.id(), box: [m.x - w / 2, m.y - h / 2, m.x + w / 2, m.y + h / 2] };
    });
  return { zoom: cy.zoom(), nodes, labels };
}"""


def overlap(a: list[float], b: list[float], slack: float = 1.0) -> bool:
    return (
        a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]
    )


def test_every_example_is_readable_at_the_default_view(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    report = []
    for example_id in examples:
        open_and_run(page, f"{live_server}/?example={example_id}")
        drawing = page.evaluate(DRAWING)
        nodes = drawing["nodes"]
        if not nodes:
            continue
        graph = page.locator("[data-testid=graph]")
        min_px = float(graph.get_attribute("data-min-label-px") or "0")
        smallest = min(node["font"] for node in nodes) * drawing["zoom"]
        assert min_px == pytest.approx(smallest, abs=0.01), example_id
        report.append((example_id, len(nodes), round(min_px, 1)))
        if len(nodes) <= 40:
            assert min_px >= 12, (example_id, min_px)
        for index, label in enumerate(drawing["labels"]):
            for node in nodes:
                assert not overlap(label["box"], node["box"]), (example_id, label["id"], node["id"])
            for other in drawing["labels"][index + 1 :]:
                clash = (example_id, label["id"], other["id"])
                assert not overlap(label["box"], other["box"]), clash
        # Tensors of up to 6 elements show every value; the name is the table's name.
        rows = {
            row["id"]: row
            for row in page.evaluate(
                """() => [...document.querySelectorAll('[data-testid=node-row]')].map((r) => ({
                  id: r.dataset.nodeId,
                  name: r.querySelector('[data-field=name] code').textContent,
                  shape: r.children[3].textContent,
                }))"""
            )
        }
        for node in nodes:
            if node["kind"] != "tensor":
                continue
            lines = node["label"].split("\n")
            assert lines[0].split("  ")[0] == rows[node["id"]]["name"], (example_id, node["id"])
            shape = [int(s) for s in rows[node["id"]]["shape"].strip("(,)").split(",") if s.strip()]
            if math.prod(shape) <= 6:
                assert "…" not in lines[1], (example_id, lines[1])
    print("examples: (id, nodes drawn, smallest node text px)", report)
