"""POST /api/v1/batch: many independent runs and checks, in parallel on the worker pool."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from app.api.check import check_sources_size
from app.api.deps import PoolDep, SettingsDep
from app.api.problems import PROBLEM_RESPONSES
from app.api.run import check_source_size
from app.config import Settings
from app.grading.platforms import format_check_result
from app.grading.reports import batch_csv, batch_junit
from app.grading.submit import check_on_pool
from app.schemas_grading import BatchItem, BatchRequest, BatchResponse, CheckItem
from app.workers import WorkerPool
from app.workers.failures import failed_run_result
from app.workers.framing import encode_json

router = APIRouter(prefix="/api/v1", tags=["grading"])


def refuse_oversized_batch(batch: BatchRequest, settings: Settings) -> None:
    """422 in FastAPI's validation format when the batch holds more than the cap."""
    if len(batch.items) > settings.batch_max_items:
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "type": "too_long",
                    "loc": ["body", "items"],
                    "msg": f"A batch may hold at most {settings.batch_max_items} items; "
                    f"this one has {len(batch.items)}.",
                    "input": len(batch.items),
                }
            ],
        )


async def run_item(pool: WorkerPool, item: BatchItem, settings: Settings) -> bytes:
    """One item's result as JSON bytes; a dead worker fails only this item."""
    if isinstance(item, CheckItem):
        return await check_on_pool(pool, item.to_job(), item.programs)
    request = item.model_dump(mode="json", exclude={"kind", "id"})
    outcome = await pool.submit("run", request)
    if outcome.failure is None:
        assert outcome.body is not None
        return outcome.body
    torch_version = str(pool.info.get("torch_version", ""))
    failed = failed_run_result(
        outcome.failure, request, settings.limits, torch_version, outcome.elapsed_ms
    )
    return encode_json(failed)


BatchFormat = Literal["json", "gradescope", "prairielearn", "junit", "csv"]


def refuse_runs_in_a_grading_format(batch: BatchRequest, result_format: str) -> None:
    """422 when a platform format is asked of a batch that holds runs (they have no score)."""
    if result_format == "json":
        return
    runs = [index for index, item in enumerate(batch.items) if not isinstance(item, CheckItem)]
    if runs:
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "type": "value_error",
                    "loc": ["query", "format"],
                    "msg": f"format={result_format} needs check items only; item {runs[0]} is "
                    "a run. Ask for format=json, or send the runs in another batch.",
                    "input": result_format,
                }
            ],
        )


def with_id(body: bytes, item_id: str | None) -> bytes:
    """The item's result with its `id` first (the worker's JSON object, spliced)."""
    if item_id is None:
        return body
    return b'{"id":' + json.dumps(item_id).encode() + b"," + body[1:]


def formatted(results: list[bytes], items: list[Any], result_format: str) -> Response:
    """The check results of a batch in a grading platform's format, or as JUnit or CSV."""
    names = [item.id if item.id is not None else f"item{index}" for index, item in enumerate(items)]
    graded = list(zip(names, (json.loads(body) for body in results), strict=True))
    if result_format == "junit":
        return Response(batch_junit(graded), media_type="application/xml")
    if result_format == "csv":
        return Response(batch_csv(graded), media_type="text/csv")
    documents = []
    for name, result in graded:
        document = format_check_result(result, result_format)
        documents.append(
            {"id": name, **document}
            if result_format == "prairielearn"
            else {**document, "extra_data": {**document.get("extra_data", {}), "id": name}}
        )
    return Response(encode_json({"results": documents}), media_type="application/json")


@router.post("/batch", response_model=BatchResponse, responses=PROBLEM_RESPONSES)
async def batch(
    batch_request: BatchRequest,
    pool: PoolDep,
    settings: SettingsDep,
    result_format: Annotated[
        BatchFormat,
        Query(
            alias="format",
            description="json (default), or for batches of checks only: gradescope, "
            "prairielearn, junit or csv.",
        ),
    ] = "json",
) -> Response:
    """Run up to `batch_max_items` runs and checks in parallel; results in request order."""
    refuse_oversized_batch(batch_request, settings)
    refuse_runs_in_a_grading_format(batch_request, result_format)
    for item in batch_request.items:
        if isinstance(item, CheckItem):
            check_sources_size(item, settings)
        else:
            check_source_size(item.source, settings)

    # At most two items per worker in flight (one running, one queued so the worker never
    # idles between items): a batch then takes turns with other clients' requests instead of
    # filling the queue in front of them (making them wait or get 503).
    slots = asyncio.Semaphore(2 * max(1, settings.workers))

    async def in_turn(item: BatchItem) -> bytes:
        async with slots:
            return await run_item(pool, item, settings)

    # gather + cancel rather than a TaskGroup (Python 3.11+), with the same outcome: the first
    # overload cancels the items still waiting and the whole batch gets 503, never a 200.
    tasks = [asyncio.ensure_future(in_turn(item)) for item in batch_request.items]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    if result_format != "json":
        return formatted([task.result() for task in tasks], batch_request.items, result_format)
    # The workers' JSON is spliced in untouched (with the caller's id), in request order.
    results = [
        with_id(task.result(), item.id)
        for task, item in zip(tasks, batch_request.items, strict=True)
    ]
    body = b'{"results":[' + b",".join(results) + b"]}"
    return Response(body, media_type="application/json")
