"""Suite-wide ordering and selection.

- Long runs marked `slow` (fuzzing, big property runs) are skipped unless asked for with
  `-m slow`, so the README's test command stays a few minutes long.
- Browser tests run last: Playwright's sync API keeps an event loop running in the main thread
  for as long as its session-scoped browser lives, and `asyncio.run` in later tests would fail.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" not in (config.getoption("markexpr") or ""):
        skip_slow = pytest.mark.skip(reason="long run: select it with -m slow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip_slow)
    items.sort(key=lambda item: "browser" in item.keywords)
