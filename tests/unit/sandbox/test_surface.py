"""The torch surface behaves exactly like torch: values, printing, grad_fn names, errors.

Every expected value comes from running the same thing in real torch in the test.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F

from app.runner import run_program
from app.sandbox import torch_surface
from app.sandbox.grad_fn_view import GradFnView
from app.sandbox.sanitize import sanitize_message
from app.sandbox.surface import warn_once
from tests.unit.sandbox.surface_driver import SurfaceDriver, real_float_tensor, same_error


def test_seed_program_chain_rule_prints_and_grads_like_torch() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2, 2, requires_grad=True)
    y = p.op("+", x, 2)
    z = p.op("*", p.op("*", y, y), 3)
    out = p.method(z, "mean")
    p.method(out, "backward")

    rx = torch.ones(2, 2, requires_grad=True)
    ry = rx + 2
    rz = ry * ry * 3
    rout = rz.mean()
    rout.backward()

    assert [torch_surface.to_str(v) for v in (x, y, z, out)] == [str(v) for v in (rx, ry, rz, rout)]
    assert torch_surface.to_str(p.attr(x, "grad")) == str(rx.grad)


def test_seed_program_vector_backward_matches_torch() -> None:
    p = SurfaceDriver()
    p.torch("manual_seed", 0)
    x = p.torch("randn", 3, requires_grad=True)
    y = p.op("*", x, 2)
    while torch_surface.truth(p.op("<", p.method(p.attr(y, "data"), "norm"), 1000), p.ctx):
        y = p.op("*", y, 2)
    gradients = p.torch("tensor", [0.1, 1.0, 0.0001], dtype=p.path("torch.float"))
    p.method(y, "backward", gradients)

    torch.manual_seed(0)
    rx = torch.randn(3, requires_grad=True)
    ry = rx * 2
    while ry.data.norm() < 1000:
        ry = ry * 2
    ry.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float))

    assert torch_surface.to_str(y) == str(ry)
    assert torch_surface.to_str(p.attr(x, "grad")) == str(rx.grad)


# (surface program, real program): each builds a tensor whose grad_fn is compared.
GRAD_FN_CASES: dict[str, tuple[Callable[[SurfaceDriver, Any], Any], Callable[[Any], Any]]] = {
    "add": (lambda p, x: p.op("+", x, 2), lambda x: x + 2),
    "mul": (lambda p, x: p.op("*", x, x), lambda x: x * x),
    "pow": (lambda p, x: p.op("**", x, 2), lambda x: x**2),
    "mean": (lambda p, x: p.method(x, "mean"), lambda x: x.mean()),
    "mean_dim": (lambda p, x: p.method(x, "mean", dim=0), lambda x: x.mean(dim=0)),
    "sum": (lambda p, x: p.method(x, "sum"), lambda x: x.sum()),
    "matmul": (lambda p, x: p.op("@", x, x), lambda x: x @ x),
    "T": (lambda p, x: p.attr(x, "T"), lambda x: x.T),
    "index": (lambda p, x: torch_surface.get_item(x, (0, 1), p.ctx), lambda x: x[0, 1]),
    "relu": (lambda p, x: p.torch("nn.functional.relu", x), lambda x: torch.relu(x)),
    "exp": (lambda p, x: p.torch("exp", x), lambda x: torch.exp(x)),
    "sigmoid": (lambda p, x: p.method(x, "sigmoid"), lambda x: x.sigmoid()),
    "view": (lambda p, x: p.method(x, "view", 4), lambda x: x.view(4)),
    "neg": (lambda p, x: torch_surface.unary_op("-", x, p.ctx), lambda x: -x),
}


def _names(node: Any) -> list[Any]:
    """The grad_fn graph as nested (name, [children]) for a real Node or a view."""
    if node is None:
        return [None]
    if isinstance(node, GradFnView):
        children = [(_names(child), index) for child, index in node.next_functions]
        return [node.name(), repr(node), children]
    children = [(_names(child), index) for child, index in node.next_functions]
    return [node.name(), f"<{type(node).__name__} object>", children]


@pytest.mark.parametrize("case", sorted(GRAD_FN_CASES))
def test_grad_fn_view_names_and_edges_equal_the_real_graph(case: str) -> None:
    surface_program, real_program = GRAD_FN_CASES[case]
    p = SurfaceDriver()
    x = p.torch("tensor", [[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    view = p.attr(surface_program(p, x), "grad_fn")
    real = real_program(torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)).grad_fn
    assert isinstance(view, GradFnView)
    assert _names(view) == _names(real)
    assert "0x" not in repr(view)


def test_grad_fn_view_offers_only_name_edges_and_leaf() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2, requires_grad=True)
    view = p.attr(p.op("*", x, 3), "grad_fn")
    assert p.call(p.attr(view, "name")) == "MulBackward0"
    accumulate = p.attr(view, "next_functions")[0][0]
    assert repr(accumulate) == "<AccumulateGrad object>"
    assert p.attr(accumulate, "variable") is x
    assert p.attr(view, "next_functions")[1] == (None, 0)
    assert p.attr(x, "grad_fn") is None


def test_printing_uses_torch_formatting_for_real_objects() -> None:
    p = SurfaceDriver()
    torch.manual_seed(3)
    real_model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    p.torch("manual_seed", 3)
    model = p.call(
        p.path("torch.nn.Sequential"),
        p.torch("nn.Linear", 3, 2),
        p.torch("nn.ReLU"),
    )
    x = p.torch("ones", 2, 3)
    assert torch_surface.to_str(model) == str(real_model)
    assert torch_surface.to_str(p.attr(x, "shape")) == str(torch.ones(2, 3).shape)
    assert torch_surface.to_repr(p.attr(x, "dtype")) == repr(torch.float32)
    assert torch_surface.to_str(p.method(x, "max", dim=1)) == str(torch.ones(2, 3).max(dim=1))
    param = p.attr(torch_surface.get_item(model, 0, p.ctx), "weight")
    torch.manual_seed(3)
    assert torch_surface.to_str(param) == str(torch.nn.Linear(3, 2).weight)


WRAPPER_REPRS: dict[str, Callable[[], Any]] = {
    "torch.ones": lambda: torch.ones,
    "torch.nn.functional.relu": lambda: F.relu,
    "torch.Tensor": lambda: torch.Tensor,
    "torch.nn.Linear": lambda: torch.nn.Linear,
    "torch.autograd.grad": lambda: torch.autograd.grad,
}


@pytest.mark.parametrize("dotted", sorted(WRAPPER_REPRS))
def test_wrappers_print_like_cpython_without_addresses(dotted: str) -> None:
    p = SurfaceDriver()
    shown = torch_surface.to_repr(p.path(dotted))
    assert shown == re.sub(r" at 0x[0-9a-f]+", "", repr(WRAPPER_REPRS[dotted]()))
    assert "0x" not in shown


def test_bound_methods_and_namespaces_print_without_addresses() -> None:
    p = SurfaceDriver()
    x, real = p.torch("ones", 2), torch.ones(2)
    for name in ("sum", "backward"):
        expected = re.sub(r" at 0x[0-9a-f]+", "", repr(getattr(real, name)))
        assert torch_surface.to_repr(p.attr(x, name)) == expected
    assert torch_surface.to_repr(p.module("torch.nn")) == "<module 'torch.nn'>"


def test_wrappers_and_real_objects_are_surface_values_plain_python_is_not() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2)
    for value in (
        x,
        p.attr(x, "shape"),
        p.attr(x, "dtype"),
        p.path("torch.nn"),
        p.path("torch.exp"),
    ):
        assert torch_surface.is_surface_value(value)
    for plain in (1, 2.0, "s", [1], (1,), {"a": 1}, None):
        assert not torch_surface.is_surface_value(plain)


REAL_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@pytest.mark.parametrize("symbol", sorted(REAL_OPERATORS))
def test_binary_operators_equal_torch_for_tensor_tensor_and_tensor_number(symbol: str) -> None:
    p = SurfaceDriver()
    a, b = real_float_tensor(2, 3), real_float_tensor(3) + 1
    for left, right in ((a, b), (a, 2.5), (3, b)):
        got = p.op(symbol, left, right)
        expected = REAL_OPERATORS[symbol](left, right)
        torch.testing.assert_close(got, expected, rtol=0, atol=0, equal_nan=True)
    assert p.observer.results  # every op was reported to the observer


def test_matmul_and_bitwise_and_inplace_operators() -> None:
    p = SurfaceDriver()
    m = real_float_tensor(2, 3)
    assert torch.equal(p.op("@", m, m.T), m @ m.T)
    flags = torch.tensor([True, False])
    assert torch.equal(p.op("&", flags, torch.tensor([True, True])), torch.tensor([True, False]))
    target = torch.zeros(3)
    result = p.op("+=", target, 2)
    assert result is target
    assert torch.equal(target, torch.full((3,), 2.0))


def test_indexing_iteration_and_item_assignment_match_torch() -> None:
    p = SurfaceDriver()
    x, rx = real_float_tensor(3, 4), real_float_tensor(3, 4)
    for key in (0, (slice(None), 1), (slice(1, None),), (Ellipsis, None), torch.tensor([2, 0])):
        assert torch.equal(torch_surface.get_item(x, key, p.ctx), rx[key])
    rows = list(torch_surface.iterate(x, p.ctx))
    assert all(torch.equal(row, real_row) for row, real_row in zip(rows, rx, strict=True))
    torch_surface.set_item(x, (0, 0), 100.0, p.ctx)
    rx[0, 0] = 100.0
    assert torch.equal(x, rx)
    assert list(torch_surface.iterate(p.attr(x, "shape"), p.ctx)) == [3, 4]


def test_set_attribute_only_requires_grad_grad_and_data() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2)
    torch_surface.set_attribute(x, "requires_grad", True, p.ctx)
    assert x.requires_grad
    torch_surface.set_attribute(x, "grad", torch.ones(2), p.ctx)
    torch_surface.set_attribute(x, "grad", None, p.ctx)
    assert x.grad is None
    torch_surface.set_attribute(x, "data", torch.zeros(2), p.ctx)
    assert torch.equal(x, torch.zeros(2))


def test_grad_mode_contexts_behave_like_torch() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2, requires_grad=True)
    with p.torch("no_grad"):
        assert not p.op("*", x, 2).requires_grad
        with p.torch("enable_grad"):
            assert p.op("*", x, 2).requires_grad
    with p.torch("set_grad_enabled", False):
        assert not p.torch("is_grad_enabled")
    assert torch.is_grad_enabled()


def test_isinstance_with_tokens_and_wrapped_classes() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2)
    layer = p.torch("nn.Linear", 2, 2)
    assert isinstance(x, p.path("torch.Tensor"))
    assert not isinstance(3, p.path("torch.Tensor"))
    assert isinstance(layer, p.path("torch.nn.Linear"))
    assert not isinstance(layer, p.path("torch.nn.ReLU"))


def test_format_value_follows_tensor_format() -> None:
    p = SurfaceDriver()
    assert torch_surface.format_value(torch.tensor(1.23456), ".2f", p.ctx) == "1.23"
    assert torch_surface.format_value(torch.ones(2), "", p.ctx) == str(torch.ones(2))
    same_error(
        lambda: torch_surface.format_value(torch.ones(2), ".2f", p.ctx),
        lambda: format(torch.ones(2), ".2f"),
    )


# (surface program, real program) pairs that must fail with torch's own type and message.
ERROR_CASES: dict[str, tuple[Callable[[SurfaceDriver], Any], Callable[[], Any]]] = {
    "non_scalar_backward": (
        lambda p: p.method(p.op("*", p.torch("ones", 3, requires_grad=True), 2), "backward"),
        lambda: (torch.ones(3, requires_grad=True) * 2).backward(),
    ),
    "gradient_shape": (
        lambda p: p.method(
            p.op("*", p.torch("ones", 3, requires_grad=True), 2), "backward", torch.ones(2)
        ),
        lambda: (torch.ones(3, requires_grad=True) * 2).backward(torch.ones(2)),
    ),
    "no_grad_fn": (
        lambda p: p.method(p.torch("ones", 1), "backward"),
        lambda: torch.ones(1).backward(),
    ),
    "leaf_in_place": (
        lambda p: p.method(p.torch("ones", 2, requires_grad=True), "add_", 1),
        lambda: torch.ones(2, requires_grad=True).add_(1),
    ),
    "leaf_augmented": (
        lambda p: p.op("+=", p.torch("ones", 2, requires_grad=True), 1),
        lambda: torch.ones(2, requires_grad=True).__iadd__(1),
    ),
    "int_requires_grad": (
        lambda p: p.torch("tensor", [1, 2], requires_grad=True),
        lambda: torch.tensor([1, 2], requires_grad=True),
    ),
    "broadcast": (
        lambda p: p.op("+", p.torch("ones", 3), p.torch("ones", 2)),
        lambda: torch.ones(3) + torch.ones(2),
    ),
    "matmul_shapes": (
        lambda p: p.op("@", p.torch("ones", 2, 3), p.torch("ones", 2, 3)),
        lambda: torch.ones(2, 3) @ torch.ones(2, 3),
    ),
    "bool_ambiguous": (
        lambda p: torch_surface.truth(p.torch("ones", 2), p.ctx),
        lambda: bool(torch.ones(2)),
    ),
    "iterate_0d": (
        lambda p: list(torch_surface.iterate(p.torch("tensor", 1.0), p.ctx)),
        lambda: list(iter(torch.tensor(1.0))),
    ),
    "backward_bad_keyword": (
        lambda p: p.method(p.torch("ones", 1, requires_grad=True), "backward", foo=1),
        lambda: torch.ones(1, requires_grad=True).backward(foo=1),  # type: ignore[call-arg]
    ),
    "item_of_many": (
        lambda p: p.method(p.torch("ones", 2), "item"),
        lambda: torch.ones(2).item(),
    ),
    "view_size": (
        lambda p: p.method(p.torch("ones", 6), "view", 4),
        lambda: torch.ones(6).view(4),
    ),
    "ones_float_size": (
        lambda p: p.torch("ones", 2.5),
        lambda: torch.ones(2.5),  # type: ignore[call-overload]
    ),
    "tensor_not_callable": (
        lambda p: p.call(p.torch("ones", 2)),
        lambda: torch.ones(2)(),  # type: ignore[operator]
    ),
    "relu_attribute_weight": (
        lambda p: p.attr(p.torch("nn.ReLU"), "weight"),
        lambda: torch.nn.ReLU().weight,
    ),
    "grad_of_int_tensor_set": (
        lambda p: torch_surface.set_attribute(
            p.torch("ones", 2, dtype=torch.long), "requires_grad", True, p.ctx
        ),
        lambda: setattr(torch.ones(2, dtype=torch.long), "requires_grad", True),
    ),
    "linear_shapes": (
        lambda p: p.call(p.torch("nn.Linear", 3, 2), p.torch("ones", 4)),
        lambda: torch.nn.Linear(3, 2)(torch.ones(4)),
    ),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_torch_errors_come_through_unchanged(case: str) -> None:
    surface_program, real_program = ERROR_CASES[case]
    same_error(lambda: surface_program(SurfaceDriver()), real_program)


def test_backward_twice_without_retain_graph_fails_like_torch() -> None:
    p = SurfaceDriver()
    x = p.torch("ones", 2, requires_grad=True)
    out = p.method(p.op("*", x, x), "sum")
    p.method(out, "backward")
    rx = torch.ones(2, requires_grad=True)
    rout = (rx * rx).sum()
    rout.backward()
    same_error(lambda: p.method(out, "backward"), lambda: rout.backward())


def test_non_leaf_grad_warns_like_torch() -> None:
    p = SurfaceDriver()
    y = p.op("*", p.torch("ones", 2, requires_grad=True), 2)
    with pytest.warns(UserWarning) as surface_warnings:
        assert p.attr(y, "grad") is None
    with pytest.warns(UserWarning) as real_warnings:
        assert (torch.ones(2, requires_grad=True) * 2).grad is None
    assert str(surface_warnings[0].message) == str(real_warnings[0].message)


# (surface value, the real object it stands for): CPython's messages must name the same type.
TYPE_NAME_CASES: dict[str, tuple[Callable[[SurfaceDriver], Any], Callable[[], Any]]] = {
    "namespace": (lambda p: p.module("torch"), lambda: torch),
    "builtin_function": (lambda p: p.path("torch.ones"), lambda: torch.ones),
    "python_function": (lambda p: p.path("torch.nn.functional.relu"), lambda: F.relu),
    "tensor_c_method": (lambda p: p.attr(p.torch("ones", 1), "sum"), lambda: torch.ones(1).sum),
    "tensor_python_method": (
        lambda p: p.attr(p.torch("ones", 1), "backward"),
        lambda: torch.ones(1).backward,
    ),
    "grad_fn": (
        lambda p: p.attr(p.op("*", p.torch("ones", 1, requires_grad=True), 2), "grad_fn"),
        lambda: (torch.ones(1, requires_grad=True) * 2).grad_fn,
    ),
    "generator": (
        lambda p: p.method(p.torch("nn.Linear", 1, 1), "parameters"),
        lambda: torch.nn.Linear(1, 1).parameters(),
    ),
    "class": (lambda p: p.path("torch.nn.Linear"), lambda: torch.nn.Linear),
    "tensor_type": (lambda p: p.path("torch.Tensor"), lambda: torch.Tensor),
    "no_grad": (lambda p: p.torch("no_grad"), lambda: torch.no_grad()),
    "generator_token": (lambda p: p.torch("manual_seed", 0), lambda: torch.manual_seed(0)),
}


@pytest.mark.parametrize("case", sorted(TYPE_NAME_CASES))
def test_wrappers_carry_the_type_name_cpython_shows(case: str) -> None:
    surface_value, real_value = TYPE_NAME_CASES[case]
    p = SurfaceDriver()
    value = surface_value(p)
    same_error(lambda: torch_surface.binary_op("+", value, 1, p.ctx), lambda: real_value() + 1)
    same_error(lambda: len(value), lambda: len(real_value()))


def test_hook_handle_carries_the_type_name_cpython_shows() -> None:
    # Program hooks are interpreted functions (test_surface_interpreted.py); the handle's type
    # name does not depend on the hook.
    real_handle = torch.ones(1, requires_grad=True).register_hook(abs)
    wrapped = torch_surface.HookHandle(real_handle)
    assert type(wrapped).__name__ == type(real_handle).__name__


def test_torch_warn_once_warnings_show_once_in_every_run() -> None:
    # torch warns about `x.T` on a 1-D tensor once per *process*; a fresh Python shows it in
    # every program, so every run must show it once. The surface emits it (torch itself does
    # too once the run's reset switched "warn always" on); the interpreter keeps the first.
    source = (
        "import torch\nvector = torch.ones(3)\na = vector.T\nb = vector.T\nc = torch.ones(2, 2).T\n"
    )
    learned = warn_once.TRANSPOSE_NOT_2D  # torch's own text, captured from torch
    assert learned is not None
    for _ in range(2):
        result = run_program(source, capture=False)
        assert [(w["message"], w["line"]) for w in result["warnings"]] == [
            (sanitize_message(learned[0]), 3)
        ]
