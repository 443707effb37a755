"""/api/v1/problems and the batch's ids and formats, on a live server with real workers."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.grading.problems import load_problem
from app.sandbox.limits import Limits
from tests.api.live_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[2]
CHAIN_RULE = load_problem(ROOT / "problems" / "chain-rule.toml")
WRONG = CHAIN_RULE.reference.replace("u ** 2", "u ** 3")


@pytest.fixture(scope="module")
def problems_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("problems")
    for path in (ROOT / "problems").glob("*.toml"):
        shutil.copy(path, folder / path.name)
    settings = Settings(workers=2, queue_size=64, limits=Limits(), problems_dir=folder)
    with live_server(settings) as live:
        yield live


@pytest.fixture
def client(problems_server: LiveServer) -> Iterator[httpx.Client]:
    with problems_server.client() as http:
        yield http


def test_the_listing_never_shows_a_reference_or_a_hidden_expectation(client: httpx.Client) -> None:
    response = client.get("/api/v1/problems")
    assert response.status_code == 200, response.text
    problems = {problem["id"]: problem for problem in response.json()["problems"]}
    assert set(problems) == {"chain-rule", "gradient-hook"}
    text = response.text
    # The prompt quotes single lines; the reference program as a whole is never sent.
    assert "reference" not in text and json.dumps(CHAIN_RULE.reference) not in text
    assert "clamp(-1, 1))\\nloss.backward()" not in text  # gradient-hook's reference lines
    assert "42.0" not in text  # the hidden check's expected total
    chain = problems["chain-rule"]
    assert chain["title"]["ko"] and chain["starter"] == CHAIN_RULE.starter
    assert [check["name"] for check in chain["checks"]] == ["out", "grad_fn", "gradient"]
    assert chain["max_points"] == 5


def test_checking_against_a_stored_problem_keeps_hidden_checks_hidden(
    client: httpx.Client,
) -> None:
    response = client.post("/api/v1/problems/chain-rule/check", json={"source": WRONG})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["problem"] == "chain-rule" and result["lang"] == "en"
    assert result["points"] == 1.0 and result["max_points"] == 5.0
    hidden = result["results"][-1]
    assert hidden["visibility"] == "hidden" and hidden["expected"] is None
    assert "42" not in json.dumps(hidden)
    assert "Hint: out is the mean" in result["results"][0]["message"]


def test_feedback_follows_lang_then_accept_language(client: httpx.Client) -> None:
    url = "/api/v1/problems/chain-rule/check"
    by_header = client.post(url, json={"source": WRONG}, headers={"Accept-Language": "ko-KR"})
    assert by_header.json()["lang"] == "ko"
    assert "힌트" in by_header.json()["results"][0]["message"]
    by_field = client.post(
        url, json={"source": WRONG, "lang": "en"}, headers={"Accept-Language": "ko-KR"}
    )
    assert by_field.json()["lang"] == "en"


def test_problem_check_formats_and_unknown_ids(client: httpx.Client) -> None:
    url = "/api/v1/problems/chain-rule/check"
    pl = client.post(url + "?format=prairielearn", json={"source": "x = ("}).json()
    assert pl["gradable"] is False and "syntax error" in pl["format_errors"][0]
    junit = client.post(url + "?format=junit", json={"source": WRONG})
    assert junit.headers["content-type"].startswith("application/xml")
    ElementTree.fromstring(junit.text.split("\n", 1)[1])
    assert client.post(url + "?format=yaml", json={"source": WRONG}).status_code == 422
    assert client.post("/api/v1/problems/nope/check", json={"source": "x"}).status_code == 404
    assert client.post(url, json={"source": WRONG, "reference": "y"}).status_code == 422


@pytest.mark.parametrize(
    "body", [b'{"source": "x = \xff\xfe"}', b'{"source": "x = 1", "lang": NaN}']
)
def test_a_problem_check_body_is_strict_json_like_every_other(
    client: httpx.Client, body: bytes
) -> None:
    # Not UTF-8 was an undocumented 400 here (Schemathesis found it after the merge with main).
    response = client.post(
        "/api/v1/problems/chain-rule/check",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text


def check_item(item_id: str, source: str) -> dict[str, object]:
    return {
        "kind": "check",
        "id": item_id,
        "source": source,
        "checks": [{"expr": "out.item()", "expected": 55.0, "name": "out"}],
    }


def test_batch_items_carry_ids_echoed_in_their_results(client: httpx.Client) -> None:
    items = [
        check_item("s1", CHAIN_RULE.reference),
        {"kind": "run", "id": "r1", "source": "print(1)"},
        check_item("s2", WRONG),
    ]
    response = client.post("/api/v1/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["id"] for result in results] == ["s1", "r1", "s2"]
    assert [results[0]["score"], results[2]["score"]] == [1.0, 0.0]
    assert results[1]["stdout"] == "1\n"


def test_batch_formats_work_or_answer_422(client: httpx.Client) -> None:
    items = [check_item("s1", CHAIN_RULE.reference), check_item("s2", WRONG)]
    gradescope = client.post("/api/v1/batch?format=gradescope", json={"items": items})
    assert gradescope.status_code == 200, gradescope.text
    documents = gradescope.json()["results"]
    assert [d["score"] for d in documents] == [1.0, 0.0]
    assert [d["extra_data"]["id"] for d in documents] == ["s1", "s2"]
    pl = client.post("/api/v1/batch?format=prairielearn", json={"items": items}).json()
    assert [d["id"] for d in pl["results"]] == ["s1", "s2"]
    table = client.post("/api/v1/batch?format=csv", json={"items": items})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(row["submission"], row["score"]) for row in rows] == [("s1", "1"), ("s2", "0")]
    junit = client.post("/api/v1/batch?format=junit", json={"items": items})
    suites = ElementTree.fromstring(junit.text.split("\n", 1)[1]).findall("testsuite")
    assert [suite.get("failures") for suite in suites] == ["0", "1"]
    with_run = [*items, {"kind": "run", "source": "x = 1"}]
    refused = client.post("/api/v1/batch?format=gradescope", json={"items": with_run})
    assert refused.status_code == 422
    assert "item 2 is a run" in refused.text
    assert client.post("/api/v1/batch?format=xml", json={"items": items}).status_code == 422


def test_plain_check_speaks_korean_when_asked(client: httpx.Client) -> None:
    body = check_item("s", WRONG)
    del body["kind"], body["id"]
    english = client.post("/api/v1/check", json=body).json()
    assert english["results"][0]["message"].startswith("out.item() is 469, expected 55")
    assert "lang" not in english
    korean = client.post("/api/v1/check", json=body, headers={"Accept-Language": "ko"}).json()
    assert korean["results"][0]["message"].startswith("out.item()의 값은 469, 기대한 값은 55입니다")
    assert client.post("/api/v1/check?lang=ko", json=body).json()["lang"] == "ko"
    assert client.post("/api/v1/check?lang=fr", json=body).status_code == 422
