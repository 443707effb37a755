"""The page never silently shows less than the program did: each part the server cut (stdout,
graph, timeline, backward trace, values) gets one sentence beside it, in English and Korean,
with the limit the result reports; an ordinary program gets none. The notebook view says the
same. The limits are lowered for a server of this module's own, so that small programs hit
them in well under a second."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.browser.conftest import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SERVER_START_SECONDS,
    open_guarded_page,
)
from tests.browser.page_helpers import open_and_run, permalink_hash
from tests.support.server_process import serve_app

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "screenshots"
LIMITS = {"stdout_bytes": 200, "graph_nodes": 30, "timeline_entries": 50, "result_bytes": 60_000}
NOTES = ("stdout-note", "result-note", "graph-note", "timeline-note", "backward-note")

# Each program passes one limit of LIMITS and no other (checked on the API answer first).
PRINTS_TOO_MUCH = "for i in range(30):\n    print('line', i, 'xxxxxxxxxx')\n"
TOO_MANY_NODES = (
    "import torch\nx = torch.ones(2, requires_grad=True)\ny = x\n"
    "for i in range(20):\n    y = y * 1.5\n"
)
TOO_MANY_STATEMENTS = "n = 0\nfor i in range(60):\n    n = n + i\nprint(n)\n"
TOO_MANY_BACKWARD_STEPS = (
    "import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n"
    "for i in range(12):\n    y.backward(retain_graph=True)\nprint(x.grad)\n"
)
TOO_BIG_A_VALUE = "a = list(range(1000))\nprint(len(a))\n"
ORDINARY = (
    "import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 3).sum()\n"
    "y.backward()\nprint(x.grad)\n"
)
# 48 statements binding 100 names each: the timeline alone is longer than result_bytes, so the
# worker leaves it out whole (fit_result) rather than stopping it at timeline_entries.
_NAMES = ", ".join(f"v{i}" for i in range(100))
TIMELINE_TOO_LONG = f"for i in range(48):\n    {_NAMES} = {', '.join(['i'] * 100)}\nprint(v0)\n"

CASES = [
    # (program, flag, note, English, Korean)
    (
        PRINTS_TOO_MUCH,
        "stdout_truncated",
        "stdout-note",
        "Output cut at 200 bytes: the program printed more.",
        "출력이 200바이트를 넘어 뒷부분이 잘렸습니다.",
    ),
    (
        TOO_MANY_NODES,
        "graph_truncated",
        "graph-note",
        "The graph stopped at 30 nodes: later ones are not shown.",
        "그래프는 노드 30개에서 멈춰, 그 뒤의 노드는 보이지 않습니다.",
    ),
    (
        TOO_MANY_STATEMENTS,
        "timeline_truncated",
        "timeline-note",
        "The timeline stopped after 50 statements: later ones are not shown.",
        "타임라인은 문장 50개 뒤에 멈춰, 그 뒤의 문장은 보이지 않습니다.",
    ),
    (
        TOO_MANY_BACKWARD_STEPS,
        "backward_trace_truncated",
        "backward-note",
        "The backward trace stopped after 30 steps: later steps are not shown.",
        "역전파 기록은 30단계 뒤에 멈춰, 그 뒤의 단계는 보이지 않습니다.",
    ),
    (
        TOO_BIG_A_VALUE,
        "result_truncated",
        "result-note",
        "Some values were trimmed to keep the answer within 60,000 bytes.",
        "응답을 60,000바이트 안에 맞추느라 일부 값을 줄였습니다.",
    ),
]
FLAGS = [case[1] for case in CASES]


@pytest.fixture(scope="module")
def low_limits_server() -> Iterator[str]:
    env = {"PLAYGROUND_WORKERS": "1", "PLAYGROUND_LIMITS__SECONDS": "30"}
    env.update({f"PLAYGROUND_LIMITS__{name.upper()}": str(value) for name, value in LIMITS.items()})
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with serve_app(
            env, log=ARTIFACTS / "browser-server-low-limits.log", ready_seconds=SERVER_START_SECONDS
        ) as server:
            yield server.url
    except RuntimeError as failure:
        pytest.fail(str(failure))


@pytest.fixture
def low_page(browser: Browser, low_limits_server: str) -> Iterator[Page]:
    context, page, guard = open_guarded_page(browser, low_limits_server, locale="en-US")
    yield page
    context.close()
    assert guard.offsite_requests == [], "requests left the server's origin"
    assert guard.console_errors == [], "console errors"


def api_run(server: str, source: str) -> dict:
    response = httpx.post(f"{server}/api/v1/run", json={"source": source}, timeout=60)
    assert response.status_code == 200, response.text
    result: dict = response.json()
    return result


def only_flag(result: dict) -> list[str]:
    return [flag for flag in FLAGS if result[flag]]


def shown_notes(page: Page) -> list[str]:
    return [note for note in NOTES if page.locator(f"[data-testid={note}]").is_visible()]


@pytest.mark.parametrize(("source", "flag", "note", "english", "korean"), CASES, ids=FLAGS)
def test_each_cut_part_is_noted_beside_it_in_both_languages(
    low_page: Page,
    low_limits_server: str,
    source: str,
    flag: str,
    note: str,
    english: str,
    korean: str,
) -> None:
    result = api_run(low_limits_server, source)
    assert only_flag(result) == [flag]
    assert {name: result["limits"][name] for name in LIMITS} == LIMITS  # the numbers said
    state = open_and_run(low_page, f"{low_limits_server}/{permalink_hash(source, 0)}")
    assert state == ("error" if flag == "stdout_truncated" else "done")
    element = low_page.locator(f"[data-testid={note}]")
    expect(element).to_have_text(english)
    expect(element).to_have_attribute("role", "status")
    assert shown_notes(low_page) == [note]
    low_page.locator("[data-testid=language]").select_option("ko")
    expect(element).to_have_text(korean)
    assert shown_notes(low_page) == [note]


def test_a_part_left_out_to_fit_the_answer_is_said_so(
    low_page: Page, low_limits_server: str
) -> None:
    result = api_run(low_limits_server, TIMELINE_TOO_LONG)
    assert result["timeline"] is None and "timeline" in result["result_cut"]
    url = f"{low_limits_server}/{permalink_hash(TIMELINE_TOO_LONG, 0)}"
    assert open_and_run(low_page, url) == "done"
    note = low_page.locator("[data-testid=timeline-note]")
    expect(note).to_have_text("The timeline was left out to keep the answer within its size limit.")
    expect(low_page.locator("[data-testid=result-note]")).to_be_visible()
    low_page.locator("[data-testid=language]").select_option("ko")
    expect(note).to_have_text("응답 크기 제한 때문에 타임라인을 뺐습니다.")


def test_an_ordinary_program_shows_no_note(
    low_page: Page, low_limits_server: str, page: Page, live_server: str
) -> None:
    assert only_flag(api_run(low_limits_server, ORDINARY)) == []
    # After a cut run, an ordinary one takes every note away again.
    url = f"{low_limits_server}/{permalink_hash(TOO_MANY_NODES, 0)}"
    assert open_and_run(low_page, url) == "done"
    assert shown_notes(low_page) == ["graph-note"]
    low_page.evaluate(
        "(src) => document.querySelector('.CodeMirror').CodeMirror.setValue(src)", ORDINARY
    )
    runs = int(low_page.evaluate("document.body.dataset.runCount"))
    low_page.locator("[data-testid=run]").click()
    low_page.wait_for_function(f"Number(document.body.dataset.runCount) > {runs}")
    assert low_page.evaluate("document.body.dataset.runState") == "done"
    assert shown_notes(low_page) == []
    # With the server's own limits, a training loop is cut nowhere.
    training = (
        "import torch\nfrom torch import nn\ntorch.manual_seed(0)\nX = torch.randn(8, 2)\n"
        "model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\nfor step in range(10):\n"
        "    opt.zero_grad()\n    loss = model(X).pow(2).mean()\n    loss.backward()\n"
        "    opt.step()\nprint(loss.item())\n"
    )
    assert open_and_run(page, f"{live_server}/{permalink_hash(training, 0)}") == "done"
    expect(page.locator("[data-testid=stdout]")).not_to_be_empty()
    assert shown_notes(page) == []


# Every limit at once, each part cut at its limit and none left out whole (the screenshot).
EVERY_LIMIT = (
    "a = list(range(1000))\nimport torch\nx = torch.ones(2, requires_grad=True)\n"
    "y = (x * 2).sum()\nfor i in range(12):\n    y.backward(retain_graph=True)\n"
    "z = x\nfor i in range(15):\n    z = z * 1.5\n"
    "for i in range(30):\n    print('step', i, 'xxxxxxxxxx')\n"
)


def test_screenshot_of_every_note(low_page: Page, low_limits_server: str) -> None:
    result = api_run(low_limits_server, EVERY_LIMIT)
    assert only_flag(result) == FLAGS
    assert all(result[part] for part in ("graph", "timeline", "backward_trace"))
    low_page.set_viewport_size({"width": 1440, "height": 1100})
    url = f"{low_limits_server}/{permalink_hash(EVERY_LIMIT, 0)}"
    assert open_and_run(low_page, url) == "error"
    assert shown_notes(low_page) == list(NOTES)
    expect(low_page.locator("[data-testid=graph-note]")).to_contain_text("stopped at 30 nodes")
    SHOTS.mkdir(parents=True, exist_ok=True)
    low_page.screenshot(path=str(SHOTS / "truncation-notes.png"))


def test_the_notebook_view_notes_each_cut_part(
    low_limits_server: str, tmp_path: Path, playwright: Playwright
) -> None:
    import autograd_playground as ag
    from autograd_playground import render

    views = {}
    for source, flag, note, english, korean in CASES:
        result = ag.run(source, server=low_limits_server)
        assert only_flag(result.data) == [flag]
        views[flag] = (result.data, note, english, korean)
    plain = ag.run(ORDINARY, server=low_limits_server).data
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        for data, note, english, korean in [*views.values(), (plain, None, None, None)]:
            for lang, text in (("en", english), ("ko", korean)):
                page_file = tmp_path / f"{lang}.html"
                page_file.write_text(
                    "<!doctype html><meta charset=utf-8>" + render.static_html(data, lang),
                    encoding="utf-8",
                )
                page.goto(page_file.as_uri())
                view = page.locator(".agp-view")
                expect(view).not_to_have_attribute("data-graph-state", "loading", timeout=20_000)
                shown = [n for n in NOTES if view.locator(f"[data-testid={n}]").is_visible()]
                assert shown == ([] if note is None else [note])
                if note is not None:
                    expect(view.locator(f"[data-testid={note}]")).to_have_text(str(text))
    finally:
        browser.close()
