"""Who the client is: the one rule read by fair scheduling and by the rate limiter.

A client has an *address* and, when its browser sent one, an anonymous *browser id*:

* The address is the TCP peer, or, when the peer is a trusted proxy, the address the proxies
  recorded in `X-Forwarded-For` (read from the right, skipping trusted proxies: the left part is
  written by the client and cannot be believed).
* The browser id is a random token the page keeps in localStorage and sends as
  `X-Playground-Client` (`static/js/api.js`). It makes 300 students behind one NAT address 300
  clients to the fair scheduler, while one script flooding with one id stays one client.

The id is chosen by the client, so it is trusted only as far as a lie costs nothing to others:
fair scheduling keys on `address + id` (a liar can only split itself into more clients of the
same address, each of which still waits its turn behind the admission budget), and the rate
limiter keeps a bucket per `address + id` *and* a larger one per address
(`Settings.rate_limit_ids_per_address` times the per-client rate), so rotating ids buys at most
the address's bucket, never an unlimited rate.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from app.workers.fair_queue import UNKNOWN_CLIENT, current_client

BROWSER_ID_HEADER = b"x-playground-client"
# What the page generates: 16-64 URL-safe characters. Anything else is ignored, not refused.
_BROWSER_ID = re.compile(rb"[A-Za-z0-9_-]{16,64}")

Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class ClientIdentity:
    """The client of one request."""

    address: str
    browser_id: str | None = None

    @property
    def key(self) -> str:
        """The fair-scheduling and per-client rate-limit key."""
        return f"{self.address}#{self.browser_id}" if self.browser_id else self.address


def parse_networks(entries: Iterable[str]) -> Networks:
    """Addresses or CIDR blocks (`10.0.0.0/8`) of trusted proxies."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _in(address: str, networks: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Networks) -> str:
    """The client's address: the peer, or what trusted proxies recorded (see the module doc)."""
    if peer is None:
        return UNKNOWN_CLIENT
    if not forwarded_for or not _in(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return hops[0] if hops else peer


def identify(scope: Scope, trusted: Networks) -> ClientIdentity:
    """The identity of an HTTP request's client, from its ASGI scope."""
    peer = scope.get("client")
    forwarded: list[str] = []
    browser_id = None
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for" and trusted:
            forwarded.append(value.decode("latin-1"))
        elif name == BROWSER_ID_HEADER and _BROWSER_ID.fullmatch(value):
            browser_id = value.decode("ascii")
    address = client_address(peer[0] if peer else None, ",".join(forwarded) or None, trusted)
    return ClientIdentity(address, browser_id)


def identity_of(scope: Scope) -> ClientIdentity:
    """The identity `IdentifyClient` stored for this request (the peer if it did not run)."""
    identity = scope.get("state", {}).get("client_identity")
    if isinstance(identity, ClientIdentity):
        return identity
    return identify(scope, ())


class IdentifyClient:
    """ASGI middleware: name the client once per request, for the rate limiter and the pool.

    The identity goes into `scope["state"]` (read by `RateLimit`) and its key into the
    `current_client` context variable (read by the worker pool's fair queue).
    """

    def __init__(self, app: ASGIApp, trusted_proxies: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        identity = identify(scope, self.trusted)
        scope.setdefault("state", {})["client_identity"] = identity
        token = current_client.set(identity.key)
        try:
            await self.app(scope, receive, send)
        finally:
            current_client.reset(token)
