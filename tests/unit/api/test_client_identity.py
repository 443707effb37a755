"""Who the client is: one rule (address + browser id) for fair scheduling and the rate limiter."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.api.client_identity import (
    ClientIdentity,
    IdentifyClient,
    client_address,
    identity_of,
    parse_networks,
)
from app.api.request_limits import RateLimit
from app.config import Settings
from app.sandbox.limits import Limits
from app.workers import WorkerPool
from app.workers.fair_queue import current_client

FAKE_JOBS = "tests.unit.workers.fake_jobs"
TRUSTED = parse_networks(["10.0.0.0/8", "127.0.0.1"])
ALICE = "alice-browser-0123456789"
BOB = "bob-browser-abcdefghijkl"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", None, TRUSTED, "203.0.113.9"),
        # An untrusted peer cannot choose its identity with the header.
        ("203.0.113.9", "198.51.100.1", TRUSTED, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", (), "203.0.113.9"),
        ("127.0.0.1", "198.51.100.1", TRUSTED, "198.51.100.1"),
        # Read from the right: the client wrote the left part, the proxies the right part.
        ("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.0.0.7", TRUSTED, "198.51.100.1"),
        ("127.0.0.1", "garbage", TRUSTED, "127.0.0.1"),
        (None, "198.51.100.1", TRUSTED, "unknown"),
    ],
)
def test_client_address(
    peer: str | None, forwarded: str | None, trusted: tuple, expected: str
) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def asgi_client(app: Any, peer: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def test_the_middleware_names_the_client_for_the_pool_and_the_rate_limiter() -> None:
    app = FastAPI()
    seen: list[ClientIdentity] = []

    @app.get("/who")
    async def who() -> str:
        return current_client.get()

    async def recorder(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(identity_of(scope))
        await app(scope, receive, send)

    async def ask(peer: str, trusted: list[str], headers: dict[str, str]) -> str:
        async with asgi_client(IdentifyClient(recorder, trusted_proxies=trusted), peer) as client:
            response = await client.get("/who", headers=headers)
        assert response.status_code == 200, response.text
        answer: str = response.json()
        return answer

    async def scenario() -> None:
        assert await ask("127.0.0.2", [], {}) == "127.0.0.2"
        assert await ask("127.0.0.2", [], {"X-Forwarded-For": "198.51.100.7"}) == "127.0.0.2"
        proxied = {"X-Forwarded-For": "198.51.100.7"}
        assert await ask("127.0.0.1", ["127.0.0.1"], proxied) == "198.51.100.7"
        assert await ask("127.0.0.2", [], {"X-Playground-Client": ALICE}) == f"127.0.0.2#{ALICE}"
        # Not the page's format (too short, odd characters): the address alone.
        assert await ask("127.0.0.2", [], {"X-Playground-Client": "x"}) == "127.0.0.2"
        assert await ask("127.0.0.2", [], {"X-Playground-Client": "a b" * 10}) == "127.0.0.2"
        assert current_client.get() == "unknown"

    asyncio.run(scenario())
    assert seen[3] == ClientIdentity("127.0.0.2", ALICE)
    assert seen[2] == ClientIdentity("198.51.100.7", None)


def test_two_browser_ids_behind_one_address_each_get_workers() -> None:
    """Alice floods one worker-pool of 2 with slow jobs; Bob, behind the same NAT address, is
    served at the next free worker instead of behind Alice's queue."""
    settings = Settings(workers=2, queue_size=32, limits=Limits(seconds=5.0))
    finished: list[str] = []

    async def main() -> None:
        pool = WorkerPool(settings, FAKE_JOBS)
        await pool.start()
        app = FastAPI()

        @app.post("/work")
        async def work(who: str) -> str:
            await pool.submit("sleep", {"seconds": 0.2})
            finished.append(who)
            return who

        try:
            async with asgi_client(IdentifyClient(app), "192.0.2.10") as client:

                async def post(who: str, browser: str) -> None:
                    headers = {"X-Playground-Client": browser}
                    r = await client.post("/work", params={"who": who}, headers=headers)
                    assert r.status_code == 200, r.text

                flood = [asyncio.create_task(post(f"alice{i}", ALICE)) for i in range(8)]
                while pool.waiting < 6:
                    await asyncio.sleep(0.005)
                await asyncio.gather(post("bob", BOB), *flood)
        finally:
            await pool.close()

    asyncio.run(main())
    # Bob's job took the first worker freed after he arrived: at most the two Alice jobs
    # running then and the one on the other worker finish before him (FIFO would put him 9th).
    assert finished.index("bob") <= 3, finished


def test_rate_limit_keys_on_the_browser_id_and_caps_the_address() -> None:
    app = FastAPI()

    @app.get("/api/ping")
    async def ping() -> str:
        return "pong"

    limited = IdentifyClient(RateLimit(app, per_minute=2, ids_per_address=3))

    async def statuses(peer: str, browser: str | None, count: int) -> list[int]:
        headers = {"X-Playground-Client": browser} if browser else {}
        async with asgi_client(limited, peer) as client:
            return [
                (await client.get("/api/ping", headers=headers)).status_code for _ in range(count)
            ]

    async def scenario() -> None:
        # Two students behind one address: a bucket each.
        assert await statuses("192.0.2.1", ALICE, 3) == [200, 200, 429]
        assert await statuses("192.0.2.1", BOB, 3) == [200, 200, 429]
        # Rotating ids: the address as a whole stops at 3 x 2 = 6 (4 used above).
        rotated = [(await statuses("192.0.2.1", f"rotating-id-{i:08d}", 1))[0] for i in range(4)]
        assert rotated == [200, 200, 429, 429]
        # Without an id the address is the client; another address is untouched.
        assert await statuses("192.0.2.2", None, 3) == [200, 200, 429]
        assert await statuses("192.0.2.3", ALICE, 1) == [200]

    started = time.monotonic()
    asyncio.run(scenario())
    assert time.monotonic() - started < 60  # all inside one rate window
