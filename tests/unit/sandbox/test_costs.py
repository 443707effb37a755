"""Cost rules: the estimated size equals (or bounds) what torch really builds, and size bombs
are refused before torch runs them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

from app.sandbox import torch_surface
from app.sandbox.costs import (
    CostRule,
    broadcast_shapes,
    estimate,
    indexing_elements,
    matmul_estimate,
)
from app.sandbox.errors import LimitExceeded
from app.sandbox.limits import Limits
from tests.unit.sandbox.surface_driver import SurfaceDriver

# (rule, real function, args, kwargs): the estimate must equal the real result's numel.
EXACT_CASES: dict[str, tuple[CostRule, Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {
    "tensor": (CostRule.DATA, torch.tensor, ([[1, 2, 3], [4, 5, 6]],), {}),
    "tensor_scalar": (CostRule.DATA, torch.tensor, (3.0,), {}),
    "tensor_range": (CostRule.DATA, torch.tensor, ([range(3), range(3)],), {}),
    "ones_varargs": (CostRule.SIZE, torch.ones, (2, 3, 4), {}),
    "ones_tuple": (CostRule.SIZE, torch.ones, ((5, 6),), {}),
    "zeros_size_kw": (CostRule.SIZE, torch.zeros, (), {"size": (3, 7)}),
    "rand_size_obj": (CostRule.SIZE, torch.rand, (torch.Size([4, 2]),), {}),
    "full": (CostRule.FULL, torch.full, ((3, 5), 1.5), {}),
    "randint": (CostRule.RANDINT, torch.randint, (0, 10, (4, 6)), {}),
    "randint_high": (CostRule.RANDINT, torch.randint, (10, (9,)), {}),
    "ones_like": (CostRule.LIKE, torch.ones_like, (torch.zeros(3, 4),), {}),
    "arange_end": (CostRule.ARANGE, torch.arange, (10,), {}),
    "arange_float": (CostRule.ARANGE, torch.arange, (0.5, 3.2, 0.3), {}),
    "arange_negative_step": (CostRule.ARANGE, torch.arange, (10, 0, -3), {}),
    "arange_kw": (CostRule.ARANGE, torch.arange, (), {"start": 2, "end": 9}),
    "linspace": (CostRule.LINSPACE, torch.linspace, (0, 1, 17), {}),
    "linspace_kw": (CostRule.LINSPACE, torch.linspace, (0, 1), {"steps": 5}),
    "eye": (CostRule.EYE, torch.eye, (4,), {}),
    "eye_rect": (CostRule.EYE, torch.eye, (3, 5), {}),
    "broadcast": (CostRule.BROADCAST, torch.add, (torch.ones(3, 1), torch.ones(1, 4)), {}),
    "broadcast_3d": (CostRule.BROADCAST, torch.mul, (torch.ones(3, 1, 2), torch.ones(4, 1)), {}),
    "where": (
        CostRule.BROADCAST,
        torch.where,
        (torch.ones(2, 1, dtype=torch.bool), torch.ones(3), 0.0),
        {},
    ),
    "matmul_2d": (CostRule.MATMUL, torch.matmul, (torch.ones(3, 4), torch.ones(4, 5)), {}),
    "matmul_batched": (
        CostRule.MATMUL,
        torch.matmul,
        (torch.ones(2, 1, 3, 4), torch.ones(5, 4, 2)),
        {},
    ),
    "mv": (CostRule.MATMUL, torch.mv, (torch.ones(3, 4), torch.ones(4)), {}),
    "dot": (CostRule.MATMUL, torch.dot, (torch.ones(4), torch.ones(4)), {}),
    "outer": (CostRule.OUTER, torch.outer, (torch.ones(3), torch.ones(5)), {}),
    "einsum": (
        CostRule.EINSUM,
        torch.einsum,
        ("ij,jk->ik", torch.ones(2, 3), torch.ones(3, 4)),
        {},
    ),
    "einsum_implicit": (
        CostRule.EINSUM,
        torch.einsum,
        ("ij,kj", torch.ones(2, 3), torch.ones(4, 3)),
        {},
    ),
    "einsum_ellipsis": (CostRule.EINSUM, torch.einsum, ("...ij->...ji", torch.ones(2, 3, 4)), {}),
    "cat": (CostRule.CONCAT, torch.cat, ([torch.ones(2, 3), torch.ones(4, 3)],), {}),
    "stack": (CostRule.CONCAT, torch.stack, ([torch.ones(2), torch.ones(2)],), {}),
    "expand": (CostRule.EXPAND, torch.Tensor.expand, (torch.ones(3, 1), 3, 6), {}),
    "expand_minus_one": (CostRule.EXPAND, torch.Tensor.expand, (torch.ones(3, 1), 2, -1, 5), {}),
    "expand_as": (
        CostRule.EXPAND_AS,
        torch.Tensor.expand_as,
        (torch.ones(1, 4), torch.ones(3, 4)),
        {},
    ),
    "repeat": (CostRule.REPEAT, torch.Tensor.repeat, (torch.ones(2, 3), 4, 1, 2), {}),
    "linear": (
        CostRule.LINEAR,
        torch.nn.functional.linear,
        (torch.ones(5, 3), torch.ones(7, 3)),
        {},
    ),
    "index_select": (
        CostRule.INDEX_SELECT,
        torch.index_select,
        (torch.ones(4, 5), 0, torch.tensor([0, 0, 1, 3, 2, 1])),
        {},
    ),
    "gather": (
        CostRule.GATHER,
        torch.gather,
        (torch.ones(4, 5), 1, torch.zeros(4, 9, dtype=torch.long)),
        {},
    ),
}


@pytest.mark.parametrize("case", sorted(EXACT_CASES))
def test_estimated_elements_equal_the_real_result(case: str) -> None:
    rule, function, args, kwargs = EXACT_CASES[case]
    elements, cost = estimate(rule, function, args, kwargs)
    real = function(*args, **kwargs)
    assert elements == real.numel()
    assert cost >= 1


INDEX_KEYS: dict[str, Any] = {
    "int": 1,
    "slice": (slice(None), slice(1, 3)),
    "none_ellipsis": (Ellipsis, None),
    "ellipsis_middle": (0, Ellipsis, 1),
    "long_tensor": torch.tensor([0, 2, 2, 1]),
    "two_long_tensors": (torch.tensor([[0], [1]]), torch.tensor([1, 2, 3])),
    "tensor_then_slice": (torch.tensor([1, 0]), slice(None)),
    "slice_then_tensor": (slice(None), torch.tensor([[3, 0], [1, 1]])),
    "bool_mask": torch.tensor([True, False, True]),
    "bool_mask_2d": torch.ones(3, 4, dtype=torch.bool),
    "list": [0, 2],
    "bool_list": [True, False, True],
}


@pytest.mark.parametrize("case", sorted(INDEX_KEYS))
def test_indexing_estimate_bounds_the_real_result(case: str) -> None:
    tensor = torch.ones(3, 4, 5)
    key = INDEX_KEYS[case]
    elements = indexing_elements(tensor.shape, key)
    real = tensor[key].numel()
    assert real <= elements <= max(real, 1) * 5  # tight up to the masked-out rows


def test_nested_list_index_is_bounded_from_above() -> None:
    # torch 2.13 still reads a list of lists as a tuple of indices (with a warning).
    tensor = torch.ones(3, 4, 5)
    key = [[0, 1], [2, 2]]
    with pytest.warns(UserWarning):
        real = tensor[key].numel()
    assert indexing_elements(tensor.shape, key) >= real


def test_reductions_never_estimate_less_than_their_result() -> None:
    x = torch.ones(4, 5)
    for function, kwargs in ((torch.sum, {}), (torch.mean, {"dim": 0}), (torch.cumsum, {"dim": 1})):
        elements, _ = estimate(CostRule.BROADCAST, function, (x,), kwargs)
        assert elements >= function(x, **kwargs).numel()


def test_matmul_cost_is_the_flop_count() -> None:
    assert matmul_estimate(torch.ones(3, 4), torch.ones(4, 5)) == (15, 60)
    assert matmul_estimate(torch.ones(7), torch.ones(7)) == (1, 7)
    assert matmul_estimate(torch.ones(2, 3, 4), torch.ones(4, 6)) == (36, 144)


@pytest.mark.parametrize(
    ("left", "right"),
    [((3, 1), (1, 4)), ((5, 1, 2), (4, 1)), ((), (2, 2)), ((2, 3), (2, 3)), ((0, 1), (1, 3))],
)
def test_broadcast_shapes_agrees_with_torch(left: tuple[int, ...], right: tuple[int, ...]) -> None:
    assert broadcast_shapes(left, right) == list(torch.broadcast_shapes(left, right))


def test_broadcast_shapes_reports_incompatible_shapes() -> None:
    assert broadcast_shapes((3,), (2,)) is None


def _never_called(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("torch ran a refused op")


SIZE_BOMBS: dict[str, Callable[[SurfaceDriver], Any]] = {
    "ones_1e10": lambda p: p.torch("ones", 10**10),
    "ones_tuple": lambda p: p.torch("ones", (10**5, 10**5)),
    "zeros_like_huge_expand": lambda p: p.method(p.torch("ones", 1), "expand", 10**6, 10**6),
    "expand_then_sum": lambda p: p.method(
        p.method(p.torch("ones", 1, 1), "expand", 10**6, 10**6), "sum"
    ),
    "outer_1e4": lambda p: p.torch("outer", p.torch("ones", 10**4), p.torch("ones", 10**4)),
    "einsum_outer": lambda p: p.torch(
        "einsum", "i,j->ij", p.torch("ones", 10**4), p.torch("ones", 10**4)
    ),
    "repeat": lambda p: p.method(p.torch("ones", 10), "repeat", 10**4, 100),
    "cat": lambda p: p.torch("cat", [p.torch("ones", 10**6), p.torch("ones", 10**6)]),
    "broadcast_add": lambda p: p.op("+", p.torch("ones", 10**5, 1), p.torch("ones", 1, 10**5)),
    "arange": lambda p: p.torch("arange", 0, 10**12),
    "linspace": lambda p: p.torch("linspace", 0, 1, 10**9),
    "eye": lambda p: p.torch("eye", 10**5),
    "full": lambda p: p.torch("full", (10**4, 10**4), 2.0),
    "randint": lambda p: p.torch("randint", 0, 5, (10**4, 10**4)),
    "nested_list": lambda p: p.torch("tensor", [[0.0] * 10**5] * 10**5),
    "tensor_of_range": lambda p: p.torch("tensor", range(10**9)),
    "tensor_of_ranges": lambda p: p.torch("tensor", [range(10**5)] * 10**5),
    "linear_module": lambda p: p.torch("nn.Linear", 10**4, 10**4),
    "advanced_index": lambda p: torch_surface.get_item(
        p.torch("ones", 1000, 1000), p.torch("zeros", 1000, 1000, dtype=torch.long), p.ctx
    ),
    "index_select": lambda p: p.torch(
        "index_select", p.torch("ones", 10, 1000), 0, p.torch("zeros", 10**4, dtype=torch.long)
    ),
}


@pytest.mark.parametrize("case", sorted(SIZE_BOMBS))
def test_size_bombs_are_refused_before_running(case: str) -> None:
    p = SurfaceDriver()
    with pytest.raises(LimitExceeded) as refused:
        SIZE_BOMBS[case](p)
    assert refused.value.limit == "tensor_elements"


def test_large_matmul_is_refused_by_op_cost_before_running() -> None:
    p = SurfaceDriver()
    m = p.torch("ones", 1000, 1000)
    reported = len(p.observer.results)
    with pytest.raises(LimitExceeded) as refused:
        p.op("@", m, m)  # 1e9 multiply-adds
    assert refused.value.limit == "op_cost"
    assert len(p.observer.results) == reported  # the op never ran


def test_4096_square_matmul_is_refused_by_op_cost() -> None:
    p = SurfaceDriver(Limits(tensor_elements=20_000_000))
    m = torch.ones(4096, 4096)
    with pytest.raises(LimitExceeded) as refused:
        p.torch("mm", m, m)
    assert refused.value.limit == "op_cost"


def test_run_cost_accumulates_across_ops() -> None:
    p = SurfaceDriver(Limits(run_cost=1_000))
    x = p.torch("ones", 100)
    for _ in range(8):
        x = p.op("+", x, 1)
    with pytest.raises(LimitExceeded) as refused:
        for _ in range(5):
            x = p.op("+", x, 1)
    assert refused.value.limit == "run_cost"


def test_refused_op_is_never_run() -> None:
    p = SurfaceDriver()
    before = len(p.observer.results)
    with pytest.raises(LimitExceeded):
        p.torch("ones", 10**7)
    assert len(p.observer.results) == before


def test_sequential_call_cost_is_the_sum_of_its_linear_layers() -> None:
    from app.sandbox.surface.modules import module_call_estimate

    model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    elements, cost = module_call_estimate(model, (torch.ones(4, 3),))
    relu = 4 * 5
    assert cost == 4 * 3 * 5 + relu + 4 * 5 * 2
    assert elements >= model(torch.ones(4, 3)).numel()


def test_live_tensor_bytes_refuse_keeping_too_many_tensors() -> None:
    p = SurfaceDriver(Limits(live_tensor_bytes=10 * 4000 * 4), record=False)
    kept = []
    with pytest.raises(LimitExceeded) as refused:
        for _ in range(20):
            kept.append(p.torch("ones", 4000))
    assert refused.value.limit == "live_tensor_bytes"
    assert len(kept) < 20


def test_live_tensor_bytes_are_released_when_tensors_die() -> None:
    p = SurfaceDriver(Limits(live_tensor_bytes=10 * 4000 * 4), record=False)
    for _ in range(50):
        p.torch("ones", 4000)  # dropped at once: the budget never fills
    assert p.ctx.live_tensor_bytes == 0
    kept = p.torch("ones", 4000)
    assert p.ctx.live_tensor_bytes == kept.numel() * kept.element_size()


def test_views_do_not_count_as_live_bytes() -> None:
    p = SurfaceDriver()
    base = p.torch("ones", 1000)
    before = p.ctx.live_tensor_bytes
    views = [p.method(base, "view", 10, 100) for _ in range(10)]
    assert len(views) == 10
    assert p.ctx.live_tensor_bytes == before


def test_iterating_a_tensor_with_too_many_rows_is_refused_before_unbinding() -> None:
    p = SurfaceDriver(Limits(list_length=1_000))
    with pytest.raises(LimitExceeded) as refused:
        torch_surface.iterate(p.torch("ones", 5_000), p.ctx)
    assert refused.value.limit == "list_length"
    assert len(list(torch_surface.iterate(p.torch("ones", 1_000), p.ctx))) == 1_000
