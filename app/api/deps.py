"""Annotated dependencies shared by the routers.

They are `async def` although they only read `app.state`: FastAPI runs a plain `def`
dependency in a thread of the pool, three thread hand-offs per /run for three attribute reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.config import Settings
from app.workers import WorkerPool


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> WorkerPool:
    """The app's pool of warm worker processes."""
    pool: WorkerPool = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PoolDep = Annotated[WorkerPool, Depends(get_pool)]
