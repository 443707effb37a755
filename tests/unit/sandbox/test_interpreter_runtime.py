"""The interpreter's contract with its neighbours: observer calls, warnings, evaluate(),
interpreted functions called back by torch, and messages free of server details."""

from __future__ import annotations

import textwrap
import time

import pytest
import torch

from app.sandbox.errors import ProgramError
from app.sandbox.interpreter import EvaluationError, InterpretedFunction
from app.sandbox.limits import Limits
from tests.differential.oracle import run_reference
from tests.unit.sandbox.interpreter_driver import StatementRecorder, interpreter_after, run


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_every_executed_statement_is_reported_with_its_bindings() -> None:
    recorder = StatementRecorder()
    source = _source("""
        import torch
        x = torch.ones(2, requires_grad=True)
        total = 0
        for i in range(3):
            total = total + i
        def f(v):
            w = v * 2
            return w
        y = f(x)
        print(total)
        xs = [1]
        xs[0] = 5
    """)
    outcome = run(source, observer=recorder)
    assert outcome.ok, outcome.error
    lines = [line for line, _, _ in recorder.statements]
    # Loop iterations are separate entries; statements inside a function are reported too.
    assert lines == [1, 2, 3, 4, 5, 4, 5, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    bindings = [names for _, names, _ in recorder.statements]
    assert bindings[0] == {"torch": outcome.globals["torch"]}
    assert bindings[3] == {"i": 0} and bindings[4] == {"total": 0}
    assert bindings[8] == {"total": 3}
    assert bindings[10] == {} and bindings[11] == {}  # locals of f are not global bindings
    assert bindings[12]["y"] is outcome.globals["y"]
    assert bindings[15] == {"xs": [5]}  # subscript assignment changes xs
    stdout_lengths = [length for _, _, length in recorder.statements]
    assert stdout_lengths[12] == 0 and stdout_lengths[13] == len("3\n")  # after the print


def test_ops_are_reported_with_the_line_of_their_expression() -> None:
    recorder = StatementRecorder()
    source = "import torch\nx = torch.ones(2)\ny = (x\n     * 2)\n"
    outcome = run(source, observer=recorder)
    assert outcome.ok, outcome.error
    assert recorder.ops[-1] == 3


def test_warnings_are_collected_once_per_line_like_cpython() -> None:
    source = _source("""
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        for i in range(3):
            g = y.grad
        h = y.grad
    """)
    outcome = run(source)
    reference = run_reference(source)
    assert outcome.ok, outcome.error
    found = [(w["category"], w["line"]) for w in outcome.warnings]
    assert found == [(w["category"], w["line"]) for w in reference.warnings]
    assert found == [("UserWarning", 5), ("UserWarning", 6)]
    assert all("is not a leaf Tensor" in w["message"] for w in outcome.warnings)


def test_evaluate_reads_the_final_state_in_the_same_language() -> None:
    interpreter = interpreter_after(
        "import torch\nx = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\n"
    )
    grad = interpreter.evaluate("x.grad")
    assert isinstance(grad, torch.Tensor)
    assert grad.tolist() == [3.0, 3.0]
    assert interpreter.evaluate("[v * 2 for v in range(3)]") == [0, 2, 4]
    with pytest.raises(EvaluationError) as refused:
        interpreter.evaluate("x.__class__")
    assert refused.value.error.type == "SandboxViolation"
    with pytest.raises(EvaluationError) as missing:
        interpreter.evaluate("q")
    assert (missing.value.error.type, missing.value.error.message) == (
        "NameError",
        "name 'q' is not defined",
    )
    with pytest.raises(EvaluationError) as statement:
        interpreter.evaluate("y = 1")
    assert statement.value.error.type == "SyntaxError"


def test_evaluate_is_bounded_like_a_program() -> None:
    interpreter = interpreter_after("def spin(n):\n    return spin(n)\n", Limits(call_depth=20))
    with pytest.raises(EvaluationError) as exceeded:
        interpreter.evaluate("spin(1)")
    assert exceeded.value.error.limit == "call_depth"


def test_interpreted_functions_are_callable_from_python_under_the_same_budget() -> None:
    interpreter = interpreter_after("def double(v, k=2):\n    return v * k\n", Limits(steps=50))
    double = interpreter.globals["double"]
    assert isinstance(double, InterpretedFunction)
    assert double(21) == 42
    assert double(1, k=5) == 5
    assert repr(double) == "<function double>"


def test_builtins_shared_by_all_runs_act_on_the_calling_run() -> None:
    # The builtin tables are built once per process; each call must still print to, and be
    # limited by, the run whose code made it.
    first = interpreter_after("def say(text):\n    print(text)\n", Limits(stdout_bytes=10))
    interpreter_after("print('second')\n")  # a later run in the same process
    first.evaluate("say('first')")  # 6 of the first run's 10 bytes
    with pytest.raises(EvaluationError) as exceeded:
        first.evaluate("say('more')")  # 5 more: over the limit only if both went to the first run
    assert exceeded.value.error.limit == "stdout_bytes"


@pytest.mark.parametrize(
    "name",
    ["hook", "jacobian"],
)
def test_torch_calls_user_functions_through_the_interpreter(name: str) -> None:
    sources = {
        "hook": """
            import torch
            x = torch.tensor([1.0, 2.0], requires_grad=True)
            y = x * 3
            h = y.register_hook(lambda g: g * 10)
            y.sum().backward()
            print(x.grad)
        """,
        "jacobian": """
            import torch
            def f(v):
                return v ** 2
            x = torch.tensor([1.0, 2.0])
            print(torch.autograd.functional.jacobian(f, x))
        """,
    }
    source = _source(sources[name])
    reference = run_reference(source)
    outcome = run(source)
    assert outcome.ok, outcome.error
    assert outcome.stdout == reference.stdout


def test_an_error_inside_a_hook_is_reported_in_the_hook() -> None:
    source = _source("""
        import torch
        def hook(g):
            return g + 'x'
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        h = y.register_hook(hook)
        y.sum().backward()
    """)
    outcome = run(source)
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.line) == ("TypeError", 3)


