"""Settings: the only reader of the environment (prefix PLAYGROUND_)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.sandbox.limits import Limits


class Settings(BaseSettings):
    """Every knob of the service; nested limits are set as PLAYGROUND_LIMITS__<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PLAYGROUND_", env_nested_delimiter="__")

    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=8000, description="Port the server listens on.")
    workers: int = Field(
        default_factory=lambda: max(1, os.cpu_count() or 1),
        ge=1,
        description="Warm worker processes that run programs (default: one per core).",
    )
    runs_per_worker: int = Field(
        default=500,
        ge=1,
        description="Runs before a worker is replaced by a fresh one (1 = a new process per run).",
    )
    worker_memory_mb: int = Field(
        default=2048, ge=256, description="Address-space limit of each worker process, in MiB."
    )
    syscall_filter: bool = Field(
        default=True,
        description=(
            "Seccomp filter in each worker: execve, sockets, new processes, writing files and "
            "the like kill the worker (SECURITY.md, 'Seccomp policy'). Off only for debugging."
        ),
    )
    queue_size: int = Field(
        default=1024,
        ge=0,
        description=(
            "Hard cap on runs waiting for a worker (memory bound); the wait budget below "
            "normally refuses long before it is reached."
        ),
    )
    queue_wait_budget_seconds: float = Field(
        default=10.0,
        gt=0,
        description=(
            "A run is queued while its expected wait (runs ahead x recent run time / workers) "
            "stays under this; beyond it 503 with a Retry-After computed from the queue."
        ),
    )
    queue_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest a run waits in the queue for a worker; then 503 with Retry-After.",
    )
    deadline_grace_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Extra time past limits.seconds before the watchdog kills a worker.",
    )
    max_request_bytes: int = Field(
        default=256 * 1024,
        ge=1024,
        description="Largest accepted request body; larger bodies get 413.",
    )
    answer_memory_bytes: int = Field(
        default=0,
        ge=0,
        description=(
            "Bytes the web process may hold in answers at once (0 = (queue_size + workers) × "
            "limits.result_bytes); past it a request waits, then gets 503."
        ),
    )
    answer_wait_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Longest wait for answer memory before a 503 (0: answer 503 at once, "
        "like a full queue).",
    )
    answer_send_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Longest time to send one answer; a client that does not read is dropped.",
    )
    batch_max_items: int = Field(
        default=50, description="Most items one /api/v1/batch request may hold."
    )
    queue_refusal_hold_seconds: float = Field(
        default=1.0,
        ge=0,
        description=(
            "A run refused for the wait budget is answered after this long (its Retry-After "
            "is shortened by as much, never below 1 s), so clients that retry at once cannot "
            "keep the web process busy with refusals."
        ),
    )
    rate_limit_per_minute: int = Field(
        default=0,
        ge=0,
        description=(
            "Requests per minute per client: browser id where the page sent one, else address "
            "(0 = no rate limit)."
        ),
    )
    rate_limit_ids_per_address: int = Field(
        default=100,
        ge=1,
        description=(
            "One address (a classroom behind NAT) may send this many clients' worth of requests "
            "in all, however many browser ids it shows."
        ),
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            "Addresses or CIDR blocks of reverse proxies whose X-Forwarded-For names the client "
            "(for fair scheduling and the rate limit); from any other peer it is ignored."
        ),
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS (empty = CORS off)."
    )
    metrics_enabled: bool = Field(
        default=True, description="Serve Prometheus metrics (at /metrics unless metrics_port)."
    )
    metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Serve /metrics on this separate port instead of the app's (0 = the app's).",
    )
    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        description="Log lines as JSON or text; auto = text on a terminal, JSON otherwise.",
    )
    limits: Limits = Field(default_factory=Limits, description="The sandbox limits of every run.")
    problems_dir: Path | None = Field(
        default=None,
        description="A folder of problem files (*.toml) served at /api/v1/problems (None = none).",
    )
    # The two platforms name their folders themselves; the unprefixed names are theirs (tests
    # point them at a temporary folder), the prefixed ones keep the one-prefix rule.
    autograder_root: Path = Field(
        default=Path("/autograder"),
        validation_alias=AliasChoices("PLAYGROUND_AUTOGRADER_ROOT", "AUTOGRADER_ROOT"),
        description="Gradescope's autograder folder (source/, submission/, results/).",
    )
    pl_grade_root: Path = Field(
        default=Path("/grade"),
        validation_alias=AliasChoices("PLAYGROUND_PL_GRADE_ROOT", "PL_GRADE_ROOT"),
        description="PrairieLearn's grading folder (data/, student/, tests/, results/).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()
