"""Size and cost of a torch op, estimated from its arguments' shapes BEFORE it runs.

Every allowed torch callable names one `CostRule` in `allowlist.py`. `estimate(rule, args,
kwargs)` returns `(elements, cost)`: the logical element count of the largest result (views
included, so `expand` counts what it pretends to hold) and the work in element operations
(FLOPs by formula for the matmul family). The surface then asks the RunContext to refuse the
op before torch sees it.

The common rules are plain arithmetic on `.shape`; only rare ops fall back to running the op on
meta tensors, which allocates nothing but costs tens of microseconds.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import torch

from app.compat import StrEnum

Estimate = tuple[int, int]


class CostRule(StrEnum):
    """How to estimate an op's result size and cost; named per entry in the allow-list."""

    FREE = "free"  # metadata, attributes, no new data
    DATA = "data"  # torch.tensor(nested lists)
    SIZE = "size"  # ones/zeros/rand/randn: size from the arguments
    FULL = "full"  # full(size, fill_value)
    RANDINT = "randint"  # randint(low?, high, size)
    LIKE = "like"  # *_like: the size of the first tensor
    ARANGE = "arange"
    LINSPACE = "linspace"
    EYE = "eye"
    BROADCAST = "broadcast"  # element-wise and reductions: the broadcast of the tensor operands
    MATMUL = "matmul"  # matmul/mm/bmm/mv/dot and `@`
    OUTER = "outer"
    EINSUM = "einsum"
    CUBIC = "cubic"  # det/inverse: n**3 per matrix
    NORM = "norm"  # element-wise, except p="nuc": an SVD per matrix, by its FLOPs
    CONCAT = "concat"  # cat/stack: the sum of the parts
    VIEW = "view"  # reshape/view/transpose/...: the size of the input
    EXPAND = "expand"  # logical size from the requested shape
    EXPAND_AS = "expand_as"
    REPEAT = "repeat"
    LINEAR = "linear"  # F.linear: batch * in * out
    INDEX_SELECT = "index_select"
    GATHER = "gather"  # the size of the index
    META = "meta"  # rarer shape ops: run on meta tensors to learn the output shape
    CONV = "conv"  # F.conv1d/conv2d: output elements (from meta tensors) * weight volume per output
    POOL = "pool"  # F.max_pool2d/avg_pool2d: output elements (from meta tensors) * kernel area
    EMBEDDING = "embedding"  # F.embedding: index elements * embedding dim
    ONE_HOT = "one_hot"  # F.one_hot: elements * number of classes
    MODULE_INIT = "module_init"  # nn.Linear(in, out) allocates in*out weights
    MODULE_CALL = "module_call"  # model(x): formula per module kind (surface/modules.py)
    OPTIMIZER_INIT = "optimizer_init"
    OPTIMIZER_STEP = "optimizer_step"
    BACKWARD = "backward"  # backward/grad: proportional to the roots' size
    JACOBIAN = "jacobian"  # autograd.functional: bounded by the Jacobian's cell count


class ArgumentsNotUnderstood(Exception):
    """A rule cannot read the arguments: the size is then learnt from meta tensors, so that
    nothing torch accepts can slip past the limits (and torch refuses the rest itself)."""


def numel_of_shape(shape: Iterable[int]) -> int:
    """Product of a shape's sizes; a negative size makes torch raise, so count it as 0."""
    total = 1
    for size in shape:
        if size < 0:
            return 0
        total *= size
    return total


def _as_int(value: Any) -> int | None:
    try:
        return operator.index(value)
    except TypeError:
        return None


# What a size or a tensor's data may be given as. Tuples, not `list | tuple`: a union in an
# isinstance call is built anew at every evaluation, on the path of every creation op.
_SIZE_SEQUENCES = (list, tuple, torch.Size)
_DATA_SEQUENCES = (list, tuple, range)  # torch reads any sequence, range included


def size_from_args(args: Sequence[Any], kwargs: dict[str, Any]) -> list[int] | None:
    """The shape that `torch.ones(2, 3)`, `torch.ones((2, 3))` or `size=(2, 3)` describe."""
    spec: Any = kwargs.get("size", args)
    if len(spec) == 1 and isinstance(spec[0], _SIZE_SEQUENCES):
        spec = spec[0]
    if isinstance(spec, int):
        spec = (spec,)
    sizes: list[int] = []
    for item in spec:
        size = _as_int(item)
        if size is None:
            return None  # not a size: torch raises its own TypeError
        sizes.append(size)
    return sizes


