"""Strict JSON decoding of request bodies: RFC 8259 JSON and nothing else.

Python's `json.loads` also reads `NaN`, `Infinity` and `-Infinity` (not JSON, but what Python's
own `json.dumps` writes for non-finite floats) and turns numbers such as `1e999` into infinity.
A non-finite number in a request reaches places that cannot carry it (the worker protocol, the
score's sums, the error answer itself), so it is refused here, before anything else sees the
body. Every failure is a `json.JSONDecodeError` with the position of the offending token, which
FastAPI answers with its usual 422.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# A JSON string (skipped whole), or a token that only Python's decoder accepts.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)|(-?\d+(?:\.\d+)?[eE][+-]?\d+)')


class _NotFinite(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(name)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _position(document: str, token: str) -> int:
    """Where `token` first stands outside a string (0 if it cannot be found)."""
    for match in _TOKEN.finditer(document):
        if token in (match.group(1), match.group(2)):
            return match.start()
    return 0


def loads_strict(body: bytes | str) -> Any:
    """Decode `body` as strict JSON; `json.JSONDecodeError` for anything else.

    Refused, besides what `json.loads` refuses: bytes that are not UTF-8, `NaN`, `Infinity`,
    `-Infinity`, numbers too large for a float, integers longer than Python converts, and
    nesting deeper than the decoder can follow.
    """
    if isinstance(body, bytes | bytearray):
        try:
            document = bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError(
                "The body is not UTF-8 text", body.decode("utf-8", "replace"), error.start
            ) from None
    else:
        document = body
    try:
        return json.loads(document, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError:
        raise
    except _NotFinite as error:
        raise json.JSONDecodeError(
            f"{error.token} is not a finite number; JSON has no NaN or Infinity",
            document,
            _position(document, error.token),
        ) from None
    except RecursionError:
        raise json.JSONDecodeError("The body nests too deeply", document, 0) from None
    except ValueError:
        # int() refuses integers of more than 4300 digits (CPython's guard against slow parsing).
        raise json.JSONDecodeError(
            "A number in the body has too many digits", document, 0
        ) from None
