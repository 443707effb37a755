"""POST /api/v1/batch: many independent runs and checks, in parallel on the worker pool."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
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
from app.grading.platforms import format_check_result
from app.grading.reports import batch_csv, batch_junit
from app.grading.submit import check_on_pool
from app.schemas_grading import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    CheckItem,
)
from app.workers import PoolUnavailable, QueueFull, WorkerPool
from app.workers.failures import failed_run_result
from app.workers.framing import encode_json

router = APIRouter(prefix="/api/v1", tags=["grading"], route_class=StrictJSONRoute)

BatchFormat = Literal["json", "gradescope", "prairielearn", "junit", "csv"]
# What makes the whole batch fail instead of one item: 503 for an overloaded server, 413 for
# answers that could never fit in the answer memory (see BatchHolding).
OVERLOAD = (QueueFull, PoolUnavailable, PayloadTooLarge)


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


def with_id(body: bytes, item_id: str | None) -> bytes:
    """The item's result with its `id` first (the worker's JSON object, spliced)."""
    if item_id is None:
        return body
    return b'{"id":' + json.dumps(item_id).encode() + b"," + body[1:]


class BatchHolding:
    """The answer memory one batch holds: its finished items wait for the last one, so a batch
    whose answers could not fit in the whole budget is refused (413) instead of waiting forever."""

    def __init__(self, memory: AnswerMemory, settings: Settings) -> None:
        self.memory = memory
        self.settings = settings
        self.items: list[Reservation] = []

    async def item(self, pool: WorkerPool, item: BatchItem) -> tuple[bytes, Reservation]:
        """One item's answer (with the caller's `id`), its memory reserved before the job (see
        answers.py)."""
        room = self.settings.limits.result_bytes
        held = sum(reservation.nbytes for reservation in self.items)
        if held + room > self.memory.capacity:
            raise PayloadTooLarge(
                f"The answers of this batch would take more than the {self.memory.capacity:,} "
                "bytes the server holds at once; send its items in smaller batches."
            )

        async def answer() -> bytes:
            # The id is spliced in as the answer arrives, so no second copy waits for the rest.
            return with_id(await run_item(pool, item, self.settings), item.id)

        body, reservation = await reserved(self.memory, room, answer)
        self.items.append(reservation)
        return body, reservation


async def all_or_overload(tasks: list[asyncio.Task[Any]], holding: BatchHolding) -> None:
    """Await every item; on the first failure (or a cancelled request) cancel the rest, give back
    the memory of the finished ones, and raise the overload (503/413) if there was one.

    What a TaskGroup with `except*` does on 3.11, written for Python 3.10 too.
    """
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        release_all(holding.items)
        for outcome in outcomes:
            if isinstance(outcome, OVERLOAD):
                # Overload is never a 200: the whole batch gets 503 (the rest were cancelled);
                # a batch whose answers cannot fit gets 413.
                raise outcome from None
        raise


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


async def formatted(
    tasks: list[asyncio.Task[tuple[bytes, Reservation]]],
    items: list[Any],
    result_format: str,
    settings: Settings,
    memory: AnswerMemory,
) -> HeldAnswer:
    """The check results of a batch in a grading platform's format, or as JUnit or CSV, held in
    the answer memory at the document's own size until it is sent (see `charge_document`)."""
    names = [item.id if item.id is not None else f"item{index}" for index, item in enumerate(items)]
    graded: list[tuple[str, dict[str, Any]]] = []
    reservations: list[Reservation] = []
    for name, task in zip(names, tasks, strict=True):
        body, reservation = task.result()
        result = json.loads(body)
        result.pop("id", None)  # the name carries it
        graded.append((name, result))
        reservations.append(reservation)
    if result_format == "junit":
        document, media_type = batch_junit(graded).encode(), "application/xml"
    elif result_format == "csv":
        document, media_type = batch_csv(graded).encode(), "text/csv"
    else:
        documents = []
        for name, result in graded:
            formatted_result = format_check_result(result, result_format)
            documents.append(
                {"id": name, **formatted_result}
                if result_format == "prairielearn"
                else {
                    **formatted_result,
                    "extra_data": {**formatted_result.get("extra_data", {}), "id": name},
                }
            )
        document, media_type = encode_json({"results": documents}), "application/json"
    await charge_document(memory, reservations, len(document))
    return HeldAnswer([document], reservations, settings.answer_send_seconds, media_type)


async def charge_document(
    memory: AnswerMemory, reservations: list[Reservation], nbytes: int
) -> None:
    """Make the batch's reservations add up to its formatted document instead of the workers'
    answers it was built from (those are dropped once it is returned). The document is made from
    answers already paid for, a few times their size at most (escaping), and is charged before
    a byte of it is sent: a document that finds no room is refused like a full queue (503)."""
    extra = nbytes - sum(reservation.nbytes for reservation in reservations)
    if extra > 0:
        try:
            reservations.append(await memory.reserve(extra))
        except BaseException:
            release_all(reservations)
            raise
        return
    surplus = -extra
    for reservation in reservations:
        given_back = min(surplus, reservation.nbytes)
        reservation.shrink(reservation.nbytes - given_back)
        surplus -= given_back


# A batch in `format=junit` or `csv` answers in that document's media type (the JSON formats
# keep application/json); OpenAPI states all three so schema-driven clients expect them.
BATCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    **PROBLEM_RESPONSES,
    200: {
        "description": "The results in request order (BatchResponse), or with `format=` the "
        "document asked for: Gradescope's or PrairieLearn's results shape, JUnit XML or CSV.",
        "content": {
            "application/xml": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
}


@router.post("/batch", response_model=BatchResponse, responses=BATCH_RESPONSES)
async def batch(
    batch_request: BatchRequest,
    pool: PoolDep,
    settings: SettingsDep,
    memory: AnswerMemoryDep,
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

    holding = BatchHolding(memory, settings)

    async def in_turn(item: BatchItem) -> tuple[bytes, Reservation]:
        async with slots:
            return await holding.item(pool, item)

    tasks = [asyncio.create_task(in_turn(item)) for item in batch_request.items]
    await all_or_overload(tasks, holding)
    if result_format != "json":
        return await formatted(tasks, batch_request.items, result_format, settings, memory)
    # The workers' JSON is spliced in untouched (with the caller's id), in request order.
    return held_batch(tasks, settings)
