"""The request's `backward` and `jacobian` agree with real torch on the program's final state.

A requested backward is defined as `OUTPUT.backward(gradient=GRADIENT, retain_graph=R)` added
as the program's last line, so the oracle runs exactly that program. A requested Jacobian is
J[i, j] = d output_i / d input_j (flattened), computed here with one autograd.grad per row.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import torch

from app.runner import run_program
from tests.differential.compare import tensor_differences
from tests.differential.oracle import run_reference

CHAIN = """
import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
"""
VECTOR = """
import torch
x = torch.randn(3, requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
"""
ACCUMULATE = """
import torch
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward(retain_graph=True)
"""
LINEAR = """
import torch
W = torch.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], requires_grad=True)
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
b = torch.zeros(2, requires_grad=True)
h = torch.tanh(W @ x + b)
s = (h * h).sum()
"""
# A Function of the program whose backward prints, and one whose backward fails: their output
# and their error's line (inside `backward`) are the program's, as after a last backward line.
LOUD_FUNCTION = """
import torch
class Twice(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2
    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        print('Twice.backward got', grad_output)
        return grad_output * 2
x = torch.tensor([1.0, -2.0], requires_grad=True)
print('forward done')
y = Twice.apply(x)
s = (y * y).sum()
"""
FAILING_FUNCTION = """
import torch
class Broken(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.exp()
    @staticmethod
    def backward(ctx, grad_output):
        print('Broken.backward ran')
        scale = grad_output.sum().item()
        return grad_output * missing_name + scale
x = torch.tensor([0.5, 1.0], requires_grad=True)
s = Broken.apply(x).sum()
"""
WRONG_COUNT_FUNCTION = """
import torch
class TooMany(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x + 1
    @staticmethod
    def backward(ctx, grad_output):
        print('TooMany.backward ran')
        return grad_output, grad_output
x = torch.ones(2, requires_grad=True)
s = TooMany.apply(x).sum()
"""
# A warning torch raises inside the program's backward: at that line, as after a last line.
WARNING_FUNCTION = """
import torch
class Copies(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 3
    @staticmethod
    def backward(ctx, grad_output):
        print('Copies.backward ran')
        copy = torch.tensor(grad_output)
        return copy * 3
x = torch.tensor([1.0, 2.0], requires_grad=True)
s = Copies.apply(x).sum()
"""
PROGRAM_FUNCTION_REQUESTS = [
    ("function-backward-warns", WARNING_FUNCTION, {"output": "s"}),
    ("function-backward-prints", LOUD_FUNCTION, {"output": "s"}),
    ("function-backward-vector", LOUD_FUNCTION, {"output": "y", "gradient": [1.0, 0.5]}),
    ("function-backward-fails", FAILING_FUNCTION, {"output": "s"}),
    ("function-backward-wrong-count", WRONG_COUNT_FUNCTION, {"output": "s"}),
]

BACKWARD_REQUESTS = [
    ("scalar-output", CHAIN, {"output": "out"}),
    ("vector-gradient", VECTOR, {"output": "y", "gradient": [0.1, 1.0, 0.0001]}),
    ("number-gradient", CHAIN, {"output": "out", "gradient": 2.0}),
    ("nested-gradient", CHAIN, {"output": "z", "gradient": [[1.0, 0.0], [0.5, 2.0]]}),
    ("after-program-backward", ACCUMULATE, {"output": "y", "retain_graph": True}),
    ("non-scalar-without-gradient", CHAIN, {"output": "z"}),
    ("gradient-of-wrong-shape", VECTOR, {"output": "y", "gradient": [1.0, 2.0]}),
    ("matrix-through-tanh", LINEAR, {"output": "h", "gradient": [1.0, -1.0]}),
    *PROGRAM_FUNCTION_REQUESTS,
]


def _appended_backward(source: str, request: dict[str, Any]) -> str:
    output = request["output"]
    arguments = []
    if "gradient" in request:
        arguments.append(f"gradient=torch.tensor({request['gradient']!r}, dtype={output}.dtype)")
    if request.get("retain_graph"):
        arguments.append("retain_graph=True")
    return source + f"{output}.backward({', '.join(arguments)})\n"


@pytest.mark.parametrize(
    ("source", "request_"),
    [(source, request) for _, source, request in BACKWARD_REQUESTS],
    ids=[case_id for case_id, _, _ in BACKWARD_REQUESTS],
)
def test_backward_request_equals_a_last_backward_line(
    source: str, request_: dict[str, Any]
) -> None:
    source = textwrap.dedent(source).lstrip("\n")
    reference = run_reference(_appended_backward(source, request_))

    result = run_program(source, seed=0, backward=request_)

    assert result["stdout"] == reference.stdout
    if reference.error is None:
        assert result["ok"], result["error"]
    else:
        assert result["error"] is not None
        assert result["error"]["type"] == reference.error["type"]
        assert result["error"]["message"] == reference.error["message"]
    found = tensor_differences(reference.tensors, result["variables"])
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("source", "request_"),
    [(source, request) for _, source, request in PROGRAM_FUNCTION_REQUESTS],
    ids=[case_id for case_id, _, _ in PROGRAM_FUNCTION_REQUESTS],
)
def test_a_requested_backward_through_a_program_function_keeps_its_prints_and_lines(
    source: str, request_: dict[str, Any]
) -> None:
    source = textwrap.dedent(source).lstrip("\n")
    appended = _appended_backward(source, request_)
    last_line = appended.count("\n")
    reference = run_reference(appended)

    result = run_program(source, seed=0, backward=request_)

    assert "backward" in result["stdout"] and result["stdout"] == reference.stdout
    assert result["warnings"] == reference.warnings
    if reference.error is None:
        assert result["ok"], result["error"]
        return
    error = result["error"]
    if reference.error["line"] == last_line:
        # torch's own error after the program's backward returned: the request has no line.
        assert error["line"] is None
    else:  # raised inside the program's backward: that line, as CPython reports it
        assert error["line"] == reference.error["line"]
        if reference.error["col"] is not None:  # CPython before 3.11 reports no column
            assert error["col"] == reference.error["col"]


JACOBIAN_REQUESTS = [
    ("square", "import torch\nx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\ny = x**2\n"),
    ("chain-rule", textwrap.dedent(CHAIN).lstrip("\n")),
    ("vector-backward", textwrap.dedent(VECTOR).lstrip("\n")),
    ("matrix-input", textwrap.dedent(LINEAR).lstrip("\n")),
]
JACOBIAN_PAIRS = {
    "square": [("y", "x")],
    "chain-rule": [("z", "x"), ("out", "y")],
    "vector-backward": [("y", "x")],
    "matrix-input": [("h", "W"), ("h", "x"), ("s", "b")],
}


def _reference_jacobian(output: torch.Tensor, source: torch.Tensor) -> list[list[float]]:
    rows = []
    for index in range(output.numel()):
        (row,) = torch.autograd.grad(
            output.reshape(-1)[index], source, retain_graph=True, allow_unused=True
        )
        rows.append(torch.zeros(source.numel()) if row is None else row.detach().reshape(-1))
    return torch.stack(rows).tolist()


@pytest.mark.parametrize(
    ("source", "output", "input_"),
    [
        (source, output, input_)
        for case_id, source in JACOBIAN_REQUESTS
        for output, input_ in JACOBIAN_PAIRS[case_id]
    ],
    ids=[
        f"{case_id}-d{output}-d{input_}"
        for case_id, _ in JACOBIAN_REQUESTS
        for output, input_ in JACOBIAN_PAIRS[case_id]
    ],
)
def test_jacobian_request_matches_autograd(source: str, output: str, input_: str) -> None:
    reference = run_reference(source)
    assert reference.ok, reference.error
    expected = _reference_jacobian(reference.namespace[output], reference.namespace[input_])

    result = run_program(source, seed=0, jacobian={"output": output, "input": input_})

    assert result["ok"], result["error"]
    jacobian = result["jacobian"]
    assert (jacobian["output"], jacobian["input"]) == (output, input_)
    assert jacobian["shape"] == [len(expected), len(expected[0])]
    assert jacobian["matrix"] == expected
    # Reading the Jacobian must not change what the program left behind.
    found = tensor_differences(reference.tensors, result["variables"])
    assert not found, "\n".join(found)
