"""encode.py against torch's own tolist(): JSON-safe values, truncation, Python values."""

from __future__ import annotations

import json
import math
import warnings

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
