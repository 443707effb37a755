"""Timeline.add: one element budget for the Values of the whole timeline, cheap bindings free."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch

from app.sandbox.limits import Limits
from app.trace.encode import CHARS_PER_ELEMENT, encode_tensor, encode_value
from app.trace.nodes import NodeRegistry
from app.trace.timeline import TIMELINE_VALUES, Timeline


def make_timeline(limits: Limits) -> Timeline:
    return Timeline(
        NodeRegistry(limits.graph_nodes),
        max_entries=limits.timeline_entries,
        value_elements=limits.value_elements,
    )


def bindings_of(timeline: Timeline, name: str) -> list[Any]:
    return [entry["bindings"][name] for entry in timeline.render([])]


def elements(value: Any) -> int:
    """The elements a Value holds: the number, string, bool and None Values inside it."""
    if isinstance(value, list):
        return sum(elements(item) for item in value)
    if not isinstance(value, dict):
        return 0
    inside = sum(elements(item) for item in value.values())
    return inside + (value.get("kind") in ("int", "float", "str", "bool", "none"))


@pytest.mark.parametrize("value_elements", [4, 1000])
def test_the_budget_holds_as_many_full_values_as_it_says(value_elements: int) -> None:
    limits = Limits(value_elements=value_elements)
    timeline = make_timeline(limits)
    full = list(range(value_elements))  # costs exactly one Value's worth of elements
    for step in range(TIMELINE_VALUES + 5):
        timeline.add(1, {"xs": full, "i": step}, 0)
    shown = bindings_of(timeline, "xs")
    assert shown[:TIMELINE_VALUES] == [encode_value(full, value_elements)] * TIMELINE_VALUES
    assert shown[TIMELINE_VALUES:] == [{"kind": "list", "items": [], "truncated": True}] * 5
    # Ints are free: every entry still shows its counter.
    assert bindings_of(timeline, "i") == [encode_value(i, 1) for i in range(TIMELINE_VALUES + 5)]


def test_a_growing_dict_is_shown_in_full_until_the_budget_is_spent() -> None:
    limits = Limits(value_elements=100)
    timeline = make_timeline(limits)
    d: dict[int, list[int]] = {}
    expected = []
    for k in range(3 * TIMELINE_VALUES):
        d[k] = [k] * 1000
        timeline.add(3, {"d": d}, 0)
        expected.append(encode_value(d, limits.value_elements))  # as before: the dict then
    shown = bindings_of(timeline, "d")
    full = [value for value in shown if value["entries"]]
    assert full == expected[: len(full)]
    assert len(full) == TIMELINE_VALUES  # from the first, each dict fills a whole Value
    assert shown[len(full) :] == [
        {"kind": "dict", "entries": [], "repr": "{...}", "truncated": True}
    ] * (len(shown) - len(full))
    # The whole timeline holds at most the budget plus the Value that crossed it.
    held = sum(elements(value) for value in shown)
    assert held <= (TIMELINE_VALUES + 1) * limits.value_elements


def test_once_spent_strings_and_sequences_keep_their_kind_and_cheap_values_stay() -> None:
    limits = Limits(value_elements=4)
    timeline = make_timeline(limits)
    timeline.elements_left = 0
    x = torch.ones(2, requires_grad=True)
    timeline.registry.record_tensor(x, 1)
    bindings = {
        "s": "hello",
        "t": (1, 2),
        "l": [1],
        "empty": [],
        "blank": "",
        "f": 0.5,
        "b": True,
        "n": None,
        "i": 7,
        "x": x,
        "size": torch.Size([2, 3]),
    }
    timeline.add(1, bindings, 0)
    (shown,) = [entry["bindings"] for entry in timeline.render([])]
    assert shown == {
        "s": {"kind": "str", "value": "", "truncated": True},
        "t": {"kind": "tuple", "items": [], "truncated": True},
        "l": {"kind": "list", "items": [], "truncated": True},
        # Empty values and scalars cost nothing to show: as before.
        **{name: encode_value(bindings[name], 4) for name in ("empty", "blank", "f", "b", "n")},
        "i": {"kind": "int", "value": 7},
        "x": timeline.registry.tensor_id(x),
        "size": encode_value(torch.Size([2, 3]), 4),
    }


def test_strings_cost_their_length() -> None:
    limits = Limits(value_elements=10)
    timeline = make_timeline(limits)
    budget = timeline.elements_left
    text = "x" * (limits.value_elements * CHARS_PER_ELEMENT)  # as long as one Value may be
    timeline.add(1, {"s": text}, 0)
    assert budget - timeline.elements_left == 1 + limits.value_elements
    timeline.add(1, {"n": 1, "f": 1.5, "b": False, "z": None}, 0)
    assert budget - timeline.elements_left == 1 + limits.value_elements


def test_tensors_past_the_graph_cap_draw_on_the_budget() -> None:
    limits = Limits(graph_nodes=0, value_elements=6)
    timeline = make_timeline(limits)
    tensor = torch.arange(12.0).reshape(3, 4)
    for _ in range(TIMELINE_VALUES + 1):
        timeline.add(1, {"t": tensor}, 0)
    shown = bindings_of(timeline, "t")
    # 6 of 12 elements fit a Value, so the budget holds exactly TIMELINE_VALUES of them.
    assert shown[:-1] == [encode_tensor(tensor, limits.value_elements, None)] * TIMELINE_VALUES
    assert shown[-1] == encode_tensor(tensor, 1, None)
    assert shown[-1]["shape"] == [3, 4] and shown[-1]["truncated"] is True
    json.dumps(shown, allow_nan=False)


def test_once_spent_a_long_repr_is_cut_and_marked() -> None:
    timeline = make_timeline(Limits())
    timeline.elements_left = 0
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    timeline.add(1, {"model": model, "relu": torch.nn.ReLU()}, 0)
    (shown,) = [entry["bindings"] for entry in timeline.render([])]
    full = encode_value(model, 1)["repr"]
    assert shown["model"]["kind"] == "Sequential" and shown["model"]["truncated"] is True
    assert len(shown["model"]["repr"]) < len(full)
    assert shown["model"]["repr"].removesuffix("...") == full[: len(shown["model"]["repr"]) - 3]
    assert shown["relu"] == encode_value(torch.nn.ReLU(), 1)  # short: as before
