"""GET /api/v1/capabilities: the language the sandbox accepts, and the limits."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import PoolDep, SettingsDep
from app.api.problems import PROBLEM_RESPONSES
from app.schemas import Capabilities
from app.workers import PoolUnavailable

router = APIRouter(prefix="/api/v1", tags=["capabilities"])


@router.get("/capabilities", response_model=Capabilities, responses={503: PROBLEM_RESPONSES[503]})
async def capabilities(pool: PoolDep, settings: SettingsDep) -> dict[str, Any]:
    """List the allowed syntax, torch functions, tensor methods, builtins and limits."""
    # The table comes from the zygote, which has torch imported; the web process never does.
    table = pool.info.get("capabilities")
    if not pool.warm or table is None:
        raise PoolUnavailable("the capability table is not available yet")
    return {**table, "limits": settings.limits.as_dict()}
