"""Suite-wide ordering and selection.

- Long runs marked `slow` (fuzzing, big property runs) are skipped unless asked for with
  `-m slow`, so the README's test command stays a few minutes long.
- Browser tests run last: Playwright's sync API keeps an event loop running in the main thread
  for as long as its session-scoped browser lives, and `asyncio.run` in later tests would fail.
- No test may leave a torch mode behind: an oracle that runs a program in this process (say
  `torch.set_default_device("cpu")`) would otherwise change what every later test sees (a
  device mode makes warnings point into torch instead of at the program's line).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" not in (config.getoption("markexpr") or ""):
        skip_slow = pytest.mark.skip(reason="long run: select it with -m slow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip_slow)
    items.sort(key=lambda item: "browser" in item.keywords)


@pytest.fixture(autouse=True)
def no_torch_mode_outlives_its_test() -> Iterator[None]:
    modes_before = torch._C._len_torch_function_stack()
    yield
    leaked = torch._C._len_torch_function_stack() - modes_before
    if leaked > 0:
        torch.set_default_device(None)  # the usual culprit; keeps the later tests honest
        pytest.fail(f"this test left {leaked} torch function mode(s) active")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """The process's one Playwright: its sync API runs an event loop for as long as it lives, so
    a second `sync_playwright()` beside it fails ("Sync API inside the asyncio loop"). Browser
    tests of every folder launch their browsers from this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance
