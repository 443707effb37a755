"""Every byte of an answer is budgeted: text counts by its length, a result by its JSON bytes."""

from __future__ import annotations

import dataclasses
import json

from app.runner import run_program
from app.sandbox.limits import Limits
from app.trace.result_budget import fit_result
from app.workers.framing import encode_json

# One list of a long string bound to several names: each list item used to cost one element
# of a Value's budget while carrying 10,000 characters (a 100 MB answer from six lines).
AMPLIFIER = "s = 'a' * 10000\nl = [s] * 1000\nv0 = l\nv1 = l\nv2 = l\nv3 = l\n"
BIG_GRAPH = (
    "import torch\nx = torch.randn(1000, requires_grad=True)\n"
    "for i in range(300):\n    x = (x * 1.01).tanh()\nx.sum().backward()\n"
)


def test_strings_inside_containers_cost_their_length() -> None:
    result = run_program(AMPLIFIER)
    assert result["ok"], result["error"]
    size = len(encode_json(result))
    # 6 Values and their timeline entries, each at most value_elements·10 characters.
    assert size < 400_000, size
    items = result["variables"]["v0"]["items"]
    assert items[0]["kind"] == "str" and items[0].get("truncated") is True
    assert len(items[0]["value"]) < 10_000
    assert result["variables"]["v0"]["truncated"] is True


def test_names_past_the_budget_are_sent_empty_and_listed() -> None:
    limits = dataclasses.replace(Limits(), result_bytes=200_000)
    source = "l = [1.5] * 1000\n" + "".join(f"v{i} = l\n" for i in range(200))
    result = run_program(source, limits=limits, include=[])
    assert result["ok"], result["error"]
    assert result["result_truncated"] is True
    assert result["result_cut"][0].startswith("variables.v")
    assert result["result_cut"][-1].startswith("… and ")
    kept = [v for v in result["variables"].values() if v["items"]]
    cut = [v for v in result["variables"].values() if not v["items"]]
    assert kept and cut and all(v["truncated"] for v in cut)
    assert len(encode_json(result)) <= limits.result_bytes


def test_a_result_within_budget_is_untouched() -> None:
    result = run_program("import torch\nx = torch.ones(2, requires_grad=True)\ny = (x * 3).sum()\n")
    assert result["result_truncated"] is False and result["result_cut"] == []
    before = encode_json(result)
    assert fit_result(result, Limits().result_bytes, encode_json) == before


def test_an_oversized_result_is_cut_value_by_value_to_the_limit() -> None:
    result = run_program(BIG_GRAPH)
    assert len(encode_json(result)) > Limits().result_bytes  # the test needs a big one
    encoded = fit_result(result, Limits().result_bytes, encode_json)
    assert len(encoded) <= Limits().result_bytes
    decoded = json.loads(encoded)
    assert decoded["result_truncated"] is True
    assert decoded["result_cut"][0] == "timeline.values"
    assert decoded["graph"] is not None  # the structure stays; its values went first
    assert decoded["variables"]["x"]["shape"] == [1000]


def test_nothing_but_the_limit_bounds_the_cut() -> None:
    result = run_program(BIG_GRAPH)
    encoded = fit_result(result, 20_000, encode_json)
    assert len(encoded) <= 20_000
    assert "graph" in json.loads(encoded)["result_cut"]
