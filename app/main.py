"""create_app(): the FastAPI application, its routers, static files and the worker pool."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from app.api import batch, capabilities, check, docs, examples, health, pages, run
from app.api.answers import AnswerMemory
from app.api.problems import install_problem_handlers
from app.api.request_limits import BodySizeLimit, RateLimit
from app.config import Settings, get_settings
from app.workers import PoolUnavailable, WorkerPool
from app.workers.fair_queue import ClientAddress

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
ROUTERS = (run, check, batch, examples, capabilities, health, docs, pages)

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, jobs_module: str = "app.workers.jobs") -> FastAPI:
    """Build the app; its lifespan starts the worker pool and stops it on shutdown."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings, jobs_module)
        app.state.pool = pool
        # Serve (healthz, readyz 503, queued runs) while the workers warm up.
        warm_up = asyncio.create_task(_start_pool(pool))
        try:
            yield
        finally:
            warm_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warm_up
            await pool.close()

    app = FastAPI(
        title="Autograd Playground",
        version="1",
        summary="Run small PyTorch programs in a sandbox and see autograd work.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.answer_memory = AnswerMemory(
        settings.answer_memory_bytes
        or (settings.queue_size + settings.workers) * settings.limits.result_bytes,
        settings.answer_wait_seconds,
    )
    install_problem_handlers(app)
    for router_module in ROUTERS:
        app.include_router(router_module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # The page's scripts and a full RunResult compress ~5x; the body cap sees the raw request.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(ClientAddress, trusted_proxies=settings.trusted_proxies)
    if settings.rate_limit_per_minute > 0:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
        )
    return app


async def _start_pool(pool: WorkerPool) -> None:
    try:
        await pool.start()
    except PoolUnavailable:
        logger.exception("the worker pool did not start; runs will be answered with 503")


app = create_app()
