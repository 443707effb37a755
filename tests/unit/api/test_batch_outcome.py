"""How a batch ends when an item fails: what the TaskGroup with `except*` did on 3.11, on every
Python (app/api/batch.py's `all_or_overload`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.api.answers import AnswerMemory
from app.api.batch import BatchHolding, all_or_overload
from app.api.problems import PayloadTooLarge
from app.config import Settings
from app.workers import PoolUnavailable, QueueFull

CAPACITY = 1000


async def finished(holding: BatchHolding) -> bytes:
    """An item that got its answer: its room stays reserved until the batch is sent."""
    holding.items.append(await holding.memory.reserve(100))
    return b"{}"


async def forever(started: asyncio.Event, cancelled: list[str]) -> bytes:
    started.set()
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        cancelled.append("sibling")
        raise
    raise AssertionError("unreachable")


async def failing(started: asyncio.Event, error: BaseException) -> bytes:
    await started.wait()
    raise error


async def end_of_batch(error: BaseException) -> tuple[BaseException, list[str], int]:
    """Run a finished item, a waiting item and a failing one; what the batch raised, who was
    cancelled, and the answer memory still held."""
    holding = BatchHolding(AnswerMemory(CAPACITY, 0), Settings())
    started = asyncio.Event()
    cancelled: list[str] = []
    tasks: list[asyncio.Task[Any]] = [
        asyncio.create_task(finished(holding)),
        asyncio.create_task(forever(started, cancelled)),
        asyncio.create_task(failing(started, error)),
    ]
    with pytest.raises(BaseException) as raised:
        await all_or_overload(tasks, holding)
    assert all(task.done() for task in tasks)
    return raised.value, cancelled, holding.memory.held


@pytest.mark.parametrize(
    "overload", [QueueFull(), PoolUnavailable("shutting down"), PayloadTooLarge("too big")]
)
def test_an_overloaded_item_fails_the_whole_batch_with_its_own_error(
    overload: BaseException,
) -> None:
    raised, cancelled, held = asyncio.run(end_of_batch(overload))
    assert raised is overload  # 503 or 413, never a 200 with a hole
    assert raised.__suppress_context__
    assert cancelled == ["sibling"]
    assert held == 0


def test_any_other_failure_propagates_and_still_frees_the_memory() -> None:
    raised, cancelled, held = asyncio.run(end_of_batch(RuntimeError("bug")))
    assert isinstance(raised, RuntimeError)
    assert cancelled == ["sibling"]
    assert held == 0


def test_a_cancelled_request_cancels_its_items_and_frees_their_memory() -> None:
    async def scenario() -> tuple[list[str], int]:
        holding = BatchHolding(AnswerMemory(CAPACITY, 0), Settings())
        started = asyncio.Event()
        cancelled: list[str] = []
        tasks: list[asyncio.Task[Any]] = [
            asyncio.create_task(finished(holding)),
            asyncio.create_task(forever(started, cancelled)),
        ]
        request = asyncio.create_task(all_or_overload(tasks, holding))
        await started.wait()
        await asyncio.sleep(0)
        request.cancel()  # the client went away
        with pytest.raises(asyncio.CancelledError):
            await request
        return cancelled, holding.memory.held

    cancelled, held = asyncio.run(scenario())
    assert cancelled == ["sibling"]
    assert held == 0


def test_a_batch_whose_items_all_answer_keeps_their_memory_for_sending() -> None:
    async def scenario() -> tuple[list[bytes], int]:
        holding = BatchHolding(AnswerMemory(CAPACITY, 0), Settings())
        tasks = [asyncio.create_task(finished(holding)) for _ in range(3)]
        await all_or_overload(tasks, holding)
        return [task.result() for task in tasks], holding.memory.held

    results, held = asyncio.run(scenario())
    assert results == [b"{}"] * 3
    assert held == 300  # released by HeldAnswer once sent
