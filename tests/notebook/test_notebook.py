"""A real notebook with a real kernel (nbclient + ipykernel): the tour's cells, executed.

Checks the outputs' MIME bundles (widget view, self-contained HTML fallback, plain text), what
the programs printed, and that the kernel's state is as it was after each tool. Then the
nbconvert HTML export of the same notebook is opened in Chromium, offline, and each view must
draw (tests/notebook/test_export_in_browser.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat
import pytest

from tests.notebook.tour import build

WIDGET = "application/vnd.jupyter.widget-view+json"


def rich_outputs(cell: Any) -> list[dict[str, Any]]:
    return [
        o for o in cell.get("outputs", []) if o["output_type"] in ("display_data", "execute_result")
    ]


def stream(cell: Any) -> str:
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o["output_type"] == "stream"
    )


def code_cells(notebook: Any) -> list[Any]:
    return [c for c in notebook.cells if c.cell_type == "code"]


def test_the_tour_runs_in_a_real_kernel(executed_tour: tuple[nbformat.NotebookNode, float]) -> None:
    notebook, seconds = executed_tour
    print(f"notebook executed in {seconds:.1f} s")
    cells = code_cells(notebook)
    errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []
    magic, check_magic, run_cell, _net, watch_cell, show_cell, final = (
        cells[1],
        cells[2],
        cells[3],
        cells[4],
        cells[5],
        cells[6],
        cells[7],
    )
    assert magic.source.startswith("%%autograd")
    # The sandboxed program's print, passed on as the cell's stdout.
    assert len(re.findall(r"4\.5000", stream(magic))) == 4
    # run(): x.grad = v · diag(3x²) for v = [0.1, 1.0, 0.0001], x = [0.5, 1, 2].
    printed = json.loads(stream(run_cell).strip())
    assert printed == pytest.approx([0.1 * 0.75, 3.0, 0.0001 * 12.0], rel=1e-6)
    for cell in (magic, run_cell, watch_cell, show_cell):
        (output,) = rich_outputs(cell)
        data = output["data"]
        assert set(data) == {WIDGET, "text/html", "text/plain"}
        assert data[WIDGET]["model_id"]
        page = data["text/html"]
        assert "http://" not in page and "https://" not in page
        assert 'data-graph-nodes="0"' in page  # filled in when the modules have drawn
        assert "<script" in page and "js/notebook-view.js" in page
    for cell in (magic, run_cell, watch_cell, show_cell):
        assert rich_outputs(cell)[0]["data"]["text/plain"].startswith("<RunResult ok: ")
    # Kernel state: the asserts in the cells passed (no error above), and the last one says so.
    assert check_magic.get("outputs", []) == []
    state = json.loads(stream(final).strip().splitlines()[-1])
    assert state == {"kernel_state_unchanged": True, "grad_enabled": True, "dtype": "torch.float32"}


def test_the_shipped_tour_is_the_tested_one() -> None:
    """docs/notebook-tour.ipynb holds the tested cells, and the views among its outputs."""
    from tests.notebook.tour import TOUR

    shipped = nbformat.read(TOUR, as_version=4)
    assert [c.source for c in shipped.cells] == [c.source for c in build().cells]
    views = [o for c in code_cells(shipped) for o in rich_outputs(c)]
    assert len(views) == 4
    assert all("text/html" in o["data"] and WIDGET in o["data"] for o in views)
