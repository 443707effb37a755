"""Convolution, pooling, embedding and one-hot costs: exact on known shapes, and never fooled by
strides, dilations, padding or groups (the output size comes from meta tensors)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from app.sandbox.costs import CostRule, conv_estimate, estimate, pool_estimate
from app.sandbox.surface.modules import module_call_estimate, module_init_estimate


def _macs(out: torch.Tensor, weight: torch.Tensor) -> int:
    return out.numel() * (weight.numel() // weight.shape[0])


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"stride": 2},
        {"padding": 3},
        {"dilation": 2, "padding": 2},
        {"stride": 3, "dilation": 3, "padding": 4},
        {"padding": "same"},
    ],
)
def test_conv2d_cost_is_output_size_times_weight_volume(options: dict[str, object]) -> None:
    x = torch.ones(2, 4, 11, 11)
    w = torch.ones(6, 4, 3, 3)
    real = F.conv2d(x, w, **options)
    elements, cost = conv_estimate(F.conv2d, (x, w), dict(options))
    assert elements == real.numel()
    assert cost == _macs(real, w)


def test_groups_divide_the_work_as_torch_does() -> None:
    x = torch.ones(1, 8, 9, 9)
    w = torch.ones(8, 2, 3, 3)  # groups=4: each output channel reads 2 input channels
    real = F.conv2d(x, w, groups=4)
    assert conv_estimate(F.conv2d, (x, w), {"groups": 4}) == (real.numel(), _macs(real, w))


def test_conv1d_and_module_calls_agree_with_the_functional_estimate() -> None:
    x = torch.ones(3, 2, 20)
    conv = nn.Conv1d(2, 5, 4, stride=2, dilation=2, padding=1)
    real = conv(x)
    assert module_call_estimate(conv, (x,)) == (real.numel(), _macs(real, conv.weight))
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(48, 2)
    )
    image = torch.ones(4, 1, 8, 8)
    largest, cost = module_call_estimate(model, (image,))
    assert largest == 4 * 3 * 8 * 8
    conv_cost = 4 * 3 * 8 * 8 * 9
    pool_cost = 4 * 3 * 4 * 4 * 4
    assert cost == conv_cost + pool_cost + 4 * 48 + 4 * 48 * 2


def test_pool_cost_is_output_size_times_kernel_area() -> None:
    x = torch.ones(1, 2, 10, 10)
    real = F.max_pool2d(x, 3, stride=1, padding=1)
    assert pool_estimate(F.max_pool2d, (x, 3), {"stride": 1, "padding": 1}) == (
        real.numel(),
        real.numel() * 9,
    )
    real = F.avg_pool2d(x, (2, 5))
    assert pool_estimate(F.avg_pool2d, (x, (2, 5)), {}) == (
        real.numel(),
        max(real.numel() * 10, 200),
    )


def test_embedding_and_one_hot_sizes() -> None:
    indices = torch.tensor([[0, 1, 2], [2, 2, 2]])
    assert estimate(CostRule.EMBEDDING, F.embedding, (indices, torch.ones(3, 5)), {})[0] == 30
    assert estimate(CostRule.ONE_HOT, F.one_hot, (indices,), {})[0] == 18  # classes inferred: 3
    assert estimate(CostRule.ONE_HOT, F.one_hot, (indices,), {"num_classes": 7})[0] == 42


def test_module_construction_pays_for_what_it_allocates_without_drawing_random_numbers() -> None:
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    assert module_init_estimate(nn.Conv2d, (3, 8, 5), {})[0] == 8 * 3 * 25 + 8
    assert module_init_estimate(nn.Embedding, (100, 16), {})[0] == 1600
    assert module_init_estimate(nn.BatchNorm2d, (4,), {})[0] == 4 * 4 + 1
    assert torch.equal(torch.rand(3), expected)
