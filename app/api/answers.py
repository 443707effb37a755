"""The memory the web process spends on answers: reserved before a job, released once sent.

Every /run and every /batch item reserves `limits.result_bytes` (the most a worker may answer,
see app/trace/result_budget.py) before its job is submitted; when the answer arrives the
reservation shrinks to its real size; it is released when the last byte has been handed to
the connection, or the client is gone. The reservations share `answer_memory_bytes` (by
default (queue_size + workers) × result_bytes: one per job the pool admits); when it is
spent, a request waits at most `answer_wait_seconds` (default 0) for room and is then refused
like a full queue (503, Retry-After).

Bodies are sent in chunks, each awaiting the connection's flow control, so a client that
never reads holds its reservation (and no more than the transport's high-water mark beyond
it) until `answer_send_seconds` pass; then its connection is dropped and the room freed.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from app.compat import timeout
from app.workers import QueueFull

# Bytes per body chunk: small against the transport's 64 KiB high-water mark, large enough
# that a 4 MiB answer is 64 sends.
CHUNK_BYTES = 64 * 1024


class AnswerMemory:
    """A byte budget with first-come, first-served waiters (a weighted semaphore)."""

    def __init__(self, capacity: int, wait_seconds: float) -> None:
        self.capacity = capacity
        self.wait_seconds = wait_seconds
        self.held = 0
        self.peak = 0
        self._waiters: collections.deque[tuple[int, asyncio.Future[None]]] = collections.deque()

    async def reserve(self, nbytes: int) -> Reservation:
        """Room for an answer of up to `nbytes`; QueueFull when none frees up in time."""
        nbytes = min(nbytes, self.capacity)
        if not self._waiters and self.held + nbytes <= self.capacity:
            self._take(nbytes)
            return Reservation(self, nbytes)
        if self.wait_seconds <= 0:
            raise QueueFull  # no waiting: refused like a full queue, 503 with Retry-After
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (nbytes, granted)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(granted), self.wait_seconds)
        except asyncio.TimeoutError:  # not the builtin before 3.11
            if granted.done():  # granted just as the wait ended: keep it
                return Reservation(self, nbytes)
            self._waiters.remove(entry)
            self._wake()
            raise QueueFull from None
        except asyncio.CancelledError:
            if granted.done():
                self._give_back(nbytes)
            else:
                self._waiters.remove(entry)
                self._wake()
            raise
        return Reservation(self, nbytes)

    def _take(self, nbytes: int) -> None:
        self.held += nbytes
        self.peak = max(self.peak, self.held)

    def _give_back(self, nbytes: int) -> None:
        self.held -= nbytes
        self._wake()

    def _wake(self) -> None:
        # In order: a large request at the head is not overtaken by small ones forever.
        while self._waiters and self.held + self._waiters[0][0] <= self.capacity:
            nbytes, granted = self._waiters.popleft()
            self._take(nbytes)
            granted.set_result(None)


class Reservation:
    """One answer's room: shrink it to the answer's real size, release it once sent."""

    __slots__ = ("_memory", "nbytes")

    def __init__(self, memory: AnswerMemory, nbytes: int) -> None:
        self._memory = memory
        self.nbytes = nbytes

    def shrink(self, nbytes: int) -> None:
        """Keep only `nbytes` (the answer as it arrived); never grows."""
        if nbytes < self.nbytes:
            self._memory._give_back(self.nbytes - nbytes)
            self.nbytes = nbytes

    def release(self) -> None:
        """Give the room back (idempotent)."""
        if self.nbytes:
            self._memory._give_back(self.nbytes)
            self.nbytes = 0


class HeldAnswer(Response):
    """A JSON body (or a batch's report in another `media_type`), given as parts (a batch's
    results are never joined into a copy), sent in chunks under the connection's flow control
    with a deadline; the reservations are released when it is sent, dropped or abandoned."""

    media_type = "application/json"

    def __init__(
        self,
        parts: list[bytes],
        reservations: list[Reservation],
        send_seconds: float,
        media_type: str | None = None,
    ) -> None:
        super().__init__(content=b"", media_type=media_type or self.media_type)
        self._parts = parts
        self._reservations = reservations
        self._send_seconds = send_seconds
        self.headers["content-length"] = str(sum(len(part) for part in parts))

    def _chunks(self) -> Iterator[bytes]:
        for part in self._parts:
            for offset in range(0, len(part), CHUNK_BYTES):
                yield part[offset : offset + CHUNK_BYTES]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send(
                {"type": "http.response.start", "status": self.status_code,
                 "headers": self.raw_headers}
            )  # fmt: skip
            # One deadline for the whole body (`timeout`: no task per chunk, as wait_for makes).
            # The last chunk ends the body itself: each message passes every middleware's send.
            async with timeout(self._send_seconds):
                chunks = self._chunks()
                chunk = next(chunks, b"")
                for following in chunks:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    chunk = following
                await send({"type": "http.response.body", "body": chunk, "more_body": False})
        except asyncio.TimeoutError:
            # A reader that does not read: drop it (uvicorn closes the connection when the
            # app returns without finishing the response).
            return
        finally:
            self._parts = []
            release_all(self._reservations)


async def answer_memory(request: Request) -> AnswerMemory:
    """The app's answer budget (created with the app, see app/main.py)."""
    memory: AnswerMemory = request.app.state.answer_memory
    return memory


AnswerMemoryDep = Annotated[AnswerMemory, Depends(answer_memory)]


async def reserved(
    memory: AnswerMemory, nbytes: int, produce: Callable[[], Awaitable[bytes]]
) -> tuple[bytes, Reservation]:
    """Reserve room, produce the answer, shrink the room to it; released on failure."""
    reservation = await memory.reserve(nbytes)
    try:
        body = await produce()
    except BaseException:
        reservation.release()
        raise
    reservation.shrink(len(body))
    return body, reservation


def release_all(reservations: list[Reservation]) -> None:
    for reservation in reservations:
        reservation.release()


def describe(memory: AnswerMemory) -> dict[str, Any]:
    """Figures for tests and /readyz-style diagnostics."""
    return {"capacity": memory.capacity, "held": memory.held, "peak": memory.peak}
