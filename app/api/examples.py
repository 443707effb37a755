"""GET /api/v1/examples: the built-in teaching examples."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter

from app.examples import EXAMPLES
from app.schemas import Example

router = APIRouter(prefix="/api/v1", tags=["examples"])

# Examples are fixed data: serialise them once, not per request.
_EXAMPLES_DATA: list[dict[str, Any]] = [dataclasses.asdict(example) for example in EXAMPLES]


@router.get("/examples", response_model=list[Example])
async def list_examples() -> list[dict[str, Any]]:
    """List the built-in examples, the three seed programs first."""
    return _EXAMPLES_DATA
