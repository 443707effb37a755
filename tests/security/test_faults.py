"""Faults from outside: slow clients, clients that vanish mid-run, garbage on the wire.

Each fault is provoked against the live server, then an honest program must still get the
right answer (computed here with real torch).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import torch

from tests.security.conftest import LiveServer, serve

CHAIN_RULE = (
    "import torch\nx = torch.ones(2, 2, requires_grad=True)\ny = x + 2\n"
    "z = y * y * 3\nout = z.mean()\nout.backward()\n"
)
SLOW_PROGRAM = "s = 0\nfor i in range(90000):\n    s = s + i\n"


def chain_rule_grad() -> list[list[float]]:
    x = torch.ones(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad is not None
    return x.grad.tolist()


def assert_honest_run_is_right(server: LiveServer) -> None:
    response = httpx.post(server.url + "/api/v1/run", json={"source": CHAIN_RULE}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["variables"]["x"]["grad"] == chain_rule_grad()


def raw_connection(server: LiveServer) -> socket.socket:
    address = urlparse(server.url)
    assert address.hostname is not None and address.port is not None
    return socket.create_connection((address.hostname, address.port), timeout=5)


def test_slow_clients_do_not_block_others(live_server: LiveServer) -> None:
    slow = [raw_connection(live_server) for _ in range(20)]
    try:
        for conn in slow:
            conn.sendall(
                b"POST /api/v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"source": "x = '
            )
        started = time.monotonic()
        assert_honest_run_is_right(live_server)
        assert time.monotonic() - started < 10
    finally:
        for conn in slow:
            conn.close()


def test_client_that_disconnects_mid_run_loses_only_its_own_answer(
    live_server: LiveServer,
) -> None:
    def vanish() -> None:
        with contextlib.suppress(httpx.TimeoutException):
            httpx.post(live_server.url + "/api/v1/run", json={"source": SLOW_PROGRAM}, timeout=0.2)

    threads = [threading.Thread(target=vanish) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(3):
        assert_honest_run_is_right(live_server)
    # And no worker was lost on the way: both back and ready.
    ends = time.monotonic() + 15
    while len(worker_pids(live_server)) != 2 or not _ready_with(live_server, 2):
        assert time.monotonic() < ends, worker_pids(live_server)
        time.sleep(0.1)


def _ready_with(server: LiveServer, workers: int) -> bool:
    ready = httpx.get(server.url + "/readyz", timeout=5)
    return ready.status_code == 200 and ready.json()["workers"] == workers


def test_garbage_requests_get_http_errors_not_crashes(live_server: LiveServer) -> None:
    url = live_server.url + "/api/v1/run"
    assert httpx.post(url, content=b"\x00\xff not json", timeout=10).status_code == 422
    headers = {"Content-Type": "application/json"}
    assert httpx.post(url, content=b"[1, 2", headers=headers, timeout=10).status_code == 422
    assert httpx.post(url, json={"source": 5}, timeout=10).status_code == 422
    assert httpx.post(url, json={"seed": 1}, timeout=10).status_code == 422
    huge = {"source": "x = 1\n" + "#" * (2 * 1024 * 1024)}
    assert httpx.post(url, json=huge, timeout=30).status_code == 413
    conn = raw_connection(live_server)
    try:
        conn.sendall(b"\x16\x03\x01 definitely not http\r\n\r\n")
        conn.recv(1024)
    except OSError:
        pass
    finally:
        conn.close()
    assert_honest_run_is_right(live_server)


# -- faults inside the pool: a worker killed from outside, a worker out of memory ---------------

ENDLESS = "x = 0\nwhile True:\n    x = x + 1\n"
# Lists stay under limits.list_length each, but nothing bounds their total: each iteration
# allocates ~4 MB of int objects, so this reaches the worker's RLIMIT_AS (worker_memory_mb).
MEMORY_HOG = "a = []\nfor k in range(5000):\n    a.append(list(range(10**6, 10**6 + 100000)))\n"
CLEAR_MEMORY_ERRORS = {"MemoryError", "LimitExceeded", "WorkerCrashed"}


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        # Threads come and go while we look (the server's executor threads): skip those gone.
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def worker_pids(server: LiveServer) -> list[int]:
    """The server's run workers: children of its zygote (found through /proc)."""
    for child in _children(server.process.pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if b"app.workers.zygote" in cmdline:
            return sorted(_children(child))
    raise AssertionError("no zygote process under the server")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def busiest_worker(server: LiveServer, within: float = 3.0) -> int:
    """The worker burning CPU right now (the one running the endless loop)."""
    ends = time.monotonic() + within
    while time.monotonic() < ends:
        pids = worker_pids(server)
        before = {pid: cpu_ticks(pid) for pid in pids}
        time.sleep(0.25)
        deltas = {
            pid: cpu_ticks(pid) - before[pid] for pid in pids if Path(f"/proc/{pid}").exists()
        }
        if deltas and max(deltas.values()) >= 3:
            return max(deltas, key=lambda pid: deltas[pid])
    raise AssertionError("no worker is running the endless loop")


def in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(target()))
    thread.start()
    return thread, box


