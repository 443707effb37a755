"""The wheel is complete: built from this checkout, installed into a fresh venv outside it, its
`autograd-playground serve` answers `/` and `/docs` (static/ and templates/ travel in the wheel).

The fresh venv borrows torch and the other dependencies from the running interpreter's
site-packages through a .pth line (no download, and never another torch); `app` itself can only
come from the wheel: the checkout is neither the working directory nor on PYTHONPATH, and the
development venv's editable-install hook is not processed through a plain path line.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_CHECK = """
import autograd_playground as ag
from autograd_playground import render
program = "\\n".join([
    "import torch",
    "x = torch.ones(2, 2, requires_grad=True)",
    "out = ((x + 2) * (x + 2) * 3).mean()",
    "out.backward()",
])
result = ag.run(program)
print(ag.__file__)
print(result.grad("x"))
print(all(path in render.modules() for path in ("js/notebook-view.js", "js/graph-view.js")))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_wheel_serves_the_page_and_the_docs_outside_the_checkout(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".venv"),
    )
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            "-q",
        ],
        check=True,
        timeout=300,
    )
    wheel = next(wheels.glob("autograd_playground-*.whl"))
    target = tmp_path / "venv"
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "PLAYGROUND"))
    }
    env.update(PLAYGROUND_WORKERS="1", PLAYGROUND_LOG_FORMAT="text")
    where = subprocess.run(
        [str(python), "-c", "import app; print(app.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    ).stdout.strip()
    assert where.startswith(purelib), where  # the wheel's copy, not the checkout
    # The notebook package travels in the same wheel, and finds the page's modules inside it.
    notebook = subprocess.run(
        [str(python), "-c", NOTEBOOK_CHECK],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    ).stdout.splitlines()
    assert notebook[0].startswith(purelib), notebook
    assert notebook[1] == "[[4.5, 4.5], [4.5, 4.5]]", notebook
    assert notebook[2] == "True", notebook
    port = free_port()
    server = subprocess.Popen(
        [str(target / "bin" / "autograd-playground"), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        page = None
        while time.monotonic() < deadline:
            try:
                page = httpx.get(url + "/", timeout=5)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode() if server.stderr else "exited")
                time.sleep(0.5)
        assert page is not None and page.status_code == 200, page
        assert "<html" in page.text.lower()
        script = httpx.get(url + "/static/js/app.js", timeout=5)
        assert script.status_code == 200
        docs = httpx.get(url + "/docs", timeout=5)
        assert docs.status_code == 200 and "openapi" in docs.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
