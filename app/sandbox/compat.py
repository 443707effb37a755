"""The one 3.11 standard-library name the sandbox uses, for Python 3.10 too (requires-python)."""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - Python 3.10 only

    class StrEnum(str, Enum):
        """enum.StrEnum as 3.11 has it: members are strings and print as their value."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return format(str(self.value), spec)


__all__ = ["StrEnum"]
