"""Hypothesis strategies for hostile programs in the allowed language.

The surface is read from the capability table (the same table the validator enforces), so every
allowed torch function, tensor method, `F` function, `nn` class, builtin and plain method gets
called — with arguments chosen to hurt: sizes at and past the limits, negative and huge numbers,
NaN/inf, every dtype, refused keyword arguments, nested lists, tensors of the wrong rank, hooks
and lambdas, loops around all of it. Most programs fail; the property is *how* they fail.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from app.sandbox.capabilities import capabilities
from app.sandbox.limits import Limits

LIMITS = Limits()
_SIDE = int(LIMITS.tensor_elements**0.5)

HOSTILE_INTS = [
    "0",
    "1",
    "-1",
    "2",
    "3",
    "-2",
    "7",
    "100",
    "1000",
    str(_SIDE),
    str(_SIDE + 1),
    str(LIMITS.tensor_elements),
    str(LIMITS.tensor_elements + 1),
    "10**6",
    "10**9",
    "2**31",
    "2**31 - 1",
    "2**63 - 1",
    "-2**63",
    "2**64",
    "10**18",
    "-10**9",
    str(LIMITS.list_length),
    str(LIMITS.pow_exponent),
    str(LIMITS.int_bits),
]
HOSTILE_FLOATS = [
    "0.0",
    "-0.0",
    "0.5",
    "1e-30",
    "1e30",
    "1e308",
    "-1e308",
    "float('nan')",
    "float('inf')",
    "-float('inf')",
    "3.5",
]
DTYPES = [
    "torch.float32",
    "torch.float64",
    "torch.float16",
    "torch.bfloat16",
    "torch.int64",
    "torch.int32",
    "torch.int8",
    "torch.uint8",
    "torch.bool",
    "torch.long",
    "torch.float",
]
SHAPES = [
    "()",
    "(0,)",
    "(3,)",
    "(2, 3)",
    "(3, 3)",
    "(1, 1, 1)",
    "(2, 0, 3)",
    "(-1,)",
    "(3, -1)",
    f"({_SIDE}, {_SIDE})",
    f"({_SIDE}, {_SIDE + 1})",
    "(10**6, 10**6)",
    "(2**31,)",
    "(1,) * 40",
    "(2,) * 21",
    "[3, 3]",
    "(3.5,)",
    "('a',)",
    "(True, 2)",
]
KWARG_NAMES = [
    "dim",
    "keepdim",
    "dtype",
    "requires_grad",
    "out",
    "generator",
    "layout",
    "memory_format",
    "pin_memory",
    "device",
    "retain_graph",
    "create_graph",
    "gradient",
    "inputs",
    "alpha",
    "min",
    "max",
    "p",
    "beta",
    "reduction",
    "weight",
    "lr",
    "momentum",
    "size",
    "fill_value",
    "steps",
    "start",
    "end",
    "diagonal",
    "correction",
    "unbiased",
    "ord",
    "equation",
]
DEVICES = ["'cpu'", "'cuda'", "'meta'", "'cpu:0'", "'mps'"]
STRINGS = ["'ii->i'", "'ij,jk->ik'", "'i,j->ij'", "'sum'", "'mean'", "'none'", "''", "'a' * 50"]


@lru_cache(maxsize=1)
def surface() -> dict[str, list[str]]:
    """Callable names of the allowed language, by how they are spelled in a program."""
    table: dict[str, Any] = capabilities()
    torch_table = table["torch"]

    def names(namespace: str, key: str) -> list[str]:
        return [entry["name"] for entry in torch_table.get(namespace, {}).get(key, [])]

    return {
        "torch": [f"torch.{n}" for n in names("torch", "functions")],
        "F": [f"F.{n}" for n in names("torch.nn.functional", "functions")],
        "nn": [f"nn.{n}" for n in names("torch.nn", "classs")],
        "autograd": [f"torch.autograd.{n}" for n in names("torch.autograd", "functions")]
        + [
            f"torch.autograd.functional.{n}"
            for n in names("torch.autograd.functional", "functions")
        ],
        "optim": [f"torch.optim.{n}" for n in names("torch.optim", "classs")],
        "methods": list(table["tensor"]["methods"]),
        "attributes": list(table["tensor"]["attributes"]),
        "builtins": [b for b in table["builtins"] if b not in ("True", "False", "None")],
        "module_methods": list(table["nn_module"]["methods"]),
        "list_methods": list(table["plain_methods"]["list"]),
        "str_methods": list(table["plain_methods"]["str"]),
    }


def _atoms(names: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(names),
        st.sampled_from(HOSTILE_INTS),
        st.sampled_from(HOSTILE_FLOATS),
        st.sampled_from(DTYPES),
        st.sampled_from(SHAPES),
        st.sampled_from(STRINGS + DEVICES + ["None", "True", "False", "[]", "lambda g: g * 2"]),
        st.integers(-(2**70), 2**70).map(str),
    )


def _nested(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + ", ".join(xs) + ")"),
            st.tuples(
                inner, st.sampled_from(["+", "*", "@", "**", "-", "/", "//", "<<"]), inner
            ).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
            st.tuples(inner, inner).map(lambda p: f"{p[0]}[{p[1]}]"),
        ),
        max_leaves=5,
    )


@st.composite
def _call(draw: st.DrawFn, names: list[str]) -> str:
    s = surface()
    simple = st.one_of(
        st.sampled_from(names),
        st.sampled_from(["0", "1", "-1", "2", "3", "0.5", "True"]),
        st.sampled_from(SHAPES[:6] + DTYPES[:3]),
    )
    # Mostly plausible arguments, so that programs get past their first line; sometimes wild.
    value = st.one_of(simple, simple, simple, _nested(_atoms(names)))
    args = draw(st.lists(value, max_size=3))
    kwargs = draw(
        st.lists(
            st.tuples(st.sampled_from(KWARG_NAMES), value), max_size=2, unique_by=lambda kv: kv[0]
        )
    )
    arguments = ", ".join(args + [f"{k}={v}" for k, v in kwargs])
    kind = draw(
        st.sampled_from(
            [
                "torch",
                "torch",
                "method",
                "method",
                "F",
                "nn",
                "autograd",
                "optim",
                "builtin",
                "attribute",
                "plain",
            ]
        )
    )
    if kind == "method":
        return f"{draw(st.sampled_from(names))}.{draw(st.sampled_from(s['methods']))}({arguments})"
    if kind == "attribute":
        return f"{draw(st.sampled_from(names))}.{draw(st.sampled_from(s['attributes']))}"
    if kind == "builtin":
        return f"{draw(st.sampled_from(s['builtins']))}({arguments})"
    if kind == "plain":
        target, methods = draw(
            st.sampled_from([("xs", s["list_methods"]), ("word", s["str_methods"])])
        )
        return f"{target}.{draw(st.sampled_from(methods))}({arguments})"
    if kind == "optim":
        return f"{draw(st.sampled_from(s['optim']))}(layer.parameters(), {arguments})"
    return f"{draw(st.sampled_from(s[kind]))}({arguments})"


PROLOGUE = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
x = torch.randn(3, requires_grad=True)
m = torch.ones(3, 3, requires_grad=True)
i = torch.arange(6)
layer = nn.Linear(3, 2)
xs = [1, 2, 3]
word = 'grad'
"""


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


