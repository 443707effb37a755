"""Warm worker processes that run user programs outside the web process."""

from app.workers.pool import JobOutcome, PoolUnavailable, QueueFull, WorkerPool

__all__ = ["JobOutcome", "PoolUnavailable", "QueueFull", "WorkerPool"]
