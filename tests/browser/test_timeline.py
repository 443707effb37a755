"""The timeline shows the graph and variables as they were after each statement."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.page_helpers import node_row, open_and_run, permalink_hash

pytestmark = pytest.mark.browser

TIMELINE_LINE = """() => {
  const cm = document.querySelector('.CodeMirror').CodeMirror;
  for (let i = 0; i < cm.lineCount(); i += 1) {
    if ((cm.lineInfo(i).bgClass || '').includes('cm-timeline-line')) return i + 1;
  }
  return null;
}"""


def test_timeline_moves_through_the_program(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    source = examples["chain-rule"]["source"]
    lines = source.splitlines()
    y_line = lines.index("y = x + 2") + 1
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    slider = page.locator("[data-testid=timeline]")
    last = int(slider.get_attribute("max") or "0")
    assert slider.input_value() == str(last)

    # Walk the slider until the statement `y = x + 2` is the one shown.
    for index in range(last + 1):
        slider.fill(str(index))
        if page.evaluate(TIMELINE_LINE) == y_line:
            break
    else:
        pytest.fail("no timeline entry for `y = x + 2`")
    expect(page.locator("body")).to_have_attribute("data-timeline-step", str(index))
    expect(page.locator("[data-testid=timeline-status]")).to_contain_text(f"line {y_line}")
    assert node_row(page, "x").count() == 1
    assert node_row(page, "y").count() == 1
    assert node_row(page, "z").count() == 0, "z does not exist yet"
    assert node_row(page, "out").count() == 0
    variables = page.locator("[data-testid=variables]")
    expect(variables).to_contain_text("y")
    expect(variables).not_to_contain_text("out")
    drawn_early = int(page.locator("body").get_attribute("data-graph-nodes") or "0")

    slider.fill(str(last))
    assert node_row(page, "out").count() == 1
    assert int(page.locator("body").get_attribute("data-graph-nodes") or "0") > drawn_early


def test_at_a_print_the_variables_show_everything_bound_so_far(
    page: Page, live_server: str, examples: dict[str, dict]
) -> None:
    source = examples["chain-rule"]["source"]
    lines = source.splitlines()
    print_y = lines.index("print(y)") + 1
    assert open_and_run(page, f"{live_server}/?example=chain-rule") == "done"
    slider = page.locator("[data-testid=timeline]")
    # Step back with the previous-statement button until the statement shown is `print(y)`.
    previous = page.locator("[data-testid=timeline-prev]")
    while page.evaluate(TIMELINE_LINE) != print_y:
        assert previous.is_enabled(), "no timeline entry for print(y)"
        previous.click()
    index = int(slider.input_value())
    variables = page.locator("[data-testid=variables]")
    names = variables.locator("dt").evaluate_all("(dts) => dts.map((dt) => dt.dataset.name)")
    assert names == ["x", "y"], "every variable bound so far, not only this statement's"
    assert variables.locator(".changed").count() == 0, "print binds nothing"
    expect(variables.locator("dd[data-name=y] [data-field=grad]")).to_have_text(" .grad = None")
    so_far = variables.locator("[data-testid=output-so-far]").inner_text()
    stdout = page.locator("[data-testid=stdout]").inner_text()
    assert stdout.startswith(so_far) and len(so_far) < len(stdout)
    assert so_far.count("tensor(") == 2, "x and y printed so far"
    page.locator("[data-testid=timeline-next]").click()
    expect(page.locator("body")).to_have_attribute("data-timeline-step", str(index + 1))
    page.locator("[data-testid=run]").focus()
    page.keyboard.press("Alt+ArrowLeft")
    expect(page.locator("body")).to_have_attribute("data-timeline-step", str(index))
    z_line = lines.index("z = y * y * 3") + 1
    while page.evaluate(TIMELINE_LINE) != z_line:
        page.keyboard.press("Alt+ArrowRight")
    expect(variables.locator("dt.changed")).to_have_attribute("data-name", "z")


VALUE_PROGRAM = """\
class Value:
    def __init__(self, data):
        self.data = data
    def __repr__(self):
        return f"Value(data={self.data})"
class Plain:
    pass
a = Value(2.5)
b = [Value(1), a]
p = Plain()
a.data = 4.0
"""


def test_at_the_end_objects_show_their_own_repr_and_before_it_the_short_form(
    page: Page, live_server: str
) -> None:
    assert open_and_run(page, f"{live_server}/{permalink_hash(VALUE_PROGRAM, 0)}") == "done"
    variables = page.locator("[data-testid=variables]")
    value_of = lambda name: variables.locator(f"dd[data-name={name}] [data-field=value]")  # noqa: E731
    # The timeline stands at its end: the program's __repr__, run once the program was over.
    expect(value_of("a")).to_have_text("Value(data=4.0)")
    expect(value_of("b")).to_have_text("[Value(data=1), Value(data=4.0)]")
    expect(value_of("p")).to_have_text("<Plain object>")
    # One statement back, the capture shows what it saw while the program ran: no repr ran.
    page.locator("[data-testid=timeline-prev]").click()
    expect(value_of("a")).to_have_text("<Value object>")
