"""Fair hand-out of idle workers: per-client queues served by recent worker time, and a light lane.

A client is the key `app/api/client_identity.py` gives a request (its address, or its address
and the browser's anonymous id), passed in through `current_client`. Each client has its own
FIFO of waiting jobs. When a worker becomes free it goes to the waiting client that used the
least worker time recently (seconds of worker time, decayed exponentially with `half_life`; jobs
still running count with their elapsed time), so one client's flood of endless loops cannot
starve another client's three-line program.

Light lane: a client is *heavy* when its recent worker time is above `heavy_seconds` and above
the mean of the clients active in the window (its fair share). Heavy clients together may hold
at most `workers - 1` workers, so a light client always finds one free, or one that frees after
a light job. A lone client is never heavy (its usage equals the mean), so a single user's batch
still uses every worker.

When the waiting room is full, the newest job of the client with the most waiting jobs is
turned away (`QueueFull`, 503) to make room for a client with fewer, instead of refusing
everyone once one client filled the queue.

Which idle worker takes a job: the one that became idle last (a stack, not a queue). Every
worker runs each program in the same fresh state, so the choice changes no result and no
client's turn; but the last one to run still has the interpreter's and torch's code and data
in the CPU's caches, and under light load it answers a single client measurably sooner than a
worker that sat idle while another one ran (bench/service.py, the p50 row).
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

DEFAULT_HALF_LIFE_SECONDS = 10.0
DEFAULT_HEAVY_SECONDS = 0.5
# Clients whose usage decayed below this are forgotten (bounded memory under many addresses).
FORGET_BELOW_SECONDS = 1e-3
UNKNOWN_CLIENT = "unknown"

# The client of the request being handled; set by app.api.client_identity, read by the pool.
current_client: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_client", default=UNKNOWN_CLIENT
)


class QueueFull(Exception):
    """Every worker is busy and the queue in front of them is full."""


@dataclass(eq=False)
class Lease(Generic[T]):
    """A worker handed to one client's job; give it back with `FairQueue.finish`."""

    client: str
    item: T
    started: float


@dataclass
class _Usage:
    seconds: float = 0.0
    at: float = 0.0
    running: int = 0
    waiting: deque[asyncio.Future[Any]] = field(default_factory=deque)


