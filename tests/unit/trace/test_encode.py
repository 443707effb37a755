"""encode.py against torch's own tolist(): JSON-safe values, truncation, Python values."""

from __future__ import annotations

import json
import math
import reprlib
import warnings
from typing import Any

import pytest
import torch
from torch import nn

from app.trace.encode import encode_tensor, encode_value, grad_of, json_float, tensor_data


@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float64, torch.float16, torch.int64, torch.int32, torch.bool]
)
def test_small_tensors_encode_exactly_as_tolist(dtype: torch.dtype) -> None:
    tensor = (torch.arange(12).reshape(3, 4) - 5).to(dtype)
    data, truncated = tensor_data(tensor, limit=1000)
    assert data == tensor.tolist()
    assert truncated is False


def test_zero_dim_and_empty_tensors() -> None:
    assert tensor_data(torch.tensor(2.5), 10) == (2.5, False)
    assert tensor_data(torch.zeros(0, 3), 10) == (torch.zeros(0, 3).tolist(), False)


def test_nan_and_infinities_become_strings() -> None:
    tensor = torch.tensor([[float("nan"), 1.0], [float("inf"), -float("inf")]])
    data, _ = tensor_data(tensor, 100)
    assert data == [["nan", 1.0], ["inf", "-inf"]]
    json.dumps(data, allow_nan=False)  # would raise on a bare NaN
    assert tensor_data(torch.tensor(float("nan")), 10)[0] == "nan"
    assert [json_float(v) for v in (math.nan, math.inf, -math.inf, 0.5)] == [
        "nan",
        "inf",
        "-inf",
        0.5,
    ]


def test_large_tensors_keep_their_nesting_and_say_truncated() -> None:
    tensor = torch.arange(2000.0).reshape(20, 100)
    data, truncated = tensor_data(tensor, limit=450)
    assert truncated is True
    assert data == tensor[:4].tolist()  # 4 whole rows of 100 fit in 450 elements

    wide = torch.arange(5000.0).reshape(1, 5, 1000)
    data, truncated = tensor_data(wide, limit=1000)
    assert truncated is True
    assert data == wide[:1, :1, :1000].tolist()

    flat = torch.arange(3000)
    assert tensor_data(flat, 1000) == (flat[:1000].tolist(), True)


def test_tensor_value_fields_match_torch() -> None:
    x = torch.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    y = x * 2
    value = encode_tensor(y, 100, lambda t: "t9")
    assert value == {
        "kind": "tensor",
        "node": "t9",
        "shape": [2],
        "dtype": "float32",
        "requires_grad": True,
        "is_leaf": False,
        "grad_fn": type(y.grad_fn).__name__,
        "value": y.tolist(),
        "grad": None,
        "truncated": False,
    }
    assert encode_tensor(x, 100)["grad"] == x.grad.tolist()


