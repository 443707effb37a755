"""POST /api/v1/batch: many independent runs and checks, in parallel on the worker pool."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from app.api.answers import (
    AnswerMemory,
    AnswerMemoryDep,
    HeldAnswer,
    Reservation,
    release_all,
    reserved,
)
from app.api.check import check_sources_size
from app.api.deps import PoolDep, SettingsDep
from app.api.problems import PROBLEM_RESPONSES, PayloadTooLarge
from app.api.run import check_source_size
from app.api.strict_body import StrictJSONRoute
from app.config import Settings
from app.grading.submit import check_on_pool
from app.schemas_grading import BatchItem, BatchRequest, BatchResponse, CheckItem
from app.workers import PoolUnavailable, QueueFull, WorkerPool
from app.workers.failures import failed_run_result
from app.workers.framing import encode_json

router = APIRouter(prefix="/api/v1", tags=["grading"], route_class=StrictJSONRoute)


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
    request = item.model_dump(mode="json", exclude={"kind"})
    outcome = await pool.submit("run", request)
    if outcome.failure is None:
        assert outcome.body is not None
        return outcome.body
    torch_version = str(pool.info.get("torch_version", ""))
    failed = failed_run_result(
        outcome.failure, request, settings.limits, torch_version, outcome.elapsed_ms
    )
    return encode_json(failed)


class BatchHolding:
    """The answer memory one batch holds: its finished items wait for the last one, so a batch
    whose answers could not fit in the whole budget is refused (413) instead of waiting forever."""

    def __init__(self, memory: AnswerMemory, settings: Settings) -> None:
        self.memory = memory
        self.settings = settings
        self.items: list[Reservation] = []

    async def item(self, pool: WorkerPool, item: BatchItem) -> tuple[bytes, Reservation]:
        """One item's answer, its memory reserved before the job (see answers.py)."""
        room = self.settings.limits.result_bytes
        held = sum(reservation.nbytes for reservation in self.items)
        if held + room > self.memory.capacity:
            raise PayloadTooLarge(
                f"The answers of this batch would take more than the {self.memory.capacity:,} "
                "bytes the server holds at once; send its items in smaller batches."
            )
        body, reservation = await reserved(
            self.memory, room, lambda: run_item(pool, item, self.settings)
        )
        self.items.append(reservation)
        return body, reservation


def held_batch(
    tasks: list[asyncio.Task[tuple[bytes, Reservation]]], settings: Settings
) -> HeldAnswer:
    """The batch's answer: the items' JSON spliced in request order, never joined into a copy,
    each item's memory released once the whole answer is sent."""
    parts: list[bytes] = [b'{"results":[']
    reservations: list[Reservation] = []
    for index, task in enumerate(tasks):
        body, reservation = task.result()
        parts.append(body if index == 0 else b"," + body)
        reservations.append(reservation)
    parts.append(b"]}")
    return HeldAnswer(parts, reservations, settings.answer_send_seconds)


@router.post("/batch", response_model=BatchResponse, responses=PROBLEM_RESPONSES)
async def batch(
    batch_request: BatchRequest, pool: PoolDep, settings: SettingsDep, memory: AnswerMemoryDep
) -> Response:
    """Run up to `batch_max_items` runs and checks in parallel; results in request order."""
    refuse_oversized_batch(batch_request, settings)
    for item in batch_request.items:
        if isinstance(item, CheckItem):
            check_sources_size(item, settings)
        else:
            check_source_size(item.source, settings)

    # At most two items per worker in flight (one running, one queued so the worker never
    # idles between items): a batch then takes turns with other clients' requests instead of
    # filling the queue in front of them (making them wait or get 503).
    slots = asyncio.Semaphore(2 * max(1, settings.workers))

    holding = BatchHolding(memory, settings)

    async def in_turn(item: BatchItem) -> tuple[bytes, Reservation]:
        async with slots:
            return await holding.item(pool, item)

    tasks: list[asyncio.Task[tuple[bytes, Reservation]]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks.extend(group.create_task(in_turn(item)) for item in batch_request.items)
    except* (QueueFull, PoolUnavailable, PayloadTooLarge) as overload:
        # Overload is never a 200: the whole batch gets 503 (the group cancelled the rest);
        # a batch whose answers cannot fit gets 413.
        release_all(holding.items)
        raise overload.exceptions[0] from None
    # The workers' JSON is spliced in untouched, in request order.
    return held_batch(tasks, settings)
