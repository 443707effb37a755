"""The README's grading example is real: its request gives exactly its answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import torch

from tests.unit.grading.oracle import value_of

README = Path(__file__).resolve().parents[2] / "README.md"


def grading_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Grading")
    end = text.index("<!-- section:", start)
    return text[start:end]


def code_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)


def test_the_readme_answer_is_what_the_server_answers(client: httpx.Client) -> None:
    section = grading_section()
    (submission,) = code_blocks(section, "python")
    request_text, answer_text = code_blocks(section, "json")
    request, answer = json.loads(request_text), json.loads(answer_text)
    assert request["source"] == submission
    # The assignment's numbers are right: 3 x^2 is d(sum x^3)/dx.
    x = torch.tensor([1.0, 2.0, 3.0])
    assert request["checks"][0]["expected"] == (3 * x**2).tolist()
    assert value_of(request["reference"], "x.grad") == request["checks"][0]["expected"]
    response = client.post("/api/v1/check", json=request)
    assert response.status_code == 200, response.text
    assert response.json() == answer