@st.composite
def hostile_programs(draw: st.DrawFn) -> str:
    """A program of 1-8 hostile statements after a small valid prologue."""
    names = ["x", "m", "i", "layer"]
    lines = [PROLOGUE.rstrip("\n")]
    for index in range(draw(st.integers(1, 8))):
        name = f"v{index}"
        statement = f"{name} = {draw(_call(names))}"
        twist = draw(
            st.sampled_from(
                ["", "", "", "loop", "deep_loop", "def", "hook", "no_grad", "backward", "print"]
            )
        )
        if twist == "loop":
            statement = f"for k in range({draw(st.sampled_from(HOSTILE_INTS))}):\n" + _indent(
                statement
            )
        elif twist == "deep_loop":
            statement = "while True:\n" + _indent(statement)
        elif twist == "def":
            recursive = f"def g{index}(a, b=1):\n    return g{index}(a, b)\n"
            statement = f"{recursive}{statement}\n_r = g{index}(1)"
        elif twist == "hook":
            factor = draw(st.sampled_from(HOSTILE_FLOATS))
            statement = f"{statement}\nx.register_hook(lambda g: g * {factor})"
        elif twist == "no_grad":
            statement = "with torch.no_grad():\n" + _indent(statement)
        elif twist == "backward":
            statement = f"{statement}\n{name}.sum().backward()"
        elif twist == "print":
            width = draw(st.sampled_from(HOSTILE_INTS))
            statement = f"{statement}\nprint({name}, f'{{{name}!r:>{width}}}')"
        lines.append(statement)
        names.append(name)
    return "\n".join(lines) + "\n"
