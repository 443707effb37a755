"""backward, autograd.grad, autograd.functional, gradcheck, nn modules and optimizers through
the surface, compared with the same calls in real torch."""

from __future__ import annotations

import warnings

import pytest
import torch

from app.runner import run_program
from app.sandbox import torch_surface
from app.sandbox.errors import LimitExceeded, SandboxViolation
from app.sandbox.limits import Limits
from app.sandbox.sanitize import sanitize_message
from app.sandbox.surface import warn_once
from tests.unit.sandbox.surface_driver import SurfaceDriver, same_error


def test_backward_reaches_the_observer_with_torchs_arguments() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 3, requires_grad=True)
    y = p.op("*", x, 2)
    gradient = torch.tensor([0.1, 1.0, 0.0001])
    p.method(y, "backward", gradient, retain_graph=True)
    call = p.observer.backward_calls[-1]
    assert call["tensors"] == [y]
    assert call["grad_tensors"] == [gradient]
    assert call["retain_graph"] is True
    assert call["create_graph"] is False
    assert call["inputs"] is None
    assert torch.equal(x.grad, gradient * 2)


def test_gradients_accumulate_and_inputs_restricts_like_torch() -> None:
    p = SurfaceDriver()
    a = p.torch("ones", 2, requires_grad=True)
    b = p.torch("ones", 2, requires_grad=True)
    out = p.method(p.op("*", a, b), "sum")
    p.method(out, "backward", retain_graph=True)
    p.method(out, "backward", inputs=[a])

    ra, rb = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    rout = (ra * rb).sum()
    rout.backward(retain_graph=True)
    rout.backward(inputs=[ra])
    assert torch.equal(a.grad, ra.grad)
    assert torch.equal(b.grad, rb.grad)


def test_torch_autograd_backward_with_tensor_lists() -> None:
    p = SurfaceDriver()
    x = p.torch("tensor", [1.0, 2.0], requires_grad=True)
    y1, y2 = p.method(x, "sum"), p.method(p.op("*", x, x), "sum")
    p.torch("autograd.backward", [y1, y2], grad_tensors=[torch.tensor(1.0), torch.tensor(2.0)])
    rx = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.backward(
        [rx.sum(), (rx * rx).sum()], grad_tensors=[torch.tensor(1.0), torch.tensor(2.0)]
    )
    assert torch.equal(x.grad, rx.grad)


def test_autograd_grad_create_graph_gives_second_derivatives_like_torch() -> None:
    p = SurfaceDriver()
    x = p.torch("tensor", [1.5, -2.0], requires_grad=True)
    y = p.method(p.op("**", x, 3), "sum")
    (first,) = p.torch("autograd.grad", y, x, create_graph=True)
    (second,) = p.torch("autograd.grad", p.method(first, "sum"), x)

    rx = torch.tensor([1.5, -2.0], requires_grad=True)
    (rfirst,) = torch.autograd.grad((rx**3).sum(), rx, create_graph=True)
    (rsecond,) = torch.autograd.grad(rfirst.sum(), rx)
    assert torch.equal(first, rfirst)
    assert torch.equal(second, rsecond)
    assert x.grad is None  # grad() does not touch .grad
    assert len(p.observer.grad_calls) == 2


def test_autograd_grad_unused_input_errors_and_allow_unused() -> None:
    p = SurfaceDriver()
    a = p.torch("ones", 2, requires_grad=True)
    b = p.torch("ones", 2, requires_grad=True)
    y = p.method(a, "sum")
    ra, rb = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    ry = ra.sum()
    same_error(
        lambda: p.torch("autograd.grad", y, [a, b], retain_graph=True),
        lambda: torch.autograd.grad(ry, [ra, rb], retain_graph=True),
    )
    assert p.torch("autograd.grad", y, [a, b], allow_unused=True)[1] is None
    materialized = p.torch("autograd.grad", p.method(a, "sum"), [a, b], materialize_grads=True)
    expected = torch.autograd.grad(ra.sum(), [ra, rb], materialize_grads=True)
    assert all(torch.equal(g, e) for g, e in zip(materialized, expected, strict=True))


