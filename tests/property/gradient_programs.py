"""Hypothesis strategy: programs whose every gradient the graph shows can be checked.

Unlike `program_strategy.py` (random programs, many of which fail on purpose), these always
run: shapes are tracked, so each op gets operands it accepts. Each statement binds new names
once (`v3 = v1 * x0`, `v4, v5 = v3.split(1, dim=0)`), the program ends with
`loss.backward()`, and the loss weighs every unused result by its own random constant tensor,
so the outputs of one multi-output op receive different gradients. Ops with several
differentiable inputs (`*`, `@`, `torch.where`, `torch.cat`, `torch.stack`, `F.linear` with
bias, which is `addmm`) and multi-output ops (`split`, `chunk`, `max`/`min` with `dim`, and
`unbind`/`sort`/`topk` once the sandbox allows them) are drawn often.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import strategies as st

from app.sandbox.allowlist import TENSOR

Shape = tuple[int, ...]
SIZES = (2, 3)
LEAF_SHAPES: list[Shape] = [(2, 3), (3, 2), (3,), (2,), (2, 2), (3, 3)]
# Stack/cat only grow tensors this small (the program stays readable and cheap).
GROWABLE = 12
# Multi-output ops a program may use once the sandbox's table has them (tensor methods).
GATED_MULTI_OUTPUT = ("unbind", "sort", "topk")


def _size_arguments(shape: Shape) -> str:
    """`torch.randn(...)`'s size arguments: `2, 3`, or `()` for a 0-dim tensor."""
    return ", ".join(str(size) for size in shape) if shape else "()"


def allowed_multi_output() -> list[str]:
    """The multi-output ops the generator draws: always split/chunk/max/min, plus the gated."""
    return ["split", "chunk", "max", "min", *[n for n in GATED_MULTI_OUTPUT if n in TENSOR]]


@dataclass(frozen=True)
class GradientProgram:
    source: str
    seed: int
    ops: tuple[str, ...]  # the op families used, for hypothesis' event statistics


@dataclass
class Value:
    name: str
    shape: Shape
    requires_grad: bool


@dataclass
class _Builder:
    draw: st.DrawFn
    lines: list[str] = field(default_factory=list)
    pool: list[Value] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    ops: list[str] = field(default_factory=list)
    counter: int = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def leaf(self, shape: Shape, requires_grad: bool | None = None) -> Value:
        if requires_grad is None:
            requires_grad = self.draw(st.integers(0, 3)) > 0
        name = self.name("x" if requires_grad else "c")
        dims = _size_arguments(shape)
        grad = ", requires_grad=True" if requires_grad else ""
        self.lines.append(f"{name} = torch.randn({dims}{grad})")
        value = Value(name, shape, requires_grad)
        self.pool.append(value)
        return value

    def pick(self, shape: Shape | None = None, ndims: tuple[int, ...] = (0, 1, 2, 3)) -> Value:
        """An existing value of that shape (or number of dims), else a new leaf."""
        candidates = [
            value
            for value in self.pool
            if (shape is None or value.shape == shape) and len(value.shape) in ndims
        ]
        if candidates and self.draw(st.integers(0, 4)) > 0:
            value = self.draw(st.sampled_from(candidates))
        else:
            if shape is None:
                shape = self.draw(
                    st.sampled_from([s for s in LEAF_SHAPES if len(s) in ndims] or [(3,)])
                )
            value = self.leaf(shape)
        self.used.add(value.name)
        return value

    def bind(self, expression: str, shapes: list[Shape | None], inputs: list[Value]) -> None:
        """`targets = expression`; a None shape is a result without grad (indices)."""
        requires_grad = any(value.requires_grad for value in inputs)
        targets = []
        for shape in shapes:
            name = self.name("v")
            targets.append(name)
            if shape is not None:
                self.pool.append(Value(name, shape, requires_grad))
            else:
                self.used.add(name)  # never weighed into the loss
        self.lines.append(f"{', '.join(targets)} = {expression}")


