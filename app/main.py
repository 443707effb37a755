"""create_app(): the FastAPI application, its routers, static files and the worker pool."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from app import asset_dir
from app.api import (
    batch,
    capabilities,
    check,
    docs,
    examples,
    health,
    observability,
    pages,
    problem_files,
    run,
)
from app.api.admission_gate import AdmissionGate
from app.api.answers import AnswerMemory
from app.api.client_identity import IdentifyClient
from app.api.observability import RequestContext
from app.api.problems import install_problem_handlers
from app.api.request_limits import RateLimit
from app.config import Settings, get_settings
from app.result import API_VERSION
from app.telemetry.events import RunEvent
from app.telemetry.logs import RUN_LOGGER
from app.telemetry.metrics import PlaygroundMetrics, PoolSnapshot
from app.workers import PoolUnavailable, WorkerPool
from app.workers.admission import Admission

STATIC_DIR = asset_dir("static")
ROUTERS = (
    run,
    check,
    batch,
    problem_files,
    examples,
    capabilities,
    health,
    docs,
    pages,
    observability,
)

logger = logging.getLogger(__name__)
run_log = logging.getLogger(RUN_LOGGER)


def package_version() -> str:
    """The installed package's version (for build info), or "unknown" in a bare checkout."""
    try:
        return version("autograd-playground")
    except PackageNotFoundError:
        return "unknown"


def _log_run(event: RunEvent) -> None:
    run_log.info("run", extra=event.as_log_fields())


def create_app(settings: Settings | None = None, jobs_module: str = "app.workers.jobs") -> FastAPI:
    """Build the app; its lifespan starts the worker pool and stops it on shutdown."""
    settings = settings or get_settings()

    metrics = PlaygroundMetrics(package_version(), lambda: _snapshot(app))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings, jobs_module)
        app.state.pool = pool
        pool.run_listeners.append(_log_run)
        if settings.metrics_enabled:
            pool.run_listeners.append(metrics.observe_run)
            pool.replacement_listeners.append(metrics.observe_replacement)
            if settings.metrics_port:
                _serve_metrics_on_own_port(metrics, settings)
        # Serve (healthz, readyz 503, queued runs) while the workers warm up.
        warm_up = asyncio.create_task(_start_pool(pool, metrics))
        try:
            yield
        finally:
            warm_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warm_up
            await pool.close()

    app = FastAPI(
        title="Autograd Playground",
        version=API_VERSION,
        summary="Run small PyTorch programs in a sandbox and see autograd work.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.answer_memory = AnswerMemory(
        settings.answer_memory_bytes
        or (settings.queue_size + settings.workers) * settings.limits.result_bytes,
        settings.answer_wait_seconds,
    )
    install_problem_handlers(app)
    for router_module in ROUTERS:
        app.include_router(router_module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # The page's scripts and a full RunResult compress ~5x. Middleware runs outermost
    # last-added first: the request context (id, metrics, access log), name the client,
    # rate-limit it, refuse runs that would wait past the budget (before reading their body),
    # then Starlette's own request body limit (413 by Content-Length, or once a streamed body
    # passes the cap, before any JSON parser sees the rest).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.max_request_bytes)
    app.add_middleware(
        AdmissionGate,
        admission=lambda: _pool_admission(app),
        workers=settings.workers,
        hold_seconds=settings.queue_refusal_hold_seconds,
    )
    if settings.rate_limit_per_minute > 0:
        app.add_middleware(
            RateLimit,
            per_minute=settings.rate_limit_per_minute,
            ids_per_address=settings.rate_limit_ids_per_address,
        )
    app.add_middleware(IdentifyClient, trusted_proxies=settings.trusted_proxies)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-Request-ID", "X-Playground-Client"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    # Outermost: every answer, even another middleware's 413/429/503, gets a request id.
    app.add_middleware(
        RequestContext,
        metrics=metrics if settings.metrics_enabled else None,
        trusted_proxies=settings.trusted_proxies,
    )
    return app


def _pool_admission(app: FastAPI) -> Admission | None:
    pool: WorkerPool | None = getattr(app.state, "pool", None)
    return pool.admission if pool is not None else None


def _snapshot(app: FastAPI) -> PoolSnapshot:
    pool = getattr(app.state, "pool", None)
    return pool.snapshot() if pool is not None else PoolSnapshot()


def _serve_metrics_on_own_port(metrics: PlaygroundMetrics, settings: Settings) -> None:
    from prometheus_client import start_http_server

    start_http_server(settings.metrics_port, addr=settings.host, registry=metrics.registry)


async def _start_pool(pool: WorkerPool, metrics: PlaygroundMetrics) -> None:
    try:
        await pool.start()
    except PoolUnavailable:
        logger.exception("the worker pool did not start; runs will be answered with 503")
        return
    metrics.set_torch_version(str(pool.info.get("torch_version", "")))


app = create_app()
