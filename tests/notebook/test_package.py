"""autograd_playground without a kernel: options, runs in the warm worker, watch(), show(), the
HTML fallback. Real PyTorch is the reference for every gradient watch() reports."""

from __future__ import annotations

import dataclasses
import json
import re
import time
import warnings
from collections.abc import Iterator

import pytest
import torch

import autograd_playground as ag
from app.config import Settings
from autograd_playground import render
from autograd_playground._pool import KernelPool, kernel_pool
from autograd_playground.kernel_state import KernelState
from autograd_playground.magic import parse_line
from tests.support.server_process import serve_app

SEED_PROGRAM = """import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
print(x.grad)
"""


# -- options -----------------------------------------------------------------------------------


def test_magic_options_become_run_keywords() -> None:
    options = parse_line('--seed 3 --backward y --gradient "[0.1, 1.0, 0.0001]" --lang ko')
    assert options == {
        "seed": 3,
        "backward": "y",
        "gradient": [0.1, 1.0, 0.0001],
        "jacobian": None,
        "lang": "ko",
        "server": None,
    }
    assert parse_line("--jacobian y:x")["jacobian"] == "y:x"


@pytest.mark.parametrize(
    "line",
    ["--gradient [1,", "--lang fr", "--seed many", "--unknown 1"],
)
def test_wrong_magic_options_are_refused_in_both_languages(line: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_line(line)
    assert re.search(r"[가-힣]", str(refused.value)) and re.search(r"[a-z]{3}", str(refused.value))


@pytest.mark.parametrize(
    ("keywords", "words"),
    [
        ({"gradient": [1.0]}, "--backward"),
        ({"jacobian": "yx"}, "OUTPUT:INPUT"),
        ({"lang": "fr"}, "lang"),
        ({"server": "file:///etc/passwd"}, "http(s)"),
    ],
)
def test_wrong_run_arguments_are_refused_before_any_run(keywords: dict, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        ag.run("x = 1", **keywords)


# -- runs in the kernel's worker ---------------------------------------------------------------


def test_run_uses_the_sandbox_in_one_reused_worker_and_leaves_the_kernel_alone() -> None:
    torch.manual_seed(1234)
    torch.set_printoptions(precision=2)
    try:
        before = KernelState.now()
        first = ag.run(SEED_PROGRAM, seed=7)
        pids = kernel_pool().worker_pids
        second = ag.run("import torch\nprint(torch.randn(2))", seed=7)
        assert KernelState.now() == before
        assert kernel_pool().worker_pids == pids and len(pids) == 1
    finally:
        torch.set_printoptions(profile="default")
    assert first.ok and first.grad("x") == [[4.5, 4.5], [4.5, 4.5]]
    assert "4.5000" in first.stdout
    assert first["seed"] == 7
    # The seed is the run's: the sandbox draws what torch draws after manual_seed(7).
    torch_state = torch.get_rng_state()
    torch.manual_seed(7)
    expected = torch.randn(2)
    torch.set_rng_state(torch_state)
    printed = [float(n) for n in re.findall(r"-?\d+\.\d+", second.stdout)]
    assert printed == pytest.approx(expected.tolist(), abs=1e-4)
    # What the sandbox refuses stays refused in a notebook.
    refused = ag.run("import os\nos.system('true')")
    assert not refused.ok and refused.error and refused.error["type"] == "SandboxViolation"


def test_backward_vector_and_jacobian_match_torch() -> None:
    source = "import torch\nx = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)\ny = x ** 3\n"
    result = ag.run(source, backward="y", gradient=[0.1, 1.0, 0.0001], jacobian="y:x")
    x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
    v = torch.tensor([0.1, 1.0, 0.0001])
    (x**3).backward(v)
    assert x.grad is not None
    assert result.grad("x") == pytest.approx(x.grad.tolist(), rel=1e-6)
    jacobian = torch.autograd.functional.jacobian(lambda t: t**3, x.detach())
    assert torch.allclose(torch.tensor(result["jacobian"]["matrix"]), jacobian, rtol=1e-6)


@pytest.fixture
def short_pool() -> Iterator[KernelPool]:
    settings = Settings().model_copy(update={"workers": 1, "queue_size": 2})
    limits = dataclasses.replace(settings.limits, seconds=0.5)
    pool = KernelPool(settings.model_copy(update={"limits": limits}))
    try:
        yield pool
    finally:
        pool.close()


def test_an_endless_cell_ends_at_the_deadline_and_the_next_one_runs(short_pool: KernelPool) -> None:
    started = time.monotonic()
    endless = short_pool.submit_run({"source": "while True:\n    pass\n", "seed": 0})
    waited = time.monotonic() - started
    assert endless["ok"] is False
    assert endless["error"]["type"] in {"Timeout", "LimitExceeded"}
    assert waited < 0.5 + short_pool.settings.deadline_grace_seconds + 1.0
    after = short_pool.submit_run({"source": "print(1 + 1)", "seed": 0})
    assert after["ok"] and after["stdout"] == "2\n"
    assert len(short_pool.worker_pids) == 1


def test_server_option_sends_the_cell_to_a_running_playground() -> None:
    with serve_app({"PLAYGROUND_WORKERS": "1"}) as server:
        remote = ag.run(SEED_PROGRAM, server=server.url)
    local = ag.run(SEED_PROGRAM)
    assert remote.ok and remote.grad("x") == local.grad("x") == [[4.5, 4.5], [4.5, 4.5]]
    assert remote["graph"]["nodes"] == local["graph"]["nodes"]


# -- watch() and show() ------------------------------------------------------------------------


def two_layer_net() -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(3)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    return net, torch.randn(5, 3, generator=generator), torch.randn(5, 1, generator=generator)


def train_step(net: torch.nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> tuple:
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    hidden = net[1](net[0](xb))
    loss = ((net[2](hidden) - yb) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    grads = [p.grad.clone() for p in net.parameters() if p.grad is not None]
    optimizer.step()
    return hidden, loss, grads


def test_watch_changes_nothing_the_code_sees_and_reports_torchs_gradients() -> None:
    plain_net, xb, yb = two_layer_net()
    plain_hidden, plain_loss, plain_grads = train_step(plain_net, xb, yb)
    net, xb, yb = two_layer_net()
    before = KernelState.now()
    with ag.watch() as w:
        hidden, loss, grads = train_step(net, xb, yb)
        assert w.hooks_alive == 0  # hooks live only during a backward call
    assert KernelState.now() == before
    assert w.hooks_alive == 0
    # Same values, same gradients, same updated parameters, bit for bit.
    assert torch.equal(hidden, plain_hidden) and torch.equal(loss, plain_loss)
    assert all(torch.equal(a, b) for a, b in zip(grads, plain_grads, strict=True))
    for watched, plain in zip(net.parameters(), plain_net.parameters(), strict=True):
        assert torch.equal(watched, plain)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert hidden.grad is None
    assert not hidden.retains_grad and hidden.grad_fn is not None
    # The recorded gradients are torch's: each parameter's node grad is its .grad.
    result = w.result
    assert result is not None
    nodes = {n["id"]: n for n in result["graph"]["nodes"]}
    parameters = dict(net.named_parameters())
    checked = 0
    for node in nodes.values():
        for name in node.get("names", []):
            if name.startswith("net."):
                expected = grads[list(parameters).index(name[len("net.") :])]
                assert torch.allclose(torch.tensor(node["grad"]), expected, rtol=1e-6)
                checked += 1
    assert checked == 4
    # dloss/dhidden, computed independently by torch, is what reached `hidden`.
    check_net, xb2, yb2 = two_layer_net()
    check_hidden = check_net[1](check_net[0](xb2))
    check_loss = ((check_net[2](check_hidden) - yb2) ** 2).mean()
    (expected_hidden,) = torch.autograd.grad(check_loss, check_hidden)
    (hidden_node,) = [n for n in nodes.values() if "hidden" in n.get("names", [])]
    assert torch.allclose(torch.tensor(hidden_node["grad"]), expected_hidden, rtol=1e-6)
    (call,) = result["backward_trace"]
    assert call["call"] == "backward" and len(call["steps"]) > 5


def test_watch_records_autograd_grad_and_show_draws_one_tensor() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with ag.watch() as w:
        y = (x * x).sum()
        (gx,) = torch.autograd.grad(y, x, retain_graph=True)
    assert torch.equal(gx, 2 * x.detach()) and x.grad is None
    # No hook outlived its call: a backward after the block adds no step to the record.
    steps = len(w._calls[0]["steps"])
    assert steps == 2  # SumBackward0, MulBackward0: autograd.grad never runs AccumulateGrad
    y.backward()
    assert len(w._calls[0]["steps"]) == steps and w.hooks_alive == 0
    assert w.result is not None
    assert [c["call"] for c in w.result["backward_trace"]] == ["autograd.grad"]
    shown = ag.show(y)
    names = {name for n in shown["graph"]["nodes"] for name in n.get("names", [])}
    assert {"x", "y"} <= names
    kinds = {n["name"] for n in shown["graph"]["nodes"] if n["kind"] == "function"}
    assert {"SumBackward0", "MulBackward0", "AccumulateGrad"} <= kinds


# -- the HTML fallback -------------------------------------------------------------------------


def test_the_fallback_is_self_contained_and_cannot_be_broken_out_of() -> None:
    hostile = {"ok": True, "stdout": "</script><script>alert(1)</script>", "graph": None}
    page = render.static_html(hostile)
    assert "http://" not in page and "https://" not in page
    assert "<script>alert(1)" not in page
    blob = re.search(r'-data">(.*?)</script>', page, re.S)
    assert blob is not None
    assert json.loads(blob.group(1))["result"]["stdout"] == hostile["stdout"]
    modules = render.modules()
    assert {"js/notebook-view.js", "js/graph-view.js", "js/inspector.js"} <= set(modules)
    assert "vendor/cytoscape-3.35.0/cytoscape.esm.min.js" in modules
    for path, text in modules.items():
        if path.startswith("js/"):
            for spec in re.findall(r"""from\s*['"](\.{1,2}/[^'"]+)['"]""", text):
                assert render._resolve(path, spec) in modules, (path, spec)
