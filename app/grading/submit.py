"""Send a check job to the worker pool and always get a CheckResult back (as JSON bytes).

Shared by POST /api/v1/check, /api/v1/batch and the offline `check` command, so that all three
give the same bytes for the same request. Torch-free: runs in the web process.
"""

from __future__ import annotations

from typing import Any

from app.grading.scoring import failed_check_result
from app.workers import WorkerPool
from app.workers.framing import encode_json


async def check_on_pool(pool: WorkerPool, job: dict[str, Any], programs: int) -> bytes:
    """Run `job` (a CheckRequest as plain data) on a worker; a dead worker fails the program,
    or the grader when it died while the reference program ran."""
    outcome = await pool.submit("check", job, programs=programs)
    if outcome.failure is None:
        assert outcome.body is not None
        return outcome.body
    torch_version = str(pool.info.get("torch_version", ""))
    result = failed_check_result(job, outcome.failure, torch_version, outcome.progress)
    return encode_json(result)
