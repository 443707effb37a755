"""The error answers themselves cannot fail, whatever the refused request held."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from app.api.problems import install_problem_handlers, validation_error_body
from app.workers import JobNotEncodable, QueueTimeout


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str")


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_ERRORS: dict[str, list[dict[str, Any]]] = {
    # A NaN that failed validation made FastAPI's 422 (and ours) answer 500 (issue 13).
    "nan-input": [{"type": "int_type", "loc": ["body", "seed"], "msg": "m", "input": math.nan}],
    "inf-in-ctx": [{"type": "x", "loc": ["body"], "msg": "m", "ctx": {"le": -math.inf}}],
    "bytes-not-utf8": [{"type": "x", "loc": ["body"], "msg": "m", "input": b"\xff\xfe"}],
    "exception": [{"type": "x", "loc": ["body"], "msg": "m", "ctx": {"error": ValueError()}}],
    "unprintable": [{"type": "x", "loc": ["body"], "msg": "m", "input": Unprintable()}],
    "deep": [{"type": "x", "loc": ["body"], "msg": "m", "input": nested(2000)}],
    "lone-surrogate": [{"type": "x", "loc": ["body"], "msg": "\ud800", "input": "\udfff"}],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE_ERRORS))
def test_the_422_body_is_json_whatever_the_errors_hold(case: str) -> None:
    body = validation_error_body(HOSTILE_ERRORS[case])
    decoded = json.loads(body)
    assert decoded["detail"], decoded
    assert b"NaN" not in body and b"Infinity" not in body


def answer_to(error: Exception) -> httpx.Response:
    """What an app with our handlers answers when a route raises `error`."""
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/boom")

    return asyncio.run(get())


@pytest.mark.parametrize("case", sorted(HOSTILE_ERRORS))
def test_the_installed_422_handler_answers_422(case: str) -> None:
    response = answer_to(RequestValidationError(HOSTILE_ERRORS[case]))
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def test_a_job_json_cannot_carry_is_a_422_problem() -> None:
    response = answer_to(JobNotEncodable("not JSON"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_queue_timeout_is_a_503_with_retry_after() -> None:
    response = answer_to(QueueTimeout(30.0))
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert "30 seconds" in response.json()["detail"]
