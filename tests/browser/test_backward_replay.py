"""Backward replay: stepping through the recorded trace, and accumulation over backward calls."""

from __future__ import annotations

import pytest
import torch
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import open_and_run, row_grad
from tests.browser.torch_oracle import run_with_torch

pytestmark = pytest.mark.browser


def step_through(page: Page) -> list[list[float]]:
    """Press Step until it is disabled; return x's grad as shown after every step."""
    button = page.locator("[data-testid=step-backward]")
    seen = []
    step = 0
    while button.is_enabled():
        button.click()
        step += 1
        expect(page.locator("body")).to_have_attribute("data-backward-step", str(step))
        seen.append(row_grad(page, "x"))
    return seen


def test_stepping_fills_in_the_leaf_grad_last(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    expected = run_with_torch(examples["chain-rule"]["source"], seed=0)
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    expect(page.locator("body")).to_have_attribute("data-backward-step", "0")
    runs = []
    page.on("request", lambda request: runs.append(request.url) if "/api/" in request.url else None)

    seen = step_through(page)

    assert runs == [], "stepping replays the recorded run; it asks the server nothing"
    # torch runs one engine step per grad_fn reachable from out (AccumulateGrad included).
    functions = set()
    pending = [expected.namespace["out"].grad_fn]
    while pending:
        fn = pending.pop()
        if fn is not None and fn not in functions:
            functions.add(fn)
            pending.extend(next_fn for next_fn, _ in fn.next_functions)
    assert len(seen) == len(functions)
    assert all(grad == [] for grad in seen[:-1]), "x.grad appears only when AccumulateGrad ran"
    assert seen[-1] == pytest.approx(expected.namespace["x"].grad.flatten().tolist(), rel=1e-4)

    page.locator("[data-testid=step-back]").click()
    expect(page.locator("body")).to_have_attribute("data-backward-step", str(len(seen) - 1))
    assert row_grad(page, "x") == []
    page.locator("[data-testid=reset-backward]").click()
    expect(page.locator("body")).to_have_attribute("data-backward-step", "0")
    # Out of the replay, the page shows the program's final state again.
    assert row_grad(page, "x") == pytest.approx(seen[-1], rel=1e-6)


def test_second_backward_visibly_accumulates(
    page: Page,
    live_server: str,
    examples: dict[str, dict],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = examples["grad-accumulation"]["source"]
    # Oracle: x.grad after every backward call of the real program.
    snapshots: list[list[float]] = []
    original_backward = torch.Tensor.backward
    leaves: list[torch.Tensor] = []

    def recording_backward(self: torch.Tensor, *args: object, **kwargs: object) -> None:
        if not leaves:
            leaves.extend(t for t in _leaves_of(self) if t.requires_grad and t.is_leaf)
        before = leaves[0].grad
        # The replay shows .grad as it stood when the call began (zero_() included) ...
        if before is not None and (not snapshots or before.flatten().tolist() != snapshots[-1]):
            snapshots.append(before.flatten().tolist())
        original_backward(self, *args, **kwargs)
        grad = leaves[0].grad
        assert grad is not None
        snapshots.append(grad.flatten().tolist())  # ... and after the call's AccumulateGrad

    monkeypatch.setattr(torch.Tensor, "backward", recording_backward)
    expected = run_with_torch(source, seed=0)
    monkeypatch.undo()
    assert expected.error is None and len(snapshots) >= 2
    assert snapshots[1] != snapshots[0], "the program accumulates"
    assert [0.0, 0.0, 0.0] in snapshots, "and zeroes x.grad before its last backward"

    assert open_and_run(page, f"{live_server}/?example=grad-accumulation") == "done"
    seen = step_through(page)
    distinct = [grad for i, grad in enumerate(seen) if grad and (i == 0 or grad != seen[i - 1])]
    assert distinct == [pytest.approx(snapshot, rel=1e-5) for snapshot in snapshots]


def _leaves_of(tensor: torch.Tensor) -> list[torch.Tensor]:
    leaves = []
    pending = [tensor.grad_fn]
    seen = set()
    while pending:
        fn = pending.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        if hasattr(fn, "variable"):
            leaves.append(fn.variable)
        pending.extend(next_fn for next_fn, _ in fn.next_functions)
    return leaves


def test_play_runs_to_the_end(page: Page, live_server: str) -> None:
    assert open_and_run(page, f"{live_server}/?example=scalar-backward") == "done"
    page.locator("[data-testid=play-backward]").click()
    expect(page.locator("[data-testid=step-backward]")).to_be_disabled(timeout=10_000)
    steps = int(page.locator("body").get_attribute("data-backward-step") or "0")
    assert steps >= 2  # AddBackward0 then AccumulateGrad