def test_reading_grad_of_a_non_leaf_gives_none_without_a_warning() -> None:
    y = torch.ones(2, requires_grad=True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert grad_of(y) is None
        encode_tensor(y, 10)


def test_python_values() -> None:
    assert encode_value(3, 10) == {"kind": "int", "value": 3}
    assert encode_value(True, 10) == {"kind": "bool", "value": True}
    assert encode_value(float("inf"), 10) == {"kind": "float", "value": "inf"}
    assert encode_value("hi", 10) == {"kind": "str", "value": "hi"}
    assert encode_value(None, 10) == {"kind": "none", "value": None}
    assert encode_value((1, [2.0]), 10) == {
        "kind": "tuple",
        "items": [
            {"kind": "int", "value": 1},
            {"kind": "list", "items": [{"kind": "float", "value": 2.0}]},
        ],
    }
    cut = encode_value(list(range(30)), 10)
    assert len(cut["items"]) == 10 and cut["truncated"] is True
    assert encode_value(torch.Size([2, 3]), 10) == {
        "kind": "torch.Size",
        "repr": "torch.Size([2, 3])",
    }
    assert encode_value(torch.float32, 10) == {"kind": "torch.dtype", "repr": "torch.float32"}


def test_reprs_carry_no_addresses_or_paths() -> None:
    encoded = json.dumps([encode_value(torch, 10), encode_value(object(), 10)])
    assert "0x" not in encoded and "/" not in encoded
    assert encode_value(nn.ReLU(), 10) == {"kind": "ReLU", "repr": "ReLU()"}


@pytest.mark.parametrize("text", ["plain", "기울기 ∂", "\ud800", "a\udfffb\u00e9"])
def test_strings_always_survive_utf8_json(text: str) -> None:
    value = encode_value(text, limit=100)["value"]
    json.dumps(value, ensure_ascii=False).encode("utf-8")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate shows as the escape repr would print for it.
        assert value == text.encode("utf-8", "backslashreplace").decode()
        assert "\\ud" in value
    else:
        assert value == text


def test_an_error_message_with_a_lone_surrogate_survives_utf8_json() -> None:
    from app.runner import run_program

    result = run_program("assert False, '\\ud800'\n", include=[])
    assert result["error"]["type"] == "AssertionError"
    assert result["error"]["message"] == "\\ud800"
    json.dumps(result, ensure_ascii=False).encode("utf-8")


def _decoded(value: dict[str, Any]) -> Any:
    """The Python value a Value of plain data (numbers, strings, containers) stands for."""
    kind = value["kind"]
    if kind == "list":
        return [_decoded(item) for item in value["items"]]
    if kind == "tuple":
        return tuple(_decoded(item) for item in value["items"])
    if kind == "dict":
        return {_decoded(entry["key"]): _decoded(entry["value"]) for entry in value["entries"]}
    return value["value"]


def _values_inside(value: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Value nested in `value`, at any depth."""
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        current = stack.pop()
        inner = list(current.get("items", []))
        for entry in current.get("entries", []):
            inner += [entry["key"], entry["value"]]
        found += inner
        stack += inner
    return found


def _leaves(obj: Any) -> list[Any]:
    """Non-container items of `obj` in the order repr shows them (dict keys included)."""
    if isinstance(obj, dict):
        return [leaf for pair in obj.items() for part in pair for leaf in _leaves(part)]
    if isinstance(obj, list | tuple):
        return [leaf for item in obj for leaf in _leaves(item)]
    return [obj]


NESTED = {
    "dict of lists": {k: [k] * 50 for k in range(30)},
    "list of lists": [[i] * 50 for i in range(30)],
    "list of dicts": [{"i": i, "square": (i, i * i)} for i in range(100)],
    "lists of empty lists": [[[]] * 50] * 50,
}


@pytest.mark.parametrize("value", NESTED.values(), ids=NESTED.keys())
def test_nested_containers_share_one_budget(value: Any) -> None:
    limit = 100
    encoded = encode_value(value, limit)
    assert len(_values_inside(encoded)) <= limit
    assert encoded["truncated"] is True
    kept = _leaves(_decoded(encoded))
    assert kept == _leaves(value)[: len(kept)]  # the start of the value, depth first
    json.dumps(encoded)


def test_a_nested_tensor_costs_the_elements_it_keeps() -> None:
    tensor = torch.arange(60.0)
    limit = 100
    encoded = encode_value([tensor] * 5, limit)
    # Items are added while the budget lasts; each tensor keeps its own cut.
    assert [item["value"] for item in encoded["items"]] == [tensor.tolist()] * math.ceil(limit / 60)
    assert encoded["truncated"] is True


def test_a_cut_dict_shows_a_short_repr_of_its_kept_entries() -> None:
    value = {k: [k] * 50 for k in range(30)}
    encoded = encode_value(value, 100)
    kept = _decoded(encoded)
    assert 0 < len(kept) < len(value)
    # reprlib's text for the kept entries, then "..." for those left out.
    style = reprlib.Repr()
    style.maxdict = len(kept)
    assert encoded["repr"] == style.repr(kept).removesuffix("}") + ", ...}"
    assert len(encoded["repr"]) < len(repr(kept))


def test_a_cut_dict_never_reprs_the_entries_it_left_out() -> None:
    shown: list[int] = []

    class Loud:
        def __init__(self, number: int) -> None:
            self.number = number

        def __repr__(self) -> str:
            shown.append(self.number)
            return f"Loud({self.number})"

    encoded = encode_value({n: Loud(n) for n in range(50)}, 10)
    kept = [entry["key"]["value"] for entry in encoded["entries"]]
    assert encoded["truncated"] is True
    assert set(shown) == set(kept)
    assert encoded["repr"] == "{" + ", ".join(f"{n}: Loud({n})" for n in kept) + ", ...}"


def test_a_dict_whose_inner_list_was_cut_has_no_full_repr() -> None:
    encoded = encode_value({"a": list(range(5000))}, 100)
    assert "truncated" not in encoded  # its one entry is there
    assert encoded["entries"][0]["value"]["truncated"] is True
    assert encoded["repr"] == reprlib.repr({"a": list(range(5000))})


SMALL = {
    "dict": {"a": [1, 2.5], "b": None, (1, "x"): {"c": "d"}, "e": {}},
    "list": [[1, 2], (3, "x"), {"k": [True]}, []],
    "exactly the limit": {i: (i, -i) for i in range(250)},  # 250 * (key, tuple, 2 ints)
}


@pytest.mark.parametrize("value", SMALL.values(), ids=SMALL.keys())
def test_small_containers_encode_whole_with_pythons_repr(value: Any) -> None:
    encoded = encode_value(value, 1000)
    assert "truncated" not in json.dumps(encoded)
    assert _decoded(encoded) == value
    for inner in [encoded, *_values_inside(encoded)]:
        if inner["kind"] == "dict":
            assert inner["repr"] == repr(_decoded(inner))
            assert list(inner) == ["kind", "entries", "repr"]  # the same JSON bytes as ever


def test_one_more_value_than_the_limit_cuts() -> None:
    value = {i: (i, -i) for i in range(251)}
    encoded = encode_value(value, 1000)
    assert list(encoded) == ["kind", "entries", "repr", "truncated"]
    assert len(_values_inside(encoded)) == 1000
    assert encoded["repr"].endswith(", ...}")


def test_deeply_nested_values_encode_without_recursion() -> None:
    value: list[Any] = []
    for _ in range(5000):
        value = [value]
    encoded = encode_value(value, 10_000)
    json.dumps(encoded)  # decoders and encoders of JSON recurse: the depth is capped
    assert any(inner.get("truncated") for inner in _values_inside(encoded))