def test_nothing_prints_an_address() -> None:
    source = _source("""
        import torch
        f = lambda: 1
        def g():
            pass
        print(f, g, [g], zip([1], [2]), enumerate([]), reversed([1]), print, len, int)
        y = torch.ones(1, requires_grad=True) * 2
        print(y.grad_fn, {'f': y.grad_fn}, repr(y.grad_fn), f'{y.grad_fn}', str(g))
        print([].append, {}.keys())
    """)
    outcome = run(source)
    assert outcome.ok, outcome.error
    assert "0x" not in outcome.stdout
    assert "<function <lambda>> <function g> [<function g>] <zip object>" in outcome.stdout
    assert "<built-in function print> <built-in function len> <class 'int'>" in outcome.stdout


def test_error_messages_carry_no_server_paths() -> None:
    outcome = run("import torch\nx = torch.ones(2)\nx.view(3)\n")
    assert outcome.error is not None
    assert "/work/" not in outcome.error.message
    assert "site-packages" not in outcome.error.message


def test_common_errors_come_with_a_hint() -> None:
    outcome = run("import torch\nx = torch.ones(3, requires_grad=True)\n(x * 2).backward()\n")
    assert isinstance(outcome.error, ProgramError)
    assert outcome.error.type == "RuntimeError"
    assert outcome.error.hint is not None and "gradient" in outcome.error.hint


def test_grad_mode_is_restored_when_a_with_block_fails() -> None:
    outcome = run("import torch\nwith torch.no_grad():\n    x = 1 + 'a'\n")
    assert outcome.error is not None and outcome.error.type == "TypeError"
    assert torch.is_grad_enabled()


def test_plain_value_attributes_outside_the_table_are_refused() -> None:
    outcome = run("xs = [3, 1]\nxs.sort()\nxs.__len__\n")
    assert outcome.error is not None
    assert outcome.error.type == "SandboxViolation"
    outcome = run("xs = [3, 1]\nxs.sort()\nf = xs.__len__\n")
    outcome = run("xs = [3, 1]\nxs.sort()\nr = xs.remove\n")
    assert outcome.error is not None
    assert (outcome.error.type, outcome.error.line) == ("SandboxViolation", 3)
    assert "'list.remove'" in outcome.error.message


def test_type_objects_expose_nothing() -> None:
    outcome = run("m = int.from_bytes\n")
    assert outcome.error is not None and outcome.error.type == "SandboxViolation"


def test_functions_defined_by_the_program_get_the_budget_of_each_evaluation() -> None:
    limits = Limits(seconds=0.3)
    interpreter = interpreter_after("def twice(v):\n    w = v * 2\n    return w\n", limits)
    time.sleep(0.4)  # the grader asks after the run's own deadline has passed
    assert interpreter.evaluate("twice(21)") == 42