def nested_data_shape(data: Any) -> list[int]:
    """Shape of nested lists/tuples following first elements (torch rejects ragged data)."""
    shape: list[int] = []
    node = data
    while isinstance(node, _DATA_SEQUENCES):
        shape.append(len(node))
        if not node:
            break
        node = node[0]
    if isinstance(node, torch.Tensor):
        shape.extend(node.shape)
    return shape


def broadcast_shapes(left: Sequence[int], right: Sequence[int]) -> list[int] | None:
    """torch's broadcasting rule in plain Python (torch.broadcast_shapes imports for a second
    on first use and takes ~90 µs a call); None when the shapes do not broadcast."""
    rank = max(len(left), len(right))
    padded_left = [1] * (rank - len(left)) + list(left)
    padded_right = [1] * (rank - len(right)) + list(right)
    shape: list[int] = []
    for a, b in zip(padded_left, padded_right, strict=True):
        if a == b or b == 1:
            shape.append(a)
        elif a == 1:
            shape.append(b)
        else:
            return None
    return shape


def _tensors_in(args: Sequence[Any], kwargs: dict[str, Any]) -> list[torch.Tensor]:
    found = [a for a in args if isinstance(a, torch.Tensor)]
    found.extend(v for v in kwargs.values() if isinstance(v, torch.Tensor))
    return found


def broadcast_numel(operands: Iterable[Any]) -> int:
    """Element count of the broadcast of tensors, nested lists and numbers among `operands`."""
    shape: Any = None
    largest = 1
    for operand in operands:
        if isinstance(operand, torch.Tensor):
            current: Any = operand.shape
        elif isinstance(operand, list | tuple):
            current = torch.Size(nested_data_shape(operand))
        else:
            continue  # Python numbers, dtypes, dims: no size of their own
        largest = max(largest, numel_of_shape(current))
        if shape is None or current == shape:
            shape = current
            continue
        shape = broadcast_shapes(shape, current)
        if shape is None:
            return largest  # torch will refuse the op with its own message
    return 1 if shape is None else numel_of_shape(shape)