def test_backward_empty_inputs_error_is_torchs() -> None:
    p = SurfaceDriver()
    y = p.method(p.torch("ones", 2, requires_grad=True), "sum")
    same_error(
        lambda: p.method(y, "backward", inputs=[]),
        lambda: torch.ones(2, requires_grad=True).sum().backward(inputs=[]),
    )


def test_jacobian_and_hessian_of_torch_functions_match_torch() -> None:
    p = SurfaceDriver()
    x = torch.tensor([0.3, -1.2, 2.0])
    jacobian = p.torch("autograd.functional.jacobian", p.path("torch.exp"), x)
    hessian = p.torch("autograd.functional.hessian", p.path("torch.norm"), x)
    assert torch.equal(jacobian, torch.autograd.functional.jacobian(torch.exp, x))
    assert torch.equal(hessian, torch.autograd.functional.hessian(torch.norm, x))


@pytest.mark.parametrize("name", ["vjp", "jvp"])
def test_vjp_and_jvp_match_torch(name: str) -> None:
    p = SurfaceDriver()
    x, v = torch.tensor([0.3, -1.2, 2.0]), torch.tensor([1.0, 0.5, -2.0])
    output, product = p.torch(f"autograd.functional.{name}", p.path("torch.sin"), x, v)
    real_output, real_product = getattr(torch.autograd.functional, name)(torch.sin, x, v)
    assert torch.equal(output, real_output)
    assert torch.equal(product, real_product)


def test_jacobian_refuses_vectorize_and_oversized_results() -> None:
    p = SurfaceDriver(Limits(tensor_elements=1_000))
    with pytest.raises(SandboxViolation, match="vectorize"):
        p.torch("autograd.functional.jacobian", p.path("torch.exp"), torch.ones(3), vectorize=True)
    with pytest.raises(LimitExceeded):
        p.torch("autograd.functional.jacobian", p.path("torch.exp"), torch.ones(100))
    with pytest.raises(LimitExceeded):
        p.torch("autograd.functional.hessian", p.path("torch.sum"), torch.ones(100))


def test_gradcheck_in_float64() -> None:
    p = SurfaceDriver()
    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert p.torch("autograd.gradcheck", p.path("torch.sin"), (x,)) is True
    with pytest.raises(SandboxViolation):
        p.torch("autograd.gradcheck", p.path("torch.sin"), (x,), check_batched_grad=True)


def test_linear_sequential_and_sgd_training_step_match_torch() -> None:
    p = SurfaceDriver()
    p.torch("manual_seed", 0)
    model = p.torch("nn.Sequential", p.torch("nn.Linear", 3, 4), p.torch("nn.Tanh"))
    optimizer = p.torch("optim.SGD", p.method(model, "parameters"), lr=0.1, momentum=0.9)
    inputs = p.torch("randn", 5, 3)
    for _ in range(2):
        p.method(optimizer, "zero_grad")
        loss = p.call(p.torch("nn.MSELoss"), p.call(model, inputs), p.torch("zeros", 5, 4))
        p.method(loss, "backward")
        p.method(optimizer, "step")

    torch.manual_seed(0)
    rmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh())
    roptimizer = torch.optim.SGD(rmodel.parameters(), lr=0.1, momentum=0.9)
    rinputs = torch.randn(5, 3)
    for _ in range(2):
        roptimizer.zero_grad()
        rloss = torch.nn.MSELoss()(rmodel(rinputs), torch.zeros(5, 4))
        rloss.backward()
        roptimizer.step()

    assert torch.equal(loss, rloss)
    first = torch_surface.get_item(model, 0, p.ctx)
    assert torch.equal(p.attr(first, "weight"), rmodel[0].weight)
    assert torch.equal(p.attr(first, "bias"), rmodel[0].bias)


