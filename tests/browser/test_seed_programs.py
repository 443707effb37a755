"""The seed blog post's three programs, opened from the examples menu and from a permalink."""

from __future__ import annotations

import pytest
import torch
from playwright.sync_api import Page

from tests.browser.page_helpers import (
    editor_source,
    numbers,
    open_and_run,
    permalink_hash,
    row_grad,
    run_count,
    wait_for_run,
)
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser

SEED_PROGRAMS = ["scalar-backward", "chain-rule", "vector-backward"]


def assert_page_matches_torch(page: Page, source: str, seed: int) -> None:
    expected = run_with_torch(source, seed)
    assert expected.error is None
    assert page.locator("body").get_attribute("data-run-state") == "done"
    assert page.locator("[data-testid=stdout]").text_content() == expected.stdout
    assert page.locator("body").get_attribute("data-graph-state") == "drawn"
    leaves = {
        name: value
        for name, value in expected.namespace.items()
        if isinstance(value, torch.Tensor) and value.is_leaf and value.grad is not None
    }
    assert leaves, "every seed program computes a leaf gradient"
    for name, tensor in leaves.items():
        assert tensor.grad is not None
        assert row_grad(page, name) == pytest.approx(tensor.grad.flatten().tolist(), rel=1e-4)


@pytest.mark.parametrize("example_id", SEED_PROGRAMS)
def test_seed_program_from_examples_menu(
    page: Page, live_server: str, examples: dict[str, dict], example_id: str
) -> None:
    page.goto(f"{live_server}/")
    wait_for_run(page)  # the default example runs on load
    before = run_count(page)
    page.locator("[data-testid=examples]").select_option(example_id)
    wait_for_run(page, after=before)
    example = examples[example_id]
    assert editor_source(page) == example["source"]
    assert page.locator("[data-testid=example-explanation]").inner_text() == example["explanation"]
    assert_page_matches_torch(page, example["source"], seed=0)


@pytest.mark.parametrize("example_id", SEED_PROGRAMS)
def test_seed_program_from_permalink(
    page: Page, live_server: str, examples: dict[str, dict], example_id: str
) -> None:
    source = examples[example_id]["source"]
    open_and_run(page, f"{live_server}/{permalink_hash(source, 0)}")
    assert editor_source(page) == source
    assert page.locator("[data-testid=seed]").input_value() == "0"
    assert_page_matches_torch(page, source, seed=0)


def test_permalink_seed_changes_the_random_program(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    source = examples["vector-backward"]["source"]
    open_and_run(page, f"{live_server}/{permalink_hash(source, 7)}")
    assert page.locator("[data-testid=seed]").input_value() == "7"
    expected = run_with_torch(source, seed=7)
    assert row_grad(page, "x") == pytest.approx(expected.namespace["x"].grad.tolist(), rel=1e-4)
    assert numbers(page.locator("[data-testid=stdout]").inner_text()) == pytest.approx(
        numbers(expected.stdout), rel=1e-4
    )


def test_example_query_parameter_opens_that_example(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    open_and_run(page, f"{live_server}/?example=chain-rule")
    assert editor_source(page) == examples["chain-rule"]["source"]
    assert page.locator("[data-testid=examples]").input_value() == "chain-rule"


def test_permalink_pasted_into_an_open_page_runs(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    open_and_run(page, f"{live_server}/?example=scalar-backward")
    before = run_count(page)
    source = examples["chain-rule"]["source"]
    page.evaluate("(hash) => { window.location.hash = hash; }", permalink_hash(source, 0))
    wait_for_run(page, after=before)
    assert editor_source(page) == source
    assert_page_matches_torch(page, source, seed=0)
