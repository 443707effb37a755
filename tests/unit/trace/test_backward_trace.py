"""app/trace/backward_trace.py: the tracer listens to passes the surface runs (TracedPass).

Expected numbers come from the same computation in plain torch, never typed in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch

from app.sandbox.limits import Limits
from app.sandbox.observer import BACKWARD, GRAD, NOT_LISTENING, BackwardPass, PassiveObserver
from app.sandbox.surface.autograd_calls import run_pass
from app.trace.backward_trace import BackwardTracer
from app.trace.nodes import NodeRegistry
from app.trace.recorder import Recorder

APP = Path(__file__).resolve().parents[3] / "app"


def _tracer() -> BackwardTracer:
    return BackwardTracer(NodeRegistry(100), jacobian_cells=100, max_steps=100, value_elements=100)


def _square_sum() -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return x, (x * x).sum()


def _pass(call: str, roots: list[torch.Tensor], **fields: object) -> BackwardPass:
    return BackwardPass(call, roots, None, fields.pop("inputs", None), None, False, 4, **fields)  # type: ignore[arg-type]


def test_a_traced_pass_records_the_steps_torch_ran_and_the_leaf_grads() -> None:
    tracer = _tracer()
    x, y = _square_sum()
    with tracer.listen(_pass(BACKWARD, [y])) as listener:
        torch.autograd.backward([y])
        listener.finished(None)
    (call,) = tracer.calls
    names = [step[0].node.name() for step in call.steps]
    assert names == ["SumBackward0", "MulBackward0", "torch::autograd::AccumulateGrad"]
    ((leaf, grad),) = call.leaf_grads
    assert leaf.tensor is x
    assert x.grad is not None and grad == x.grad.tolist()
    assert call.line == 4 and call.call == "backward" and call.error is None


def test_the_hooks_are_gone_once_the_pass_ends() -> None:
    tracer = _tracer()
    _x, y = _square_sum()
    with tracer.listen(_pass(BACKWARD, [y])) as listener:
        torch.autograd.backward([y], retain_graph=True)
        listener.finished(None)
    steps = tracer.steps_recorded
    torch.autograd.backward([y])  # a plain pass through the same graph: nobody listens
    assert tracer.steps_recorded == steps > 0


def test_autograd_grad_results_are_recorded_as_returned() -> None:
    tracer = _tracer()
    x, y = _square_sum()
    with tracer.listen(_pass(GRAD, [y], inputs=[x])) as listener:
        result = torch.autograd.grad([y], [x])
        listener.finished(result)
    (call,) = tracer.calls
    assert call.results == [result[0].tolist()]
    assert x.grad is None


def test_a_pass_that_fails_before_any_node_ran_is_not_listed() -> None:
    tracer = _tracer()
    x = torch.ones(2, requires_grad=True)
    y = x * 2  # not a scalar: torch refuses the implicit gradient before the engine starts
    with pytest.raises(RuntimeError), tracer.listen(_pass(BACKWARD, [y])):
        torch.autograd.backward([y])
    assert tracer.calls == []


def test_a_pass_that_fails_midway_keeps_its_error_and_the_steps_that_ran() -> None:
    tracer = _tracer()
    x = torch.ones(2, requires_grad=True)
    hidden = x * 3
    hidden.register_hook(lambda grad: (_ for _ in ()).throw(ValueError("stop here")))
    y = (hidden * 2).sum()
    with pytest.raises(ValueError), tracer.listen(_pass(BACKWARD, [y])):
        torch.autograd.backward([y])
    (call,) = tracer.calls
    assert call.error == "ValueError: stop here"
    assert [step[0].node.name() for step in call.steps] == ["SumBackward0", "MulBackward0"]


def test_run_pass_gives_torchs_results_with_or_without_a_listener() -> None:
    for observer in (PassiveObserver(), Recorder(Limits())):
        x, y = _square_sum()
        (got,) = run_pass(_pass(GRAD, [y], inputs=[x]), observer) or (None,)
        tx, ty = _square_sum()
        (want,) = torch.autograd.grad(ty, tx)
        assert got is not None and torch.equal(got, want)
    assert PassiveObserver().backward_pass(_pass(BACKWARD, [y])) is NOT_LISTENING


def _callers_of(function: str) -> set[str]:
    """Modules of app/ that call torch.autograd.<function>(...) (example programs are data)."""
    found = set()
    for path in APP.rglob("*.py"):
        if (APP / "examples" / "programs") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == function
                and ast.unparse(node.func.value) == "torch.autograd"
            ):
                found.add(str(path.relative_to(APP)))
    return found


def test_only_the_surface_runs_a_pass() -> None:
    assert _callers_of("backward") == {"sandbox/surface/autograd_calls.py"}
    # The Jacobians shown in the trace are read off the graph, not a pass of the program.
    assert _callers_of("grad") == {"sandbox/surface/autograd_calls.py", "trace/jacobian.py"}


# A Function of the program whose backward prints what it received and what it returns: the
# trace step of its node must hold those numbers, taken from the program's one real call.
_PRINTING_FUNCTION = (
    "import torch\n"
    "class Clip(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x, limit):\n"
    "        ctx.save_for_backward(x)\n"
    "        ctx.limit = limit\n"
    "        return x.clamp(-limit, limit)\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad_output):\n"
    "        x, = ctx.saved_tensors\n"
    "        grad = grad_output * (x.abs() <= ctx.limit)\n"
    "        print(grad_output.tolist(), grad.tolist())\n"
    "        return grad, None\n"
    "x = torch.tensor([0.5, -3.0, 1.5], requires_grad=True)\n"
    "y = Clip.apply(x * 2, 2.0)\n"
    "(y * torch.tensor([1.0, 2.0, -4.0])).sum().backward()\n"
)


def test_a_program_functions_step_holds_what_its_backward_received_and_returned() -> None:
    from app.runner import run_program

    result = run_program(_PRINTING_FUNCTION)
    assert result["ok"], result["error"]
    [line] = result["stdout"].splitlines()  # backward ran once: the capture never reran it
    received_text, returned_text = line.split("] [")
    received = ast.literal_eval(received_text + "]")
    returned = ast.literal_eval("[" + returned_text)
    [node] = [n for n in result["graph"]["nodes"] if n.get("name") == "ClipBackward"]
    assert node["backward_line"] == 9
    [step] = [
        s for call in result["backward_trace"] for s in call["steps"] if s["node"] == node["id"]
    ]
    assert step["grads_in"] == [received]
    # One gradient per input that takes one: the `None` for `limit` has no edge.
    assert step["grads_out"] == [returned]
    # And the real torch computation agrees with both.
    x = torch.tensor([0.5, -3.0, 1.5])
    upstream = torch.tensor([1.0, 2.0, -4.0])
    assert received == upstream.tolist()
    assert returned == (upstream * ((x * 2).abs() <= 2.0)).tolist()
