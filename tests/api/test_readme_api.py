"""The README's API examples (curl and httpx) run against a live server."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import torch

from tests.api.live_server import LiveServer

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"


def api_section_block(language: str) -> str:
    section = README.read_text(encoding="utf-8").split("## API", 1)[1].split("\n## ")[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, f"expected one {language} block in the API section"
    return str(blocks[0])


def test_httpx_example_prints_the_gradient_torch_computes(server: LiveServer) -> None:
    code = api_section_block("python").replace(DOCUMENTED_URL, server.url)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        exec(compile(code, "README.md", "exec"), {})
    first_line = stdout.getvalue().splitlines()[0]
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(torch.tensor([0.1, 1.0, 0.0001]))
    assert x.grad is not None
    assert first_line == f"True {x.grad.tolist()}"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_example_prints_x_grad_of_the_seed_program(server: LiveServer) -> None:
    command = api_section_block("bash").replace(DOCUMENTED_URL, server.url)
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    x = torch.ones(2, 2, requires_grad=True)
    ((x + 2) * (x + 2) * 3).mean().backward()
    assert x.grad is not None
    assert str(x.grad) in done.stdout
    assert str(x.grad.tolist()) in done.stdout
