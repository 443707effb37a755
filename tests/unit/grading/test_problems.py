"""Problem files: loading, their mistakes, partial credit, requires, and the reports built from
them (graded in-process, as a worker grades: real sandbox, real torch)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any

import pytest

from app.grading import problems, run_checks
from app.grading.feedback import choose_lang, is_translated, localize
from app.grading.graph_svg import graph_svg
from app.grading.problems import ProblemFileError, load_problem, parse_problem
from app.grading.reports import csv_text, junit_xml, student_view, to_gradescope, to_prairielearn
from app.runner import run_program
from app.sandbox.limits import Limits

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "problems").glob("*.toml"))

HEADER = """
id = "p"
starter = "import torch"
reference = '''
import torch
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = (x * x).sum()
y.backward()
'''
title.en = "T"
title.ko = "제목"
prompt.en = "P"
prompt.ko = "문제"
"""


def problem_from(checks: str, header: str = HEADER) -> Any:
    return parse_problem(problems.tomllib.loads(textwrap.dedent(header) + textwrap.dedent(checks)))


def grade(problem: Any, source: str) -> dict[str, Any]:
    return run_checks(problem.check_job(source), Limits())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_each_example_reference_scores_full_marks_and_its_starter_does_not(path: Path) -> None:
    problem = load_problem(path)
    reference = grade(problem, problem.reference)
    assert reference["score"] == 1.0, reference
    assert reference["grader_error"] is None
    starter = grade(problem, problem.starter)
    assert starter["score"] < 1.0
    assert starter["grader_error"] is None


def test_there_are_two_example_problems_one_on_the_chain_rule() -> None:
    assert {path.stem for path in EXAMPLES} >= {"chain-rule", "gradient-hook"}


MISTAKES = [
    ('[[checks]]\nexpr = "y.item()"\nvisiblity = "hidden"\n', "unknown key 'visiblity'"),
    ('[[checks]]\nexpr = "y.item()"\nvisibility = "secret"\n', "'visibility' must be one of"),
    ('[[checks]]\nexpr = "y.item()"\npoints = -1\n', "'points' must be a number of at least 0"),
    ('[[checks]]\nexpr = "y.item()"\nrequires = "nothing"\n', "requires 'nothing', which is no"),
    (
        '[[checks]]\nname = "a"\nexpr = "y.item()"\nrequires = "b"\n'
        '[[checks]]\nname = "b"\nexpr = "x.grad"\nrequires = "a"\n',
        "cycle",
    ),
    ('[[checks]]\nexpr = "y.item()"\npartial = "most"\n', "'partial' must be 'none', 'fraction'"),
    ('[[checks]]\nexpr = "y.item()"\npartial = [{credit = 2.0, atol = 1}]\n', "between 0 and 1"),
    ('[[checks]]\nexpr = "y.item()"\npartial = [{credit = 0.5}]\n', "needs an 'rtol' or an 'atol'"),
    ('[[checks]]\nexpr = "y.item()"\nhint = "only English"\n', "needs both languages"),
    ('[[checks]]\nname = "a"\nexpr = "y"\n[[checks]]\nname = "a"\nexpr = "x"\n', "two checks"),
    ("", "the problem has no checks"),
]


@pytest.mark.parametrize(("checks", "message"), MISTAKES, ids=[m for _, m in MISTAKES])
def test_each_mistake_in_a_file_is_one_sentence_naming_it(checks: str, message: str) -> None:
    with pytest.raises(ProblemFileError, match=None) as refused:
        problem_from(checks)
    assert message in str(refused.value)


def test_a_key_written_after_a_table_header_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('id = "p"\n[title]\nen = "a"\nko = "b"\nstarter = "x"\n', encoding="utf-8")
    with pytest.raises(ProblemFileError, match="landed in it"):
        load_problem(path)


def test_broken_toml_and_missing_files_are_refused_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("id = \n", encoding="utf-8")
    with pytest.raises(ProblemFileError, match=r"broken\.toml: not valid TOML"):
        load_problem(path)
    with pytest.raises(ProblemFileError, match="cannot read"):
        load_problem(tmp_path / "missing.toml")


def test_fraction_partial_credit_is_the_share_of_elements_within_tolerance() -> None:
    problem = problem_from('[[checks]]\nexpr = "x.grad"\npoints = 4\npartial = "fraction"\n')
    # x.grad = 2x = [2, 4, 6, 8]; the student gets three of four right.
    result = grade(
        problem,
        "import torch\nx = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\n"
        "y = (x * x).sum() + x[3]\ny.backward()\n",
    )
    entry = result["results"][0]
    assert entry["passed"] is False
    assert entry["points"] == 3.0
    assert "3 of 4 elements are within tolerance" in entry["message"]
    assert result["score"] == 0.75


def test_without_partial_a_nearly_right_tensor_earns_nothing() -> None:
    problem = problem_from('[[checks]]\nexpr = "x.grad"\npoints = 4\n')
    result = grade(
        problem,
        "import torch\nx = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\n"
        "y = (x * x).sum() + x[3]\ny.backward()\n",
    )
    assert result["results"][0]["points"] == 0.0


def test_tiered_partial_credit_takes_the_first_looser_tolerance_that_passes() -> None:
    problem = problem_from(
        '[[checks]]\nexpr = "y.item()"\npoints = 2\n'
        "partial = [{atol = 0.01, credit = 0.5}, {atol = 1.0, credit = 0.25}]\n"
    )
    # y = 30; 30.5 is within the second tier only.
    result = grade(problem, "import torch\ny = torch.tensor(30.5)\n")
    entry = result["results"][0]
    assert entry["points"] == 0.5
    assert "looser tolerance" in entry["message"]
    assert grade(problem, "import torch\ny = torch.tensor(30.005)\n")["results"][0]["points"] == 1.0
    assert grade(problem, "import torch\ny = torch.tensor(35.0)\n")["results"][0]["points"] == 0.0


def test_a_check_whose_requirement_failed_is_skipped_with_a_sentence() -> None:
    problem = problem_from(
        '[[checks]]\nname = "value"\nexpr = "y.item()"\n'
        '[[checks]]\nname = "gradient"\nexpr = "x.grad"\nrequires = "value"\n'
    )
    wrong_value = (
        "import torch\nx = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\n"
        "y = (x * x).sum() * 1\ny = y + 1\ny.backward()\n"
    )
    result = grade(problem, wrong_value)
    skipped = result["results"][1]
    assert skipped["passed"] is False and skipped["points"] == 0.0
    assert skipped["message"] == "Skipped: this check needs the check 'value' to pass first."
    # The same gradient with the right value passes: the skip came from the requirement.
    assert grade(problem, problem.reference)["results"][1]["passed"] is True


HIDDEN = (
    '[[checks]]\nname = "secret"\nexpr = "y.item()"\nexpected = 12345.0\nvisibility = "hidden"\n'
)


def test_a_hidden_check_never_shows_its_expected_value_to_students() -> None:
    problem = problem_from(HIDDEN)
    result = grade(problem, problem.reference)
    assert "12345" in json.dumps(result)  # the raw result (staff) has it
    for lang in ("en", "ko"):
        view = student_view(result, problem, lang)
        assert "12345" not in json.dumps(view)
        assert "12345" not in json.dumps(to_prairielearn(result, problem, lang))
        assert "12345" not in json.dumps(to_gradescope(result, problem, lang, 1.0))
    assert "12345" in json.dumps(student_view(result, problem, "en", reveal_hidden=True))


def test_gradescope_results_carry_formats_visibility_and_extra_data() -> None:
    problem = load_problem(ROOT / "problems" / "chain-rule.toml")
    result = grade(problem, problem.starter.replace("# v = ...", "print(u)"))
    document = to_gradescope(result, problem, "en", 0.4)
    assert document["output_format"] == "text" and document["test_output_format"] == "text"
    assert document["stdout_visibility"] == "hidden"
    assert "tensor([" in document["output"]  # the student's print, as text
    visible = document["tests"][0]
    assert set(visible["extra_data"]) >= {"expected", "actual", "max_abs_diff"}
    assert [test["visibility"] for test in document["tests"]][-1] == "hidden"


def test_hints_follow_a_failed_check_in_the_students_language() -> None:
    problem = load_problem(ROOT / "problems" / "chain-rule.toml")
    result = grade(problem, problem.starter)
    assert "힌트: out은" in student_view(result, problem, "ko")["results"][0]["message"]
    assert "Hint: out is" in student_view(result, problem, "en")["results"][0]["message"]


FAILURES = {
    "syntax": "x = (",
    "refused": "import os\n",
    "runtime": "import torch\nx = torch.ones(2) @ torch.ones(3)\n",
    "missing name": "import torch\n",
    "wrong values": "import torch\nx = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\n"
    "y = (x * 3).sum()\ny.backward()\n",
    "wrong shape": "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x.sum()\n"
    "y.backward()\n",
    "no grad": "import torch\nx = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\n"
    "y = (x * x).sum()\n",
    "strings": "import torch\nx = 'a'\ny = [1, 2]\n",
}
MANY_CHECKS = """
[[checks]]
name = "value"
expr = "y.item()"
[[checks]]
name = "gradient"
expr = "x.grad"
requires = "value"
partial = "fraction"
[[checks]]
name = "exact"
expr = "x.grad"
[[checks]]
name = "list"
expr = "y"
expected = [1, 2, 3]
[[checks]]
name = "function"
expr = "y.grad_fn.name()"
expected = "SumBackward0"
"""


@pytest.mark.parametrize("source", FAILURES.values(), ids=FAILURES.keys())
def test_every_grading_message_has_a_korean_sentence(source: str) -> None:
    problem = problem_from(MANY_CHECKS)
    result = grade(problem, source)
    view = student_view(result, problem, "en")
    messages = [entry["message"] for entry in result["results"]] + [view["summary"]]
    untranslated = [message for message in messages if not is_translated(message)]
    assert not untranslated
    korean = student_view(result, problem, "ko")
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in e["message"]) for e in korean["results"])


def test_the_language_comes_from_the_request_then_accept_language_then_the_problem() -> None:
    assert choose_lang("ko", "en-US", "en") == "ko"
    assert choose_lang(None, "ko-KR,ko;q=0.9,en;q=0.8", "en") == "ko"
    assert choose_lang(None, "fr-FR", "ko") == "ko"
    assert choose_lang(None, None, "en") == "en"
    assert (
        localize("x.grad matches the expected value.", "en") == "x.grad matches the expected value."
    )


def test_junit_and_csv_reports_parse_and_count_failures() -> None:
    problem = load_problem(ROOT / "problems" / "chain-rule.toml")
    graded = [
        ("right.py", grade(problem, problem.reference)),
        ("starter.py", grade(problem, problem.starter)),
    ]
    tree = ElementTree.fromstring(junit_xml(graded, problem, "en").split("\n", 1)[1])
    suites = tree.findall("testsuite")
    assert [suite.get("failures") for suite in suites] == ["0", str(len(problem.checks))]
    assert suites[1].find("testcase/failure") is not None
    rows = list(csv.DictReader(io.StringIO(csv_text(graded, problem, {"right.py": 0.1}))))
    assert [row["score"] for row in rows] == ["1", "0"]
    assert rows[0]["gradient"] == "2" and rows[0]["status"] == "graded"


def test_the_graph_svg_is_well_formed_and_names_the_grad_fns() -> None:
    result = run_program(load_problem(ROOT / "problems" / "chain-rule.toml").reference)
    svg = graph_svg(result["graph"])
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "MeanBackward0" in svg and "PowBackward0" in svg
    assert svg == graph_svg(result["graph"])  # deterministic
