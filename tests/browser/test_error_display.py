"""A failed run: the error is marked at its line in the editor, with torch's own message."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import open_and_run, permalink_hash
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser

FAILING_PROGRAM = """import torch
x = torch.ones(2, requires_grad=True)
y = x @ torch.ones(3)
print(y)
"""


def test_error_is_marked_at_its_line(page: Page, live_server: str) -> None:
    expected = run_with_torch(FAILING_PROGRAM, seed=0)
    assert expected.error is not None and expected.error_line is not None
    message = str(expected.error)

    state = open_and_run(page, f"{live_server}/{permalink_hash(FAILING_PROGRAM, 0)}")

    assert state == "error"
    marker = page.locator("[data-testid=editor-error]")
    expect(marker).to_have_attribute("data-line", str(expected.error_line))
    expect(marker).to_contain_text(type(expected.error).__name__)
    expect(marker).to_contain_text(message)
    error_panel = page.locator("[data-testid=error]")
    expect(error_panel).to_be_visible()
    expect(error_panel).to_have_attribute("data-line", str(expected.error_line))
    expect(error_panel).to_contain_text(message)


def test_expected_error_example_shows_its_hint(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    example = examples["nonscalar-backward-error"]
    expected = run_with_torch(example["source"], seed=0)
    assert type(expected.error).__name__ == example["expected_error"]
    assert open_and_run(page, f"{live_server}/?example=nonscalar-backward-error") == "error"
    error_panel = page.locator("[data-testid=error]")
    expect(error_panel).to_contain_text(str(expected.error))
    expect(page.locator("[data-testid=editor-error]")).to_have_attribute(
        "data-line", str(expected.error_line)
    )
    # The stdout printed before the failure is still shown.
    expect(page.locator("[data-testid=stdout]")).to_have_text(expected.stdout)


WARNING_PROGRAM = """import torch
x = torch.ones(2, requires_grad=True)
y = x * 2
print(y.grad)
"""


def test_warnings_are_shown_with_their_lines(page: Page, live_server: str) -> None:
    expected = run_with_torch(WARNING_PROGRAM, seed=0)
    assert expected.warnings, "reading .grad of a non-leaf warns"
    warning = expected.warnings[0]
    assert open_and_run(page, f"{live_server}/{permalink_hash(WARNING_PROGRAM, 0)}") == "done"
    shown = page.locator("[data-testid=warnings] .warning")
    expect(shown).to_have_count(len(expected.warnings))
    expect(shown.first).to_have_attribute("data-line", str(warning.lineno))
    expect(shown.first).to_contain_text(warning.category.__name__)
    expect(shown.first).to_contain_text(str(warning.message).split(" (Triggered")[0])
    expect(page.locator("[data-testid=stdout]")).to_have_text(expected.stdout)
