"""A route class whose request bodies are decoded as strict JSON (`app.strict_json`).

FastAPI decodes a JSON body with `Request.json()`, which accepts `NaN`/`Infinity` and answers an
undocumented 400 for bytes that are not UTF-8. Routes of this class get a request whose `json()`
is strict: every refusal is a `json.JSONDecodeError`, which FastAPI turns into its usual 422.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from app.strict_json import loads_strict


class StrictJSONRequest(Request):
    """A request whose JSON body is decoded strictly (and once)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    """An API route that reads its body with `StrictJSONRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive, request._send))

        return strict_handler