class FairQueue(Generic[T]):
    """Idle workers (`put`) handed to waiting jobs (`get`) in the order described above."""

    def __init__(
        self,
        workers: int,
        max_waiting: int,
        *,
        usable: Callable[[T], bool] = lambda item: True,
        half_life: float = DEFAULT_HALF_LIFE_SECONDS,
        heavy_seconds: float = DEFAULT_HEAVY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.workers = workers
        self.max_waiting = max_waiting
        self._usable = usable
        self._decay = math.log(2) / half_life
        self.heavy_seconds = heavy_seconds
        self._clock = clock
        self._idle: deque[T] = deque()  # most recently idle on the right
        self._clients: dict[str, _Usage] = {}
        self._leases: set[Lease[T]] = set()
        self._closed: BaseException | None = None
        # Arrival order of waiting jobs: ties in usage go to the client waiting longest.
        self._arrival: weakref.WeakKeyDictionary[asyncio.Future[Any], int] = (
            weakref.WeakKeyDictionary()
        )
        self._arrivals = 0

    # -- figures -------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Jobs waiting for a worker, all clients together."""
        return sum(len(u.waiting) for u in self._clients.values())

    def usage(self, client: str) -> float:
        """Recent worker time of `client` in seconds: decayed finished jobs + running jobs."""
        now = self._clock()
        state = self._clients.get(client)
        finished = self._decayed(state, now) if state else 0.0
        running = sum(now - lease.started for lease in self._leases if lease.client == client)
        return finished + running

    def is_heavy(self, client: str) -> bool:
        """Above the absolute floor and above the mean usage of the clients in the window."""
        return client in self._heavy_clients(self._usages())

    def _usages(self) -> dict[str, float]:
        now = self._clock()
        running: dict[str, float] = {}
        for lease in self._leases:
            running[lease.client] = running.get(lease.client, 0.0) + now - lease.started
        return {c: self._decayed(s, now) + running.get(c, 0.0) for c, s in self._clients.items()}

    def _heavy_clients(self, usages: dict[str, float]) -> set[str]:
        active = [u for u in usages.values() if u > FORGET_BELOW_SECONDS]
        mean = sum(active) / max(1, len(active))
        return {c for c, u in usages.items() if u > self.heavy_seconds and u > mean}

    # -- the queue -----------------------------------------------------------------------

    def put(self, item: T) -> None:
        """A worker is idle (new, or back from a job)."""
        self._idle.append(item)
        self._dispatch()

    async def get(self, client: str) -> Lease[T]:
        """Wait for a worker for `client`; raises QueueFull, or the error given to `close`."""
        if self._closed is not None:
            raise self._closed
        state = self._clients.setdefault(client, _Usage(at=self._clock()))
        if not self._has_usable_idle() and self.waiting >= self.max_waiting:
            self._make_room_for(client)
        future: asyncio.Future[Lease[T]] = asyncio.get_running_loop().create_future()
        self._arrivals += 1
        self._arrival[future] = self._arrivals
        state.waiting.append(future)
        self._dispatch()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                # Handed a worker in the same instant the request went away: pass it on.
                self.finish(future.result(), reuse=True)
            elif future in state.waiting:
                state.waiting.remove(future)
            raise

    def finish(self, lease: Lease[T], *, reuse: bool = False) -> None:
        """Record the job's worker time; `reuse` puts the worker back (else the caller does)."""
        if lease not in self._leases:
            return
        self._leases.discard(lease)
        now = self._clock()
        state = self._clients.setdefault(lease.client, _Usage(at=now))
        state.seconds = self._decayed(state, now) + (now - lease.started)
        state.at = now
        state.running -= 1
        if reuse:
            self._idle.append(lease.item)
        self._forget_idle_clients(now)
        self._dispatch()

    def close(self, error: BaseException) -> None:
        """Fail every waiting job with `error`, and every later `get`."""
        self._closed = error
        for state in self._clients.values():
            while state.waiting:
                future = state.waiting.popleft()
                if not future.done():
                    future.set_exception(error)

    # -- internals -----------------------------------------------------------------------

    def _decayed(self, state: _Usage, now: float) -> float:
        return state.seconds * math.exp(-self._decay * max(0.0, now - state.at))

    def _has_usable_idle(self) -> bool:
        return any(self._usable(item) for item in self._idle)

    def _make_room_for(self, client: str) -> None:
        mine = len(self._clients[client].waiting)
        biggest = max(self._clients, key=lambda c: len(self._clients[c].waiting))
        if len(self._clients[biggest].waiting) <= mine + 1:
            raise QueueFull
        evicted = self._clients[biggest].waiting.pop()
        if not evicted.done():
            evicted.set_exception(QueueFull())

    def _pop_idle(self) -> T | None:
        while self._idle:
            item = self._idle.pop()  # the most recently idle: warm caches (module doc)
            if self._usable(item):
                return item
        return None

    def _dispatch(self) -> None:
        while self._idle:
            client = self._next_client()
            if client is None:
                return
            item = self._pop_idle()
            if item is None:
                return
            future = self._clients[client].waiting.popleft()
            lease = Lease(client, item, self._clock())
            self._leases.add(lease)
            self._clients[client].running += 1
            future.set_result(lease)

    def _next_client(self) -> str | None:
        for state in self._clients.values():
            while state.waiting and state.waiting[0].done():
                state.waiting.popleft()  # cancelled or evicted
        candidates = [c for c, s in self._clients.items() if s.waiting]
        if not candidates:
            return None
        usages = self._usages()
        heavy = self._heavy_clients(usages)
        heavy_running = sum(self._clients[c].running for c in heavy)
        # The light lane: the last free worker is kept for light clients.
        room_for_heavy = heavy_running < self.workers - 1 or self.workers == 1
        eligible = [c for c in candidates if c not in heavy or room_for_heavy]
        if not eligible:
            return None
        return min(
            eligible, key=lambda c: (usages[c], self._arrival.get(self._clients[c].waiting[0], 0))
        )

    def _forget_idle_clients(self, now: float) -> None:
        if len(self._clients) < 1000:
            return
        for client in [
            c
            for c, s in self._clients.items()
            if not s.waiting and not s.running and self._decayed(s, now) < FORGET_BELOW_SECONDS
        ]:
            del self._clients[client]
