"""A busy server (503 + Retry-After) is a wait, not an error: the page says "queued", retries,
shows the result, and lets the student cancel."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import PageGuard, open_guarded_page
from tests.browser.page_helpers import wait_for_run

pytestmark = pytest.mark.browser

BUSY = {
    "status": 503,
    "headers": {"Retry-After": "1", "Content-Type": "application/problem+json"},
    "body": '{"type": "about:blank", "title": "Service Unavailable", "status": 503}',
}
# Chromium logs every non-2xx fetch as a console error; those are the 503s this test serves.
RESOURCE_503 = re.compile(r"Failed to load resource: the server responded with a status of 503")


class BusyServer:
    """Answers the first `busy` runs with 503, then lets runs through to the real server."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.requests: list[dict[str, str]] = []

    def handle(self, route: Route) -> None:
        self.requests.append(route.request.headers)
        if len(self.requests) <= self.busy:
            route.fulfill(**BUSY)
        else:
            route.continue_()


@pytest.fixture
def open_page(browser: Browser, live_server: str) -> Iterator[object]:
    opened: list[tuple[BrowserContext, PageGuard]] = []

    def open_(locale: str = "en-US") -> Page:
        context, page, guard = open_guarded_page(browser, live_server, locale=locale)
        opened.append((context, guard))
        return page

    yield open_
    for context, guard in opened:
        context.close()
        assert guard.offsite_requests == []
        assert [e for e in guard.console_errors if not RESOURCE_503.search(e)] == []


def test_503_twice_then_200_shows_queued_then_the_result(open_page, live_server: str) -> None:
    page: Page = open_page()
    server = BusyServer(busy=2)
    page.route("**/api/v1/run", server.handle)
    page.goto(f"{live_server}/?example=chain-rule")
    run_button = page.locator("[data-testid=run]")
    expect(run_button).to_have_text(re.compile(r"^Queued — about \d+ s"), timeout=10_000)
    assert page.evaluate("document.body.dataset.runState") == "queued"

    assert wait_for_run(page) == "done"
    assert len(server.requests) == 3
    expect(page.locator("[data-testid=error]")).to_be_hidden()
    expect(page.locator("[data-testid=variables]")).to_contain_text("x")
    expect(run_button).to_have_text("Run")
    # Every attempt named the same anonymous browser, for fair scheduling.
    ids = {headers.get("x-playground-client") for headers in server.requests}
    assert len(ids) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", ids.pop() or "")


def test_a_queued_run_can_be_cancelled_and_never_runs_twice(open_page, live_server: str) -> None:
    page: Page = open_page(locale="ko-KR")
    server = BusyServer(busy=100)
    page.route("**/api/v1/run", server.handle)
    page.goto(f"{live_server}/?example=chain-rule")
    run_button = page.locator("[data-testid=run]")
    expect(run_button).to_have_text(re.compile(r"^대기 중 — 약 \d+초"), timeout=10_000)
    # Ctrl+Enter while a run is pending starts no second run.
    page.locator(".CodeMirror [contenteditable=true]").press("Control+Enter")
    page.wait_for_timeout(300)
    assert len(server.requests) == 1
    run_button.click()
    assert wait_for_run(page) == "cancelled"
    sent = len(server.requests)
    page.wait_for_timeout(2500)
    assert len(server.requests) == sent  # no retry after the cancel
    expect(page.locator("[data-testid=error]")).to_be_hidden()
    expect(run_button).to_have_text("실행")
