"""A formatted batch (gradescope, prairielearn, junit, csv) is held in the answer memory at its
own size, not at the size of the workers' answers it was made from (app/api/batch.py's
`charge_document`)."""

from __future__ import annotations

import asyncio

import pytest

from app.api.answers import AnswerMemory
from app.api.batch import charge_document
from app.workers import QueueFull


async def reservations_of(memory: AnswerMemory, sizes: list[int]) -> list:
    return [await memory.reserve(size) for size in sizes]


def test_a_smaller_document_gives_back_the_surplus() -> None:
    async def scenario() -> None:
        memory = AnswerMemory(capacity=1000, wait_seconds=0)
        held = await reservations_of(memory, [300, 200])
        await charge_document(memory, held, 120)
        assert memory.held == 120
        assert sum(reservation.nbytes for reservation in held) == 120

    asyncio.run(scenario())


def test_a_larger_document_reserves_the_difference() -> None:
    async def scenario() -> None:
        memory = AnswerMemory(capacity=1000, wait_seconds=0)
        held = await reservations_of(memory, [300, 200])
        await charge_document(memory, held, 800)
        assert memory.held == 800
        for reservation in held:
            reservation.release()
        assert memory.held == 0

    asyncio.run(scenario())


def test_a_document_that_finds_no_room_is_refused_and_frees_everything() -> None:
    async def scenario() -> None:
        memory = AnswerMemory(capacity=1000, wait_seconds=0)
        other = await memory.reserve(400)  # another client's answer, still being sent
        held = await reservations_of(memory, [300, 200])
        with pytest.raises(QueueFull):
            await charge_document(memory, held, 900)
        assert memory.held == other.nbytes

    asyncio.run(scenario())