def _unary(b: _Builder) -> None:
    a = b.pick()
    choices: list[tuple[str, Shape]] = [
        ("torch.tanh({a})", a.shape),
        ("{a}.sigmoid()", a.shape),
        ("{a} * 1.5", a.shape),
        ("torch.sin({a})", a.shape),
        ("{a}.reshape(-1)", (math.prod(a.shape),)),
    ]
    if a.shape:
        choices += [
            ("{a}[0]", a.shape[1:]),
            ("{a}.unsqueeze(0)", (1, *a.shape)),
            ("F.softmax({a}, dim=-1)", a.shape),
            ("{a}.mean()", ()),
            ("{a}.clone()", a.shape),
        ]
        if a.shape[-1] >= 2:
            choices.append(("{a}[..., 1:]", (*a.shape[:-1], a.shape[-1] - 1)))
    if len(a.shape) == 1:
        choices.append(("{a}.expand(2, -1)", (2, *a.shape)))
    if len(a.shape) == 2:
        choices += [("{a}.t()", a.shape[::-1]), ("{a}.sum(dim=0)", a.shape[1:])]
    template, shape = b.draw(st.sampled_from(choices))
    b.ops.append("unary")
    b.bind(template.format(a=a.name), [shape], [a])


def _elementwise(b: _Builder) -> None:
    a = b.pick()
    if len(a.shape) == 2 and b.draw(st.booleans()):
        other = b.pick(a.shape[1:])  # broadcast along the rows
        b.ops.append("mul-broadcast")
        b.bind(f"{a.name} * {other.name}", [a.shape], [a, other])
        return
    other = b.pick(a.shape)
    template = b.draw(
        st.sampled_from(
            [
                "{a} * {b}",
                "torch.mul({a}, {b})",
                "{a} + {b}",
                "{a} - {b}",
                "torch.maximum({a}, {b})",
            ]
        )
    )
    b.ops.append("mul" if "mul" in template or "*" in template else "elementwise")
    b.bind(template.format(a=a.name, b=other.name), [a.shape], [a, other])


def _where(b: _Builder) -> None:
    a = b.pick()
    other = b.pick(a.shape)
    condition = b.pick(a.shape)
    b.ops.append("where")
    b.bind(f"torch.where({condition.name} > 0, {a.name}, {other.name})", [a.shape], [a, other])


def _cat_or_stack(b: _Builder) -> None:
    a = b.pick(ndims=(1, 2))
    if math.prod(a.shape) > GROWABLE:
        _elementwise(b)
        return
    other = b.pick(a.shape)
    kind = b.draw(st.sampled_from(["cat0", "cat-last", "stack0", "stack-last"]))
    names = f"[{a.name}, {other.name}]"
    if kind == "cat0":
        expression, shape = f"torch.cat({names})", (2 * a.shape[0], *a.shape[1:])
    elif kind == "cat-last":
        expression, shape = f"torch.cat({names}, dim=-1)", (*a.shape[:-1], 2 * a.shape[-1])
    elif kind == "stack0":
        expression, shape = f"torch.stack({names})", (2, *a.shape)
    else:
        expression, shape = f"torch.stack({names}, dim=-1)", (*a.shape, 2)
    b.ops.append(kind.split("-")[0].rstrip("0"))
    b.bind(expression, [shape], [a, other])


def _matmul(b: _Builder) -> None:
    a = b.pick(ndims=(1, 2))
    k = a.shape[-1]
    if b.draw(st.booleans()):
        n = b.draw(st.sampled_from(SIZES))
        other = b.pick((k, n))
        shape: Shape = (*a.shape[:-1], n)
        templates = ["{a} @ {b}", "torch.matmul({a}, {b})"]
        if len(a.shape) == 2:
            templates.append("{a}.mm({b})")
    else:
        other = b.pick((k,))
        shape = a.shape[:-1]
        templates = ["{a} @ {b}", "torch.matmul({a}, {b})"]
        templates.append("{a}.mv({b})" if len(a.shape) == 2 else "torch.dot({a}, {b})")
    b.ops.append("matmul")
    b.bind(b.draw(st.sampled_from(templates)).format(a=a.name, b=other.name), [shape], [a, other])


def _linear(b: _Builder) -> None:
    x = b.pick(ndims=(1, 2))
    n = b.draw(st.sampled_from(SIZES))
    weight = b.pick((n, x.shape[-1]))
    inputs = [x, weight]
    if b.draw(st.integers(0, 3)) > 0:
        bias = b.pick((n,))
        inputs.append(bias)
        expression = f"F.linear({x.name}, {weight.name}, {bias.name})"
        b.ops.append("linear-bias")
    else:
        expression = f"F.linear({x.name}, {weight.name})"
        b.ops.append("linear")
    b.bind(expression, [(*x.shape[:-1], n)], inputs)


