"""Live server + headless Chromium for the page tests (marker `browser`).

Every page opened through the `page` fixture fails its test if a request leaves the server's
origin or if the console reports an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
)

from tests.support.server_process import serve_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 90


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Start `uvicorn app.main:app` on a free loopback port; yield its base URL.

    PLAYGROUND_BROWSER_BASE_URL points the tests at a server that is already running instead.
    """
    if os.environ.get("PLAYGROUND_BROWSER_BASE_URL"):
        yield os.environ["PLAYGROUND_BROWSER_BASE_URL"].rstrip("/")
        return
    # One warm worker is enough for one page at a time; a generous time limit keeps a loaded CI
    # machine from turning these page tests into tests of the sandbox's timeout.
    env = {"PLAYGROUND_WORKERS": "1", "PLAYGROUND_LIMITS__SECONDS": "30"}
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with serve_app(
            {**env, **os.environ},
            log=ARTIFACTS / "browser-server.log",
            ready_seconds=SERVER_START_SECONDS,
        ) as server:
            yield server.url
    except RuntimeError as failure:
        pytest.fail(str(failure))


@pytest.fixture(scope="session")
def examples(live_server: str) -> dict[str, dict]:
    response = httpx.get(f"{live_server}/api/v1/examples", timeout=10)
    assert response.status_code == 200, response.text
    return {example["id"]: example for example in response.json()}


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class PageGuard:
    """What a page did that it must not: leave the origin, or log an error."""

    origin: str
    offsite_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and (
            f"{parts.scheme}://{parts.netloc}" != self.origin
        ):
            self.offsite_requests.append(url)
            route.abort()
        else:
            route.continue_()

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


def open_guarded_page(
    browser: Browser, live_server: str, **context_options: Any
) -> tuple[BrowserContext, Page, PageGuard]:
    options: dict[str, Any] = {
        "viewport": {"width": 1440, "height": 1000},
        "accept_downloads": True,
        **context_options,
    }
    context = browser.new_context(**options)
    guard = PageGuard(origin=live_server)
    context.route("**/*", guard.route)
    page = context.new_page()
    page.on("console", guard.console)
    page.on("pageerror", lambda error: guard.console_errors.append(f"pageerror: {error}"))
    return context, page, guard


@pytest.fixture
def page_factory(browser: Browser, live_server: str) -> Iterator[Callable[..., Page]]:
    """Open guarded pages (optionally with a locale); checks the guards when the test ends."""
    opened: list[tuple[BrowserContext, PageGuard]] = []

    def open_page(**context_options: Any) -> Page:
        context, page, guard = open_guarded_page(browser, live_server, **context_options)
        opened.append((context, guard))
        return page

    yield open_page
    for context, guard in opened:
        context.close()
        assert guard.offsite_requests == [], "requests left the server's origin"
        assert guard.console_errors == [], "console errors"


@pytest.fixture
def page(page_factory: Callable[..., Page]) -> Page:
    return page_factory(locale="en-US")
