"""Length-prefixed frames between the web process and its worker processes.

A frame is a 4-byte big-endian length, a 1-byte tag and the payload. Payloads are JSON, never
pickle: a worker runs untrusted programs, so nothing it sends may execute code when decoded.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any

HEADER = struct.Struct(">IB")
# A full RunResult of a 5000-node graph is a few MiB; anything far beyond is a broken worker.
MAX_FRAME_BYTES = 256 * 1024 * 1024

TAG_JOB = ord("J")
TAG_RESULT = ord("R")
TAG_FAILURE = ord("F")
# Sent just before a TAG_RESULT: {"outcome", "limit"} of that result, so the web process can
# count and log it without decoding the result itself.
TAG_SUMMARY = ord("S")
# Sent by a worker before a job's final frame: which phase of the job it is in (a check job says
# when the reference program starts), so that a kill or crash can be blamed on the right program.
TAG_PROGRESS = ord("P")


class FrameError(Exception):
    """The peer sent something that is not a valid frame."""


def encode_frame(tag: int, payload: bytes) -> bytes:
    """Prefix `payload` with its length and tag."""
    return HEADER.pack(len(payload), tag) + payload


# One encoder for every call (json.dumps with options builds a new one each time). No circular
# check: what is encoded here is plain data built fresh as a tree (a RunResult, an error, a job),
# and the check costs a dict insertion and deletion per container (6 % of encoding a large
# capture). The bytes are those of json.dumps with the same options.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), check_circular=False
)


def encode_json(value: Any) -> bytes:
    """Serialise plain data deterministically (same value → same bytes)."""
    return _ENCODER.encode(value).encode()


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            raise EOFError("peer closed the connection")
        chunks += chunk
    return bytes(chunks)


def recv_frame(sock: socket.socket) -> tuple[int, bytes]:
    """Read one frame from a blocking socket (the worker side)."""
    size, tag = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    if size > MAX_FRAME_BYTES:
        raise FrameError(f"frame of {size} bytes is larger than allowed")
    return tag, _recv_exactly(sock, size)


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Read one frame from a stream (the web process side)."""
    size, tag = HEADER.unpack(await reader.readexactly(HEADER.size))
    if size > MAX_FRAME_BYTES:
        raise FrameError(f"frame of {size} bytes is larger than allowed")
    return tag, await reader.readexactly(size)