def test_adam_step_and_named_parameters_match_torch() -> None:
    p = SurfaceDriver()
    p.torch("manual_seed", 1)
    layer = p.torch("nn.Linear", 2, 1)
    optimizer = p.torch("optim.Adam", p.method(layer, "parameters"), lr=0.01)
    loss = p.method(p.call(layer, p.torch("ones", 3, 2)), "sum")
    p.method(loss, "backward")
    p.method(optimizer, "step")

    torch.manual_seed(1)
    rlayer = torch.nn.Linear(2, 1)
    roptimizer = torch.optim.Adam(rlayer.parameters(), lr=0.01)
    rlayer(torch.ones(3, 2)).sum().backward()
    roptimizer.step()

    names = [name for name, _ in torch_surface.iterate(p.method(layer, "named_parameters"), p.ctx)]
    assert names == [name for name, _ in rlayer.named_parameters()]
    assert torch.equal(p.attr(layer, "weight"), rlayer.weight)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("cross_entropy", (torch.tensor([[1.0, 2.0, 0.5]]), torch.tensor([1]))),
        ("nll_loss", (torch.log_softmax(torch.tensor([[1.0, 2.0, 0.5]]), 1), torch.tensor([2]))),
        ("mse_loss", (torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))),
        ("l1_loss", (torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))),
        ("binary_cross_entropy", (torch.tensor([0.2, 0.7]), torch.tensor([0.0, 1.0]))),
        ("binary_cross_entropy_with_logits", (torch.tensor([0.2, 0.7]), torch.tensor([0.0, 1.0]))),
        ("leaky_relu", (torch.tensor([-1.0, 2.0]),)),
        ("gelu", (torch.tensor([-1.0, 2.0]),)),
        ("log_softmax", (torch.tensor([-1.0, 2.0]), 0)),
        ("linear", (torch.ones(2, 3), torch.ones(4, 3), torch.ones(4))),
    ],
)
def test_functional_matches_torch(name: str, args: tuple[torch.Tensor, ...]) -> None:
    p = SurfaceDriver()
    got = p.torch(f"nn.functional.{name}", *args)
    assert torch.equal(got, getattr(torch.nn.functional, name)(*args))


def test_optimizer_parameter_groups_take_parameter_generators() -> None:
    p = SurfaceDriver()
    p.torch("manual_seed", 2)
    layer = p.torch("nn.Linear", 2, 1)
    groups = [{"params": p.method(layer, "parameters"), "lr": 0.5}]
    optimizer = p.torch("optim.SGD", groups, lr=0.1)
    p.method(p.method(p.call(layer, p.torch("ones", 1, 2)), "sum"), "backward")
    p.method(optimizer, "step")

    torch.manual_seed(2)
    rlayer = torch.nn.Linear(2, 1)
    roptimizer = torch.optim.SGD([{"params": rlayer.parameters(), "lr": 0.5}], lr=0.1)
    rlayer(torch.ones(1, 2)).sum().backward()
    roptimizer.step()
    assert torch.equal(p.attr(layer, "weight"), rlayer.weight)


def test_create_graph_warning_shows_once_in_every_run() -> None:
    # Shown once per run, at its first line, as a fresh Python shows it once per process.
    source = (
        "import torch\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "(x * x).sum().backward(create_graph=True)\n"
        "y = torch.ones(2, requires_grad=True)\n"
        "(y * y).sum().backward(create_graph=True)\n"
        "(torch.ones(2, requires_grad=True) * 2).backward(create_graph=True)\n"
    )
    learned = warn_once.BACKWARD_CREATE_GRAPH  # torch's own text, captured from torch
    assert learned is not None
    for _ in range(2):
        result = run_program(source, capture=False)
        assert result["error"]["line"] == 6
        assert [(w["message"], w["line"]) for w in result["warnings"]] == [
            (sanitize_message(learned[0]), 3)
        ]


def test_create_graph_warning_is_not_shown_when_torch_fails_before_the_engine() -> None:
    p = SurfaceDriver()
    non_scalar = p.op("*", p.torch("ones", 2, requires_grad=True), 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(RuntimeError):
            p.method(non_scalar, "backward", create_graph=True)
    assert caught == []
