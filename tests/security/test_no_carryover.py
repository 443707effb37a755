"""Nothing one run does reaches the next: values, RNG stream, grad mode, global settings."""

from __future__ import annotations

import httpx
import pytest

from tests.security.conftest import LiveServer

PROBE = (
    "import torch\n"
    "r = torch.randn(3)\n"
    "x = torch.ones(2, requires_grad=True)\n"
    "y = x * 2\n"
    "print(r, y.requires_grad, torch.ones(1).dtype, torch.tensor(1.0) / 3)\n"
)

POLLUTERS = {
    "consumes-rng": "import torch\nfor i in range(50):\n    a = torch.randn(100)\n",
    "reseeds": "import torch\ntorch.manual_seed(1234)\na = torch.rand(3)\n",
    "leaves-no-grad": "import torch\nwith torch.no_grad():\n    x = torch.ones(1)\n    y = 1 / 0\n",
    "set-grad-disabled": "import torch\nwith torch.set_grad_enabled(False):\n    z = [1][5]\n",
    "defines-names": "import torch\nsecret_value = torch.tensor([42.0])\nr = 7\n",
    "crashes-mid-run": "import torch\nx = torch.ones(3)\nwhile True:\n    x = x + 1\n",
}


def run(server: LiveServer, source: str, seed: int = 0) -> dict:
    response = httpx.post(
        server.url + "/api/v1/run", json={"source": source, "seed": seed}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("polluter", sorted(POLLUTERS))
def test_a_run_sees_nothing_of_the_previous_one(live_server: LiveServer, polluter: str) -> None:
    clean = run(live_server, PROBE)
    assert clean["ok"], clean["error"]
    # Both workers of the server run the polluter, so the probe cannot dodge it.
    for _ in range(4):
        run(live_server, POLLUTERS[polluter])
        after = run(live_server, PROBE)
        assert after["stdout"] == clean["stdout"]
        assert set(after["variables"]) == set(clean["variables"])


def test_a_name_from_an_earlier_run_is_undefined(live_server: LiveServer) -> None:
    for _ in range(4):
        run(live_server, POLLUTERS["defines-names"])
    result = run(live_server, "print(secret_value)\n")
    assert result["error"]["type"] == "NameError"
    assert result["error"]["message"] == "name 'secret_value' is not defined"


def test_torch_once_per_process_warnings_show_in_every_run(live_server: LiveServer) -> None:
    # torch warns about `x.T` on a vector once per process; each run must show it as a fresh
    # Python does (once, at its first line), on both workers, however often they ran it.
    source = "import torch\nx = torch.ones(3)\na = x.T\nb = x.T\n"
    seen = []
    for _ in range(4):
        result = run(live_server, source)
        assert result["ok"], result["error"]
        seen.append(
            [(w["category"], w["line"], "`x.T`" in w["message"]) for w in result["warnings"]]
        )
    assert seen == [[("UserWarning", 3, True)]] * 4


def test_a_complex_number_is_refused_in_every_run(live_server: LiveServer) -> None:
    # Issue 13: `(-1.0) ** 0.5` made a complex number; cast to real, torch's once-per-process
    # warning then showed in a worker's first run only.
    source = "import torch\na = -1.0\nt = torch.tensor([a ** 0.5]).float()\nprint(t)\n"
    for _ in range(4):
        result = run(live_server, source)
        assert result["error"]["type"] == "SandboxViolation"
        assert result["error"]["line"] == 3
        assert result["warnings"] == []
