"""Warm worker processes that run user programs outside the web process."""

from app.workers.pool import (
    JobNotEncodable,
    JobOutcome,
    PoolUnavailable,
    QueueFull,
    QueueTimeout,
    WorkerPool,
)

__all__ = [
    "JobNotEncodable",
    "JobOutcome",
    "PoolUnavailable",
    "QueueFull",
    "QueueTimeout",
    "WorkerPool",
]
