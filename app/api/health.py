"""GET /healthz and /readyz: liveness of the process, readiness of the workers."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.api.deps import PoolDep
from app.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, response_model_exclude_none=True)
async def healthz() -> Health:
    """Answer while the process lives."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={
        503: {
            "model": Health,
            "description": 'Workers not warm yet (`"starting"`), or no live worker can take a '
            'job (`"unavailable"`); carries `Retry-After`.',
        }
    },
)
async def readyz(pool: PoolDep) -> JSONResponse:
    """Answer 200 while at least one warm worker can take a job, 503 otherwise."""
    workers = pool.live_workers
    if pool.ready:
        return JSONResponse(Health(status="ready", workers=workers).model_dump())
    status = "unavailable" if pool.warm else "starting"
    return JSONResponse(
        Health(status=status, workers=workers).model_dump(),
        status_code=503,
        headers={"Retry-After": "1"},
    )
