"""English and Korean: chosen from the browser language, switchable, remembered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import open_and_run, wait_for_run

pytestmark = pytest.mark.browser
CODE_WORDS = ("PNG", "SVG", "JSON", ".grad")  # the same in every language


def test_korean_browser_gets_korean_and_can_switch(
    page_factory: Callable[..., Page], live_server: str, examples: dict[str, dict]
) -> None:
    page = page_factory(locale="ko-KR")
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    expect(page.locator("body")).to_have_attribute("data-lang", "ko")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    explanation = page.locator("[data-testid=example-explanation]")
    expect(explanation).to_have_text(examples["chain-rule"]["explanation_ko"])
    korean_run_label = page.locator("[data-testid=run]").inner_text()

    page.locator("[data-testid=language]").select_option("en")
    expect(page.locator("body")).to_have_attribute("data-lang", "en")
    expect(explanation).to_have_text(examples["chain-rule"]["explanation"])
    assert page.locator("[data-testid=run]").inner_text() != korean_run_label
    option = page.locator("[data-testid=examples] option[value=chain-rule]")
    expect(option).to_have_text(examples["chain-rule"]["title"])

    page.reload()
    wait_for_run(page)
    expect(page.locator("body")).to_have_attribute("data-lang", "en")  # remembered


def test_every_visible_string_is_translated(
    page_factory: Callable[..., Page], live_server: str
) -> None:
    english = page_factory(locale="en-US")
    korean = page_factory(locale="ko-KR")
    texts = {}
    for lang, page in (("en", english), ("ko", korean)):
        assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
        page.locator("[data-testid=node-row][data-node-names~=x]").click()
        texts[lang] = page.evaluate(
            "() => [...document.querySelectorAll('[data-i18n]')].map((e) => e.textContent)"
        )
    assert len(texts["en"]) == len(texts["ko"]) > 40
    untranslated = [
        en
        for en, ko in zip(texts["en"], texts["ko"], strict=True)
        if en == ko and any(ch.isalpha() for ch in en) and en not in CODE_WORDS
    ]
    assert untranslated == []
