"""A small SVG picture of a RunResult's autograd graph, drawn on the server without a browser.

PrairieLearn shows `images` next to a grading result; the page's interactive graph needs a
browser, so this draws a plain layered picture instead: tensors as rounded boxes (their variable
names and shape), grad_fns as ellipses, edges in the direction of the forward computation, one
column per depth. Deterministic (same graph, same bytes) and torch-free.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

MAX_NODES = 60
COLUMN_WIDTH = 170
ROW_HEIGHT = 54
BOX_HEIGHT = 34
MARGIN = 20
CHAR_WIDTH = 7.0


def _label(node: dict[str, Any]) -> str:
    if node.get("kind") == "function":
        return str(node.get("name", "?"))
    names = ", ".join(node.get("names") or []) or str(node.get("id"))
    shape = node.get("shape")
    return f"{names} {list(shape)}" if shape is not None else names


def _depths(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> dict[str, int]:
    ids = [node["id"] for node in nodes]
    known = set(ids)
    incoming: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for edge in edges:
        if edge.get("source") in known and edge.get("target") in known:
            incoming[edge["target"]].append(edge["source"])
    depth: dict[str, int] = {}
    # Ids are in creation order, so a node's sources were (almost always) made before it;
    # a few passes settle the rest without recursion.
    for _ in range(3):
        for node_id in ids:
            sources = [depth.get(source, 0) for source in incoming[node_id] if source != node_id]
            depth[node_id] = 1 + max(sources) if sources else 0
    return depth


def graph_svg(graph: dict[str, Any]) -> str:
    """The SVG document (text) of `graph` ({nodes, edges}); the first MAX_NODES nodes only."""
    nodes = list(graph.get("nodes") or [])[:MAX_NODES]
    edges = list(graph.get("edges") or [])
    depth = _depths(nodes, edges)
    rows: dict[int, int] = {}
    position: dict[str, tuple[float, float, float]] = {}
    for node in nodes:
        column = depth[node["id"]]
        row = rows.get(column, 0)
        rows[column] = row + 1
        box_width = max(60.0, CHAR_WIDTH * len(_label(node)) + 16)
        x = float(MARGIN + column * COLUMN_WIDTH)
        y = float(MARGIN + row * ROW_HEIGHT)
        position[node["id"]] = (x, y, min(box_width, COLUMN_WIDTH - 14))
    width = MARGIN * 2 + (max(rows) + 1 if rows else 1) * COLUMN_WIDTH
    height = MARGIN * 2 + (max(rows.values()) if rows else 1) * ROW_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for edge in edges:
        source, target = position.get(edge.get("source", "")), position.get(edge.get("target", ""))
        if source is None or target is None:
            continue
        x1, y1 = source[0] + source[2], source[1] + BOX_HEIGHT / 2
        x2, y2 = target[0], target[1] + BOX_HEIGHT / 2
        dash = ' stroke-dasharray="4 3"' if edge.get("kind") in ("constant", "variable") else ""
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555"'
            f'{dash} marker-end="url(#arrow)"/>'
        )
    for node in nodes:
        x, y, box = position[node["id"]]
        label = escape(_label(node))
        if node.get("kind") == "function":
            parts.append(
                f'<ellipse cx="{x + box / 2:.0f}" cy="{y + BOX_HEIGHT / 2:.0f}" '
                f'rx="{box / 2:.0f}" ry="{BOX_HEIGHT / 2:.0f}" fill="#fde9c8" stroke="#b9770e"/>'
            )
        else:
            fill = "#d6eaf8" if node.get("requires_grad") else "#eeeeee"
            parts.append(
                f'<rect x="{x:.0f}" y="{y:.0f}" width="{box:.0f}" height="{BOX_HEIGHT}" rx="6" '
                f'fill="{fill}" stroke="#2e86c1"/>'
            )
        parts.append(
            f'<text x="{x + box / 2:.0f}" y="{y + BOX_HEIGHT / 2 + 4:.0f}" '
            f'text-anchor="middle">{label}</text>'
        )
    if len(graph.get("nodes") or []) > MAX_NODES:
        parts.append(
            f'<text x="{MARGIN}" y="{height - 4}">… {len(graph["nodes"]) - MAX_NODES} more '
            "nodes not drawn</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def graph_image(graph: dict[str, Any], label: str) -> dict[str, str]:
    """A PrairieLearn `images` entry: the SVG as a data URL."""
    data = base64.b64encode(graph_svg(graph).encode("utf-8")).decode("ascii")
    return {"label": label, "url": f"data:image/svg+xml;base64,{data}"}
