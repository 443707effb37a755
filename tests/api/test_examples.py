"""GET /api/v1/examples, and every example run through the API."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from app.examples import EXAMPLES

SEED_IDS = ["scalar-backward", "chain-rule", "vector-backward"]


def test_examples_list_the_catalog_with_the_seed_programs(client: httpx.Client) -> None:
    r = client.get("/api/v1/examples")
    assert r.status_code == 200, r.text
    examples = r.json()
    assert [e["id"] for e in examples] == [e.id for e in EXAMPLES]
    assert set(SEED_IDS) <= {e["id"] for e in examples}
    for served, example in zip(examples, EXAMPLES, strict=True):
        assert served["source"] == example.source
        for field in ("title", "explanation", "title_ko", "explanation_ko"):
            assert served[field], (example.id, field)
    assert len(examples) >= 15


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_every_example_runs_as_its_explanation_says(client: httpx.Client, example: object) -> None:
    data = dataclasses.asdict(example)  # type: ignore[call-overload]
    r = client.post("/api/v1/run", json={"source": data["source"]})
    assert r.status_code == 200, r.text
    result = r.json()
    if data["expected_error"] is None:
        assert result["ok"], result["error"]
    else:
        assert not result["ok"]
        assert result["error"]["type"] == data["expected_error"], result["error"]
