"""One differential program: its id, source, the error it is meant to end with, and its seed."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    error: str | None = None
    seed: int = 0


def _case(case_id: str, source: str, error: str | None = None, seed: int = 0) -> Case:
    return Case(case_id, textwrap.dedent(source).lstrip("\n"), error, seed)
