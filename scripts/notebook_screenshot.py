"""The README's JupyterLab screenshot: JupyterLab driven by Playwright, the live widget drawn.

Starts JupyterLab (no token, a free port, this machine only) on a copy of the tour notebook,
runs every cell in a real kernel, waits for the anywidget view of the `%%autograd` cell to draw,
clicks `x` and saves docs/notebook-jupyterlab.png. Run: `python scripts/notebook_screenshot.py`
(JupyterLab from requirements-dev.txt; Chromium at PLAYGROUND_CHROMIUM or /usr/bin/chromium).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import nbformat
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")
TARGET = ROOT / "docs" / "notebook-jupyterlab.png"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="agp-lab-"))
    # Without its outputs: what is drawn below comes from this run's kernel.
    tour = nbformat.read(ROOT / "docs" / "notebook-tour.ipynb", as_version=4)
    for cell in tour.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(tour, work / "tour.ipynb")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JUPYTER_CONFIG_DIR": str(work / "config")}
    lab = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", f"--ServerApp.root_dir={work}", "--IdentityProvider.token=",
            "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
            "--ServerApp.disable_check_xsrf=True", "--allow-root",
        ],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/api/status", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 2000})
            page.on(
                "console", lambda m: print(m.text, file=sys.stderr) if m.type == "error" else None
            )
            page.on("pageerror", lambda e: print(e, file=sys.stderr))
            page.goto(f"{url}/lab/tree/tour.ipynb")
            page.wait_for_function(
                "() => window.jupyterapp && document.querySelector('.jp-Notebook')"
            )
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status=idle]", timeout=60_000
            )
            page.locator(".jp-Cell").first.click()
            for _ in range(page.locator(".jp-Cell").count()):
                page.keyboard.press("Shift+Enter")
                page.wait_for_timeout(300)
            view = page.locator(".jp-OutputArea-output .agp-view").first
            view.wait_for(timeout=120_000)
            page.wait_for_selector(
                ".jp-OutputArea-output .agp-view[data-graph-state=drawn]", timeout=60_000
            )
            nodes = int(view.get_attribute("data-graph-nodes") or 0)
            if nodes <= 0:
                print("the widget drew no node", file=sys.stderr)
                return 1
            graph = view.locator("[data-testid=graph]")
            graph.scroll_into_view_if_needed()
            point = graph.evaluate(
                """(element) => {
                  const cy = element._cyreg.cy;
                  const x = cy.nodes().filter((n) => (n.data('names') || []).includes('x')
                    || /^x\\b/.test(n.data('label') || ''))[0];
                  return x.renderedPosition();
                }"""
            )
            box = graph.bounding_box()
            assert box is not None
            page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
            page.wait_for_timeout(500)
            # JupyterLab's "news" notification would cover the inspector.
            page.add_style_tag(content=".Toastify { display: none !important; }")
            # The live widget, not the HTML fallback, drew it.
            widget = view.locator("xpath=ancestor::*[contains(@class, 'jp-OutputArea-output')][1]")
            if "jp-RenderedHTML" in (widget.get_attribute("class") or ""):
                print("JupyterLab showed the HTML fallback, not the widget", file=sys.stderr)
                return 1
            cell = view.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')][1]")
            cell.screenshot(path=str(TARGET))
            browser.close()
        print(f"wrote {TARGET} ({nodes} nodes drawn by the live widget)")
        return 0
    finally:
        lab.terminate()
        lab.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