def honest_runs(server: LiveServer, count: int) -> list[bool]:
    want = chain_rule_grad()
    answers = []
    with httpx.Client(timeout=30) as client:
        for _ in range(count):
            response = client.post(server.url + "/api/v1/run", json={"source": CHAIN_RULE})
            answers.append(
                response.status_code == 200 and response.json()["variables"]["x"]["grad"] == want
            )
    return answers


def wait_for_full_pool(server: LiveServer, without: int, seconds: float = 15.0) -> list[int]:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        pids = worker_pids(server)
        if len(pids) == 2 and without not in pids:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"the pool was not refilled: {worker_pids(server)}")


def test_worker_killed_mid_run_fails_only_its_own_request() -> None:
    # A server of its own whose step budget cannot end the loop first: it runs until killed.
    limits = {"PLAYGROUND_LIMITS__STEPS": str(10**9), "PLAYGROUND_LIMITS__SECONDS": "20"}
    with serve(limits) as server:
        victim, victim_box = in_thread(
            lambda: httpx.post(server.url + "/api/v1/run", json={"source": ENDLESS}, timeout=60)
        )
        pid = busiest_worker(server)
        honest, honest_box = in_thread(lambda: honest_runs(server, 8))
        time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        victim.join(60)
        honest.join(60)
        response = victim_box[0]
        assert response.status_code == 200, response.text
        error = response.json()["error"]
        assert error["type"] == "WorkerCrashed", error
        assert "crashed" in error["message"] and str(pid) not in error["message"], error
        assert honest_box[0] == [True] * 8
        assert server.process.poll() is None
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
        wait_for_full_pool(server, without=pid)
        assert_honest_run_is_right(server)


def test_worker_that_exhausts_its_memory() -> None:
    # A server of its own with a small address space (torch maps ~600 MiB of it), so the hog
    # reaches RLIMIT_AS within its deadline even on a loaded machine, and an item budget too
    # large to stop the hog first (the default one would: that is the corpus' mem-* entries).
    limits = {
        "PLAYGROUND_WORKER_MEMORY_MB": "1024",
        "PLAYGROUND_LIMITS__SECONDS": "10",
        "PLAYGROUND_LIMITS__LIST_LENGTH": "1000000",
    }
    with serve(limits) as server:
        hog, hog_box = in_thread(
            lambda: httpx.post(server.url + "/api/v1/run", json={"source": MEMORY_HOG}, timeout=60)
        )
        honest = honest_runs(server, 8)
        hog.join(60)
        response = hog_box[0]
        assert response.status_code == 200, response.text
        error = response.json()["error"]
        assert honest == [True] * 8
        assert server.process.poll() is None
        assert_honest_run_is_right(server)
        assert_honest_run_is_right(server)
        assert error is not None
        assert error["type"] != "Timeout", "the run did not reach RLIMIT_AS within its deadline"
        assert error["type"] in CLEAR_MEMORY_ERRORS, error
        assert "memory" in error["message"].lower(), error
