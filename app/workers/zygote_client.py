"""The web process's handle on the zygote process: start it, ask it to fork, stop it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.config import Settings
from app.workers.framing import HEADER, MAX_FRAME_BYTES, TAG_RESULT, FrameError

# Importing torch on a loaded 2-core machine can take many seconds; beyond this something is wrong.
STARTUP_TIMEOUT_SECONDS = 180.0
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ZygoteError(Exception):
    """The zygote could not be started or stopped answering."""


class ZygoteClient:
    """One zygote process and its control socket; forks are serialised by a lock."""

    def __init__(self, process: subprocess.Popen[bytes], control: socket.socket) -> None:
        self._process = process
        self._control = control
        self._lock = asyncio.Lock()
        self.info: dict[str, Any] = {}

    @classmethod
    async def start(cls, settings: Settings, jobs_module: str) -> ZygoteClient:
        """Start a zygote and wait until it has imported and warmed up the core."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # Started from the event loop's (main) thread: the zygote's parent-death signal is tied
        # to the thread that forked it.
        process = subprocess.Popen(
            [sys.executable, "-m", "app.workers.zygote", str(theirs.fileno()), jobs_module],
            stdin=subprocess.PIPE,
            pass_fds=[theirs.fileno()],
            cwd=PROJECT_ROOT,
        )
        theirs.close()
        assert process.stdin is not None
        process.stdin.write(settings.model_dump_json().encode())
        process.stdin.close()
        ours.setblocking(False)
        client = cls(process, ours)
        try:
            client.info = await asyncio.wait_for(client._read_reply(), STARTUP_TIMEOUT_SECONDS)
        except (asyncio.TimeoutError, ZygoteError) as error:
            client.stop_now()
            raise ZygoteError(f"the worker zygote did not start: {error}") from error
        return client

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    async def fork(self, worker_socket: socket.socket) -> int:
        """Fork a worker that serves jobs on `worker_socket`; return its pid."""
        async with self._lock:
            try:
                socket.send_fds(self._control, [b"F"], [worker_socket.fileno()])
            except OSError as error:
                raise ZygoteError(f"cannot reach the zygote: {error}") from error
            finally:
                worker_socket.close()
            reply = await self._read_reply()
        return int(reply["pid"])

    async def _read_reply(self) -> dict[str, Any]:
        header = await self._read_exactly(HEADER.size)
        size, tag = HEADER.unpack(header)
        if tag != TAG_RESULT or size > MAX_FRAME_BYTES:
            raise FrameError("unexpected frame from the zygote")
        reply: dict[str, Any] = json.loads(await self._read_exactly(size))
        return reply

    async def _read_exactly(self, size: int) -> bytes:
        loop = asyncio.get_running_loop()
        data = bytearray()
        while len(data) < size:
            chunk = await loop.sock_recv(self._control, size - len(data))
            if not chunk:
                raise ZygoteError(f"the zygote exited (status {self._process.poll()})")
            data += chunk
        return bytes(data)

    async def stop(self, timeout: float = 5.0) -> None:
        """Ask the zygote to exit (closing its control socket), then make sure it did."""
        self._control.close()
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.run_in_executor(None, self._process.wait), timeout)
        except asyncio.TimeoutError:  # not the builtin before 3.11
            self.stop_now()

    def stop_now(self) -> None:
        """Kill the zygote without waiting for it to finish anything."""
        with contextlib.suppress(OSError):
            self._control.close()
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
