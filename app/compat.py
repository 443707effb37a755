"""The Python 3.11 standard-library names the app uses, for Python 3.10 too (requires-python).

One owner for every version difference in the app's own code: `StrEnum` (enum, 3.11) and
`timeout` (asyncio, 3.11; on 3.10 the async-timeout package it was modelled on). Both raise or
behave as 3.11's do, except that on 3.10 a timeout raises `asyncio.TimeoutError`, which is not
yet the builtin `TimeoutError`: callers catch `asyncio.TimeoutError` (the same class from 3.11).
"""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from asyncio import timeout
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10 only
    from async_timeout import timeout

    class StrEnum(str, Enum):
        """enum.StrEnum as 3.11 has it: members are strings and print as their value."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return format(str(self.value), spec)


__all__ = ["StrEnum", "timeout"]
