"""app/compat.py behaves as Python 3.11's standard library on every supported Python."""

from __future__ import annotations

import asyncio

import pytest

from app.compat import StrEnum, timeout


class Colour(StrEnum):
    RED = "red"


def test_a_str_enum_member_is_its_value_as_a_string() -> None:
    assert Colour.RED == "red"
    assert str(Colour.RED) == "red"
    assert f"{Colour.RED}|{Colour.RED:>5}" == "red|  red"


def test_timeout_raises_asyncio_timeout_error_and_cancels_the_body() -> None:
    cancelled: list[bool] = []

    async def scenario() -> None:
        async with timeout(0.01):
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(scenario())
    assert cancelled == [True]


def test_timeout_leaves_a_prompt_body_and_later_awaits_alone() -> None:
    async def scenario() -> str:
        async with timeout(0.05):
            await asyncio.sleep(0)
        await asyncio.sleep(0.1)  # the deadline is gone with the block: no late cancel
        return "done"

    assert asyncio.run(scenario()) == "done"
