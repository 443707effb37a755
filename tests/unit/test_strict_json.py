"""Strict JSON decoding of request bodies (app/strict_json.py), against Python's own json."""

from __future__ import annotations

import json
import math

import pytest

from app.strict_json import loads_strict

VALID = [
    b'{"a": [1, 2.5, -3e5, 1E2, null, true, false, "NaN", "Infinity"]}',
    b"[]",
    b'"\\u00e9"',
    '{"ko": "역전파"}'.encode(),
    b"1.7976931348623157e308",
    b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}",
]


@pytest.mark.parametrize("body", VALID)
def test_json_is_decoded_as_python_decodes_it(body: bytes) -> None:
    assert loads_strict(body) == json.loads(body)
    assert loads_strict(body.decode()) == json.loads(body)


@pytest.mark.parametrize(
    ("body", "position"),
    [
        (b'{"x": NaN}', 6),
        (b'{"x": [1, Infinity]}', 10),
        (b'{"x": -Infinity}', 6),
        (b'{"NaN": "NaN", "y": NaN}', 20),
        (b'{"x": 1e999}', 6),
        (b'{"x": -2.5E+400}', 6),
    ],
)
def test_non_finite_numbers_are_refused_where_they_stand(body: bytes, position: int) -> None:
    # Python's own json reads each of these, as a NaN or an infinity.
    assert not all(math.isfinite(v) for v in _numbers(json.loads(body)))
    with pytest.raises(json.JSONDecodeError) as refused:
        loads_strict(body)
    assert refused.value.pos == position
    assert "finite" in refused.value.msg


@pytest.mark.parametrize(
    "body",
    [
        b'{"x": "\xff"}',
        b"9" * 5000,
        b"[" * 100_000 + b"]" * 100_000,
        b"{,}",
        b"",
    ],
    ids=["not-utf8", "huge-int", "deep", "broken", "empty"],
)
def test_everything_else_json_refuses_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_strict(body)


def _numbers(value: object) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, float) else []
