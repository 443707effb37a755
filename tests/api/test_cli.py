"""`autograd-playground run` and `serve` as processes: output, exit codes, clean shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.examples import get_example
from tests.api.live_server import free_port
from tests.api.oracle import assert_same_values, run_with_torch

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "app.cli"]


def chain_rule() -> str:
    example = get_example("chain-rule")
    assert example is not None
    return example.source


def test_run_prints_what_real_torch_prints(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(chain_rule())
    done = subprocess.run(
        [*CLI, "run", str(program)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == run_with_torch(chain_rule())["__stdout__"]


def test_run_json_is_the_run_result(tmp_path: Path) -> None:
    source = "import torch\nx = torch.randn(3, requires_grad=True)\n(x * x).sum().backward()\n"
    program = tmp_path / "program.py"
    program.write_text(source)
    done = subprocess.run(
        [*CLI, "run", str(program), "--json", "--seed", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["seed"] == 5
    assert_same_values(result["variables"]["x"]["grad"], run_with_torch(source, seed=5)["x"].grad)


def test_run_of_a_failing_program_exits_1_with_the_error(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text("import torch\nx = torch.ones(3, requires_grad=True)\nx.backward()\n")
    done = subprocess.run(
        [*CLI, "run", str(program)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 1
    last_line = done.stderr.splitlines()[-1]
    assert last_line.startswith("RuntimeError (line 3): grad can be implicitly created"), last_line


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(gone(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if not gone(p)]


@contextmanager
def serving() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = {**os.environ, "PLAYGROUND_WORKERS": "2", "PLAYGROUND_PORT": str(port)}
    process = subprocess.Popen([*CLI, "serve"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, "serve exited"
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not get ready"
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_shuts_down_its_workers_gracefully(how: signal.Signals) -> None:
    with serving() as (process, url):
        r = httpx.post(f"{url}/api/v1/run", json={"source": chain_rule()}, timeout=60)
        assert r.status_code == 200, r.text
        children = descendants(process.pid)
        assert len(children) == 3  # the zygote and two workers
        process.send_signal(how)
        # uvicorn re-raises the signal after its graceful shutdown.
        assert process.wait(timeout=30) in (0, -how)
        assert wait_gone(children) == []


def test_no_process_outlives_a_killed_server() -> None:
    with serving() as (process, _url):
        children = descendants(process.pid)
        process.kill()
        process.wait()
        # The zygote has a parent-death signal; workers exit when their socket closes.
        assert wait_gone(children) == []