def _broadcast(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    if len(args) == 1 and not kwargs and isinstance(args[0], torch.Tensor):
        elements = args[0].numel()  # x.sum(), x.exp(): the common one-tensor case
        return elements, max(elements, 1)
    elements = broadcast_numel([*args, *kwargs.values()])
    return elements, max(elements, 1)


def _data(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    data = args[0] if args else kwargs.get("data")
    elements = numel_of_shape(nested_data_shape(data))
    return elements, max(elements, 1)


def _size(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    sizes = size_from_args(args, kwargs)
    if sizes is None:
        raise ArgumentsNotUnderstood
    elements = numel_of_shape(sizes)
    return elements, max(elements, 1)


def _full(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    return _size(args[:1], {"size": kwargs["size"]} if "size" in kwargs else {})


def _randint(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    size = kwargs.get("size")
    if size is None:
        size = next((a for a in args if isinstance(a, _SIZE_SEQUENCES)), ())
    return _size((size,), {})


def _like(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    source = args[0] if args else kwargs.get("input")
    elements = source.numel() if isinstance(source, torch.Tensor) else 0
    return elements, max(elements, 1)


def _number(value: Any) -> float | None:
    if isinstance(value, torch.Tensor):
        return float(value.item()) if value.numel() == 1 else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _arange(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    names = ("start", "end", "step")
    raw: dict[str, Any] = {"start": 0, "end": 0, "step": 1}
    if len(args) == 1 and "end" not in kwargs:
        raw["end"] = args[0]  # arange(end)
    else:
        raw.update(zip(names, args[:3], strict=False))
    raw.update({key: kwargs[key] for key in names if key in kwargs})
    start, end, step = (_number(raw[key]) for key in names)
    if start is None or end is None or step is None:
        raise ArgumentsNotUnderstood
    try:
        length = math.ceil((end - start) / step)
    except (ZeroDivisionError, ValueError):
        return 0, 1  # torch refuses step 0 and NaN bounds with its own message
    except OverflowError:
        length = 1 << 62
    elements = max(length, 0)
    return elements, max(elements, 1)


def _linspace(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    steps = _as_int(args[2]) if len(args) > 2 else _as_int(kwargs.get("steps"))
    elements = max(steps or 0, 0)
    return elements, max(elements, 1)


def _eye(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    rows = _as_int(args[0]) if args else _as_int(kwargs.get("n"))
    columns = _as_int(args[1]) if len(args) > 1 else _as_int(kwargs.get("m", rows))
    elements = numel_of_shape([rows or 0, columns if columns is not None else rows or 0])
    return elements, max(elements, 1)


def matmul_estimate(left: Any, right: Any) -> Estimate:
    """Result elements and FLOPs of `left @ right` under matmul's broadcasting rules."""
    if not isinstance(left, torch.Tensor) or not isinstance(right, torch.Tensor):
        return 1, 1
    left_shape, right_shape = list(left.shape), list(right.shape)
    if not left_shape or not right_shape:
        return 1, 1  # torch refuses 0-d operands
    if len(left_shape) == 1 and len(right_shape) == 1:
        return 1, max(left_shape[0], 1)
    rows = left_shape[-2] if len(left_shape) > 1 else 1
    inner = left_shape[-1]
    columns = right_shape[-1] if len(right_shape) > 1 else 1
    batch_left, batch_right = left_shape[:-2], right_shape[:-2]
    batch_shape = broadcast_shapes(batch_left, batch_right)
    if batch_shape is None:  # torch refuses the op with its own message
        batch = max(numel_of_shape(batch_left), numel_of_shape(batch_right))
    else:
        batch = numel_of_shape(batch_shape)
    elements = batch * rows * columns
    return elements, max(elements * inner, 1)


def _matmul(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    operands = [*args, *kwargs.values()]
    if len(operands) < 2:
        raise ArgumentsNotUnderstood
    return matmul_estimate(operands[0], operands[1])


def _outer(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    tensors = _tensors_in(args, kwargs)
    elements = math.prod(t.numel() for t in tensors[:2]) if len(tensors) >= 2 else 1
    return elements, max(elements, 1)


def _einsum(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    if not args or not isinstance(args[0], str):
        raise ArgumentsNotUnderstood
    equation = args[0].replace(" ", "")
    operands = list(args[1:])
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = list(operands[0])
    if "..." in equation:
        return _meta(torch.einsum, args, kwargs)
    inputs_part, _, output_part = equation.partition("->")
    subscripts = inputs_part.split(",")
    if len(subscripts) != len(operands):
        raise ArgumentsNotUnderstood
    label_sizes: dict[str, int] = {}
    for labels, operand in zip(subscripts, operands, strict=True):
        if not isinstance(operand, torch.Tensor) or len(labels) != operand.dim():
            raise ArgumentsNotUnderstood
        for label, size in zip(labels, operand.shape, strict=True):
            label_sizes[label] = max(label_sizes.get(label, 1), size)
    if "->" not in equation:
        counts = {label: inputs_part.count(label) for label in label_sizes}
        output_part = "".join(sorted(label for label, n in counts.items() if n == 1))
    elements = numel_of_shape(label_sizes.get(label, 1) for label in output_part)
    cost = numel_of_shape(label_sizes.values()) * max(len(operands) - 1, 1)
    return elements, max(cost, elements, 1)


def _cubic(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    tensors = _tensors_in(args, kwargs)
    if not tensors or tensors[0].dim() < 1:
        raise ArgumentsNotUnderstood
    matrix = tensors[0]
    side = matrix.shape[-1]
    elements = matrix.numel()
    return elements, max(elements * side, 1)


# FLOPs of an SVD of an m×n matrix (k = min(m, n)), as LAPACK's divide and conquer does it: about
# 4mnk + 8k³ for the bidiagonalisation and the singular vectors; counted as 12mnk (k ≤ m, n).
SVD_FLOPS_PER_MNK = 12


def _norm(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    # `x.norm()`, `torch.norm(x, 2)`, `x.norm(p="fro")`: one pass; `p="nuc"` sums singular
    # values, so it runs an SVD of each matrix first.
    source = args[0] if args else kwargs.get("input")
    if not isinstance(source, torch.Tensor):
        raise ArgumentsNotUnderstood
    p = args[1] if len(args) > 1 else kwargs.get("p", "fro")
    elements = source.numel()
    if not (isinstance(p, str) and p == "nuc") or source.dim() < 2:
        return elements, max(elements, 1)
    rows, columns = source.shape[-2], source.shape[-1]
    batch = numel_of_shape(source.shape[:-2])
    flops = batch * rows * columns * min(rows, columns) * SVD_FLOPS_PER_MNK
    return batch, max(flops, elements, 1)


def _concat(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    parts = args[0] if args else kwargs.get("tensors", ())
    if not isinstance(parts, list | tuple):
        raise ArgumentsNotUnderstood
    elements = sum(p.numel() for p in parts if isinstance(p, torch.Tensor))
    return elements, max(elements, 1)


def _view(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    tensors = _tensors_in(args, kwargs)
    elements = tensors[0].numel() if tensors else 1
    return elements, max(elements, 1)


def _expand(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    # Called as Tensor.expand(self, *sizes): a view whose logical size is the requested shape.
    if not args or not isinstance(args[0], torch.Tensor):
        raise ArgumentsNotUnderstood
    source = args[0]
    sizes = size_from_args(args[1:], kwargs)
    if sizes is None:
        raise ArgumentsNotUnderstood
    existing = list(source.shape)
    offset = len(sizes) - len(existing)
    resolved = [
        existing[i - offset] if size == -1 and i >= offset else size for i, size in enumerate(sizes)
    ]
    return numel_of_shape(resolved), 1


def _expand_as(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    target = args[1] if len(args) > 1 else kwargs.get("other")
    elements = target.numel() if isinstance(target, torch.Tensor) else 1
    return elements, 1


def _repeat(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    source = args[0] if args else kwargs.get("input")
    if not isinstance(source, torch.Tensor):
        raise ArgumentsNotUnderstood
    # `x.repeat(2, 3)`, `torch.tile(x, (2, 3))`, or the keyword forms `repeats=` / `dims=`.
    keyword = kwargs.get("repeats", kwargs.get("dims"))
    repeats = size_from_args(args[1:], {} if keyword is None else {"size": keyword})
    if repeats is None:
        raise ArgumentsNotUnderstood
    elements = source.numel() * numel_of_shape(repeats)
    return elements, max(elements, 1)


def _linear(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    source = args[0] if args else kwargs.get("input")
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    if not isinstance(source, torch.Tensor) or not isinstance(weight, torch.Tensor):
        raise ArgumentsNotUnderstood
    if source.dim() == 0 or weight.dim() == 0:
        raise ArgumentsNotUnderstood
    rows = source.numel() // max(source.shape[-1], 1)
    out_features = weight.shape[0] if weight.dim() == 2 else 1
    elements = rows * out_features
    return elements, max(rows * weight.numel(), elements, 1)


def _index_select(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    source = args[0] if args else kwargs.get("input")
    dim = _as_int(args[1]) if len(args) > 1 else _as_int(kwargs.get("dim"))
    index = args[2] if len(args) > 2 else kwargs.get("index")
    if not isinstance(source, torch.Tensor) or not isinstance(index, torch.Tensor) or dim is None:
        raise ArgumentsNotUnderstood
    if source.dim() == 0 or not -source.dim() <= dim < source.dim():
        raise ArgumentsNotUnderstood
    rows = source.shape[dim]
    elements = (source.numel() // rows if rows else 0) * index.numel()
    return elements, max(elements, 1)


def _gather(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    index = args[2] if len(args) > 2 else kwargs.get("index")
    elements = index.numel() if isinstance(index, torch.Tensor) else 1
    return elements, max(elements, 1)


def _index_item_shape(item: Any) -> tuple[list[int], int] | None:
    """(index shape, dims consumed) of an advanced index item; None if not one."""
    if isinstance(item, torch.Tensor):
        if item.dtype == torch.bool:
            return [item.numel()], item.dim()  # selects at most numel elements
        return list(item.shape), 1
    if isinstance(item, list | tuple):
        shape = nested_data_shape(item)
        leaf: Any = item
        while isinstance(leaf, list | tuple) and leaf:
            leaf = leaf[0]
        if isinstance(leaf, bool):
            return [numel_of_shape(shape)], len(shape)
        return shape, 1
    return None


def indexing_elements(shape: Sequence[int], key: Any) -> int:
    """Upper bound of the elements `tensor[key]` produces (basic and advanced indexing)."""
    items = key if isinstance(key, tuple) else (key,)
    total = numel_of_shape(shape)
    consumed = 0
    for item in items:
        if isinstance(item, int | slice) and not isinstance(item, bool):
            consumed += 1
        elif (found := _index_item_shape(item)) is not None:
            consumed += found[1]
    if consumed > len(shape):
        return total  # torch raises "too many indices"
    dim, kept = 0, 1
    index_shape: list[int] | None = []
    for item in items:
        if item is Ellipsis:
            skipped = len(shape) - consumed
            kept *= numel_of_shape(shape[dim : dim + skipped])
            dim += skipped
            consumed = len(shape)  # a second Ellipsis makes torch raise
        elif isinstance(item, bool) or item is None:
            continue  # adds a dimension of size 1 (or 0)
        elif isinstance(item, int):
            dim += 1
        elif isinstance(item, slice):
            kept *= shape[dim]
            dim += 1
        else:
            found = _index_item_shape(item)
            if found is None:
                return total  # torch decides what this key means
            if index_shape is not None:
                index_shape = broadcast_shapes(index_shape, found[0])
            dim += found[1]
    kept *= numel_of_shape(shape[dim:])
    if index_shape is None:
        return total  # torch raises "shape mismatch: indexing tensors could not be broadcast"
    return kept * numel_of_shape(index_shape)


def _to_meta(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().to("meta")
    if isinstance(value, list | tuple) and any(isinstance(v, torch.Tensor) for v in value):
        return type(value)(_to_meta(v) for v in value)
    return value


def _meta(target: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    """Learn the output size by running `target` on meta tensors (allocates no data)."""
    inputs = _tensors_in(args, kwargs)
    largest_input = max((t.numel() for t in inputs), default=1)
    if not inputs and "device" not in kwargs:
        # A creation function: without a tensor to move to meta, ask for a meta result.
        kwargs = {**kwargs, "device": "meta"}
    try:
        result = target(*[_to_meta(a) for a in args], **{k: _to_meta(v) for k, v in kwargs.items()})
    except Exception:  # the real call raises torch's own error
        return largest_input, max(largest_input, 1)
    outputs = result if isinstance(result, list | tuple) else [result]
    elements = max((o.numel() for o in outputs if isinstance(o, torch.Tensor)), default=1)
    return elements, max(elements, largest_input, 1)


def conv_estimate(
    target: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]
) -> Estimate:
    """A convolution: its output size comes from running it on meta tensors (so no stride,
    dilation, padding or group count can make the estimate smaller than the real result), and
    each output element costs one multiply-add per weight element of its output channel."""
    elements, _ = _meta(target, args, kwargs)
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    per_output = 1
    if isinstance(weight, torch.Tensor) and weight.dim() > 0 and weight.shape[0] > 0:
        per_output = max(weight.numel() // weight.shape[0], 1)
    inputs = max((t.numel() for t in _tensors_in(args, kwargs)), default=1)
    return elements, max(elements * per_output, inputs, 1)


def _kernel_area(kernel: Any, dims: int) -> int:
    if isinstance(kernel, int) and not isinstance(kernel, bool):
        return max(kernel, 1) ** dims
    if isinstance(kernel, list | tuple) and all(isinstance(k, int) for k in kernel):
        return max(numel_of_shape(kernel), 1)
    return 1  # torch refuses it with its own message


def pool_estimate(
    target: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]
) -> Estimate:
    """A 2-d pooling: output elements (from meta tensors, as for convolutions) times the kernel
    area each output element reads."""
    elements, _ = _meta(target, args, kwargs)
    kernel = args[1] if len(args) > 1 else kwargs.get("kernel_size")
    inputs = max((t.numel() for t in _tensors_in(args, kwargs)), default=1)
    return elements, max(elements * _kernel_area(kernel, 2), inputs, 1)


def _embedding(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    indices = args[0] if args else kwargs.get("input")
    weight = args[1] if len(args) > 1 else kwargs.get("weight")
    if not isinstance(indices, torch.Tensor) or not isinstance(weight, torch.Tensor):
        raise ArgumentsNotUnderstood
    width = weight.shape[-1] if weight.dim() > 0 else 1
    elements = indices.numel() * width
    return elements, max(elements, 1)


def _one_hot(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    labels = args[0] if args else kwargs.get("tensor", kwargs.get("input"))
    classes = _as_int(args[1]) if len(args) > 1 else _as_int(kwargs.get("num_classes", -1))
    if not isinstance(labels, torch.Tensor) or classes is None:
        raise ArgumentsNotUnderstood
    if classes < 0 and labels.numel() > 0 and not labels.is_floating_point():
        classes = int(labels.max().item()) + 1  # what torch infers (it refuses negatives)
    elements = labels.numel() * max(classes, 1)
    return elements, max(elements, 1)


# Rules that need the op itself (they run it on meta tensors).
TARGET_RULES: dict[
    CostRule, Callable[[Callable[..., Any], Sequence[Any], dict[str, Any]], Estimate]
] = {
    CostRule.META: _meta,
    CostRule.CONV: conv_estimate,
    CostRule.POOL: pool_estimate,
}


Estimator = Callable[[Sequence[Any], dict[str, Any]], Estimate]


def _free(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
    return 0, 1


# The estimate of every rule priced from its arguments' shapes. No default: a rule missing here
# (and not in SURFACE_PRICED or TARGET_RULES) is a KeyError when the table is built, never an
# op priced as a view by accident (tests/unit/sandbox/test_cost_rules.py checks every allowed op).
SHAPE_RULES: Mapping[CostRule, Estimator] = MappingProxyType(
    {
        CostRule.FREE: _free,
        CostRule.DATA: _data,
        CostRule.SIZE: _size,
        CostRule.FULL: _full,
        CostRule.RANDINT: _randint,
        CostRule.LIKE: _like,
        CostRule.ARANGE: _arange,
        CostRule.LINSPACE: _linspace,
        CostRule.EYE: _eye,
        CostRule.BROADCAST: _broadcast,
        CostRule.MATMUL: _matmul,
        CostRule.OUTER: _outer,
        CostRule.EINSUM: _einsum,
        CostRule.CUBIC: _cubic,
        CostRule.NORM: _norm,
        CostRule.CONCAT: _concat,
        CostRule.VIEW: _view,
        CostRule.EXPAND: _expand,
        CostRule.EXPAND_AS: _expand_as,
        CostRule.REPEAT: _repeat,
        CostRule.LINEAR: _linear,
        CostRule.INDEX_SELECT: _index_select,
        CostRule.GATHER: _gather,
        CostRule.EMBEDDING: _embedding,
        CostRule.ONE_HOT: _one_hot,
    }
)

# Rules the torch surface prices itself, from more than shapes: module and optimizer calls
# (surface/modules.py), backward/grad by the graph they traverse and autograd.functional by
# their passes (surface/autograd_calls.py). Their entries must have a special path there.
SURFACE_PRICED: frozenset[CostRule] = frozenset(
    {
        CostRule.MODULE_INIT,
        CostRule.MODULE_CALL,
        CostRule.OPTIMIZER_INIT,
        CostRule.OPTIMIZER_STEP,
        CostRule.BACKWARD,
        CostRule.JACOBIAN,
    }
)


class PricedBySurface(LookupError):
    """A surface-priced rule's shape estimate was asked for: the surface lacks its special path."""


def _priced_by_surface(rule: CostRule) -> Estimator:
    def refuse(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
        raise PricedBySurface(f"the cost rule {rule.value!r} is priced by the torch surface")

    return refuse


# Rules under which `tensor.method()` with no arguments is estimated at the tensor's own size,
# `(numel, max(numel, 1))` (what `_broadcast`, `_norm` and `_view` return for it): the surface
# computes that inline for the hottest calls (`x.sum()`, `y.norm()`, `x.t()`).
SELF_SIZED_RULES: frozenset[CostRule] = frozenset(
    {CostRule.BROADCAST, CostRule.NORM, CostRule.VIEW}
)


def estimator_for(rule: CostRule, target: Callable[..., Any] | None) -> Estimator:
    """The estimating function of `rule`, resolved once per table entry (the hot path then
    skips the rule lookup). Estimation never raises: odd arguments fall back to meta tensors,
    and torch then refuses the call with its own message."""
    if rule is CostRule.FREE:
        return _free
    if rule in SURFACE_PRICED:
        return _priced_by_surface(rule)
    target_rule = TARGET_RULES.get(rule)
    if target_rule is not None:
        if target is None:
            raise PricedBySurface(f"the {rule.value!r} cost rule needs the torch callable")
        meta_target, run_rule = target, target_rule

        def meta_rule(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
            return run_rule(meta_target, args, kwargs)

        return meta_rule
    rule_function = SHAPE_RULES[rule]  # no default: see SHAPE_RULES

    def guarded(args: Sequence[Any], kwargs: dict[str, Any]) -> Estimate:
        try:
            return rule_function(args, kwargs)
        except Exception:  # odd arguments: learn the size from meta tensors instead
            if target is None:
                return _view(args, kwargs)
            return _meta(target, args, kwargs)

    return guarded


def estimate(
    rule: CostRule,
    target: Callable[..., Any] | None,
    args: Sequence[Any],
    kwargs: dict[str, Any],
) -> Estimate:
    """`(elements, cost)` of calling `target(*args, **kwargs)` under `rule`, before it runs.

    For tensor methods `args` starts with the tensor itself.
    """
    return estimator_for(rule, target)(args, kwargs)
