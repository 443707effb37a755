"""Small readers and actions over the page's fixed data-* hooks, shared by the browser tests."""

from __future__ import annotations

import base64
import re

from playwright.sync_api import Locator, Page

RUN_TIMEOUT_MS = 30_000
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)


def permalink_hash(source: str, seed: int) -> str:
    """The documented permalink format: #src=<base64url of UTF-8 source, no padding>&seed=<n>."""
    encoded = base64.urlsafe_b64encode(source.encode()).decode().rstrip("=")
    return f"#src={encoded}&seed={seed}"


def run_count(page: Page) -> int:
    return int(page.evaluate("document.body.dataset.runCount || '0'"))


def wait_for_run(page: Page, after: int = 0) -> str:
    """Wait until more than `after` runs finished; return body[data-run-state]."""
    page.wait_for_function(
        f"Number(document.body.dataset.runCount || 0) > {after}", timeout=RUN_TIMEOUT_MS
    )
    return str(page.evaluate("document.body.dataset.runState"))


def open_and_run(page: Page, url: str) -> str:
    """Load `url` in a fresh document (not a same-page hash change) and wait for its run."""
    page.goto("about:blank")
    page.goto(url)
    return wait_for_run(page)


def editor_source(page: Page) -> str:
    return str(page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()"))


def set_editor_source(page: Page, source: str) -> None:
    page.evaluate(
        "(source) => document.querySelector('.CodeMirror').CodeMirror.setValue(source)", source
    )


def numbers(text: str) -> list[float]:
    return [float(match) for match in NUMBER.findall(text)]


def node_row(page: Page, name: str) -> Locator:
    return page.locator(f"[data-testid=node-row][data-node-names~='{name}']")


def row_grad(page: Page, name: str) -> list[float]:
    """The `.grad` cell of a tensor's row: what PyTorch stores ([] when "None")."""
    return numbers(row_field(page, name, "grad"))


def row_field(page: Page, name: str, field: str) -> str:
    """The text of a node-table cell: `grad` (.grad, or "None"), `reached`, `value`, `name`."""
    return node_row(page, name).locator(f"[data-field={field}]").inner_text()


def row_value(page: Page, name: str) -> list[float]:
    return numbers(node_row(page, name).locator("[data-col=value]").inner_text())