def _resized(shape: Shape, dim: int, size: int) -> Shape:
    return (*shape[:dim], size, *shape[dim + 1 :])


def _multi_output(b: _Builder) -> None:
    a = b.pick(ndims=(1, 2, 3))
    dim = b.draw(st.integers(0, len(a.shape) - 1))
    size = a.shape[dim]
    rest = a.shape[:dim] + a.shape[dim + 1 :]
    # Splitting needs two elements along `dim`, and so does unbind here: unbinding one element
    # gives a 1-tuple, which the builder would bind to one name as if it were a tensor.
    kinds = [
        k for k in allowed_multi_output() if size >= 2 or k not in ("split", "chunk", "unbind")
    ]
    kind = b.draw(st.sampled_from(kinds))
    shapes: list[Shape | None]
    if kind == "split":
        part = b.draw(st.integers(1, size - 1))
        sizes = [part] * (size // part) + ([size % part] if size % part else [])
        expression = b.draw(
            st.sampled_from(
                [f"{a.name}.split({part}, dim={dim})", f"torch.split({a.name}, {part}, dim={dim})"]
            )
        )
        shapes = [_resized(a.shape, dim, s) for s in sizes]
    elif kind == "chunk":
        chunks = b.draw(st.integers(2, size))
        step = -(-size // chunks)
        sizes = [min(step, size - start) for start in range(0, size, step)]
        expression = f"{a.name}.chunk({chunks}, dim={dim})"
        shapes = [_resized(a.shape, dim, s) for s in sizes]
    elif kind in ("max", "min"):
        expression = f"{a.name}.{kind}(dim={dim})"
        shapes = [rest, None]
    elif kind == "unbind":
        expression = f"{a.name}.unbind({dim})"
        shapes = [rest] * size
    elif kind == "sort":
        expression = f"{a.name}.sort(dim={dim})"
        shapes = [a.shape, None]
    else:  # topk
        k = b.draw(st.integers(1, size))
        expression = f"{a.name}.topk({k}, dim={dim})"
        shapes = [_resized(a.shape, dim, k), None]
    b.ops.append(kind)
    b.bind(expression, shapes, [a])


OPS: list[Callable[[_Builder], None]] = [
    _unary,
    _elementwise,
    _elementwise,
    _where,
    _cat_or_stack,
    _matmul,
    _matmul,
    _linear,
    _multi_output,
    _multi_output,
    _multi_output,
]


@st.composite
def gradient_programs(draw: st.DrawFn) -> GradientProgram:
    b = _Builder(draw)
    b.lines += ["import torch", "import torch.nn.functional as F"]
    for _ in range(draw(st.integers(1, 2))):
        b.leaf(draw(st.sampled_from(LEAF_SHAPES)), requires_grad=True)
    for _ in range(draw(st.integers(2, 7))):
        draw(st.sampled_from(OPS))(b)
    # The loss: every result nothing used yet (and some used ones), each times its own
    # random weights; now and then one is left out, so its gradient is None.
    candidates = [
        value
        for value in b.pool
        if value.requires_grad and (value.name not in b.used or draw(st.integers(0, 4)) == 0)
    ]
    if not candidates:
        candidates = [value for value in b.pool if value.requires_grad]
    sums: list[str] = []
    for index, value in enumerate(candidates):
        last_chance = not sums and index == len(candidates) - 1
        if not last_chance and draw(st.integers(0, 6)) == 0:
            continue
        dims = _size_arguments(value.shape)
        weight, weighed, total = f"k{index}", f"w{index}", f"s{index}"
        b.lines.append(f"{weight} = torch.randn({dims})")
        b.lines.append(f"{weighed} = {value.name} * {weight}")
        b.lines.append(f"{total} = {weighed}.sum()")
        sums.append(total)
    b.lines.append("loss = " + " + ".join(sums))
    b.lines.append("loss.backward()")
    seed = draw(st.sampled_from([0, 1, 7]))
    return GradientProgram("\n".join(b.lines) + "\n", seed, tuple(b.ops))
