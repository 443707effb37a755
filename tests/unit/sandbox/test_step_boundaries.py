"""The step limit is exact on every path that counts steps: `steps` steps run, one more is refused.

What one step is, per construct (the compiler, whose constructs call compiler/steps.py's guard,
and the direct `ctx.step()` callers):
- a simple statement (assignment — the capture-off fast path too —, expression, `pass`, `def`,
  `return`, …) and an `if`/`with` header: one step at its line, before it runs;
- `while`: one step at its line each time the test is evaluated (k iterations: k + 1);
- `for`: one step at its line before the iterable is evaluated, then one per item;
- a list comprehension: one step at its line per item, at every level;
- calling a program's function (`def` or `lambda`): one step, at the line of the call;
- `in` over a lazy iterator (zip, enumerate, reversed) and a builtin consuming one (`list`,
  `max`, `sum`, `dict`, …): one step per item taken, at the line of the statement.

Each case lists the line of every step its program takes, from these rules. The tests then run
the program with every limit from 0 to the total: the full total runs; any smaller limit `n`
stops the run at step n + 1, on that step's line, with LimitExceeded naming "steps".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from app.runner import run_program
from app.sandbox.limits import Limits


@dataclass(frozen=True)
class StepCase:
    source: str
    lines: list[int]  # the line of each step, in order (so the total is len(lines))


def _while_with_empty_body(k: int) -> StepCase:
    # The test pops 1s until it pops the 0: k passes through the body, k + 1 tests.
    source = f"xs = [0] + [1] * {k}\nwhile xs.pop():\n    pass\n"
    return StepCase(source, [1] + [2, 3] * k + [2])


def _for_over_range(k: int) -> StepCase:
    source = f"for i in range({k}):\n    pass\n"
    return StepCase(source, [1] + [1, 2] * k)


def _assignment_while_loop(k: int) -> StepCase:
    # With capture off, `i = i + 1` at top level is the compiler's fast-assignment closure.
    source = f"i = 0\nwhile i < {k}:\n    i = i + 1\n"
    return StepCase(source, [1] + [2, 3] * k + [2])


def _assignment_for_loop(k: int) -> StepCase:
    source = f"total = 0\nfor i in range({k}):\n    total = total + i\ndone = total\n"
    return StepCase(source, [1, 2] + [2, 3] * k + [4])


def _comprehension(k: int) -> StepCase:
    source = f"ys = [i * 2 for i in range({k})]\nzs = [y for y in ys if y > 2]\n"
    return StepCase(source, [1] + [1] * k + [2] + [2] * k)


def _nested_comprehension(k: int) -> StepCase:
    source = f"pairs = [(i, j) for i in range({k}) for j in range(2)]\n"
    return StepCase(source, [1] + [1, 1, 1] * k)


def _in_over_zip(k: int) -> StepCase:
    # Never found: every item of the zip is taken, one step each.
    source = f"xs = list(range({k}))\nfound = (-1, -1) in zip(xs, xs)\n"
    return StepCase(source, [1, 2] + [2] * k)


def _in_over_enumerate(k: int) -> StepCase:
    source = f"xs = list(range({k}))\nfound = (0, -1) in enumerate(xs)\n"
    return StepCase(source, [1, 2] + [2] * k)


def _builtin_list_of_zip(k: int) -> StepCase:
    source = f"xs = list(range({k}))\npairs = list(zip(xs, xs))\n"
    return StepCase(source, [1, 2] + [2] * k)


def _builtin_max_of_enumerate(k: int) -> StepCase:
    source = f"xs = list(range({k}))\nbest = max(enumerate(xs), default=None)\n"
    return StepCase(source, [1, 2] + [2] * k)


def _builtin_sum_of_reversed(k: int) -> StepCase:
    source = f"xs = list(range({k}))\nback = reversed(xs)\ntotal = sum(back)\n"
    return StepCase(source, [1, 2, 3] + [3] * k)


def _builtin_dict_of_zip(k: int) -> StepCase:
    source = f"xs = list(range({k}))\ntable = dict(zip(xs, xs))\n"
    return StepCase(source, [1, 2] + [2] * k)


def _function_calls(k: int) -> StepCase:
    # Each call: a step at the call's line, then the body's `return`.
    source = f"def f(v):\n    return v + 1\nfor i in range({k}):\n    y = f(i)\n"
    return StepCase(source, [1, 3] + [3, 4, 4, 2] * k)


def _lambda_calls(k: int) -> StepCase:
    # A lambda's body is an expression: the call's own step is the last step of the run.
    calls = "f(" * k + "0" + ")" * k
    source = f"f = lambda v: v + 1\ny = {calls}\n"
    return StepCase(source, [1, 2] + [2] * k)


CONSTRUCTS = {
    "while-empty-body": _while_with_empty_body,
    "for-range": _for_over_range,
    "assignment-while-loop": _assignment_while_loop,
    "assignment-for-loop": _assignment_for_loop,
    "comprehension": _comprehension,
    "nested-comprehension": _nested_comprehension,
    "in-zip": _in_over_zip,
    "in-enumerate": _in_over_enumerate,
    "builtin-list-zip": _builtin_list_of_zip,
    "builtin-max-enumerate": _builtin_max_of_enumerate,
    "builtin-sum-reversed": _builtin_sum_of_reversed,
    "builtin-dict-zip": _builtin_dict_of_zip,
    "function-calls": _function_calls,
    "lambda-calls": _lambda_calls,
}


def _run(source: str, steps: int, capture: bool) -> dict[str, Any]:
    # Capture on records the timeline: the compiler then builds the observed closures, not
    # the capture-off fast path (an empty `include` would make the run capture-off too).
    include = ["timeline"] if capture else []
    return run_program(source, limits=Limits(steps=steps), capture=capture, include=include)


@pytest.mark.parametrize("capture", [False, True], ids=["capture-off", "capture-on"])
@pytest.mark.parametrize("k", [0, 1, 3])
@pytest.mark.parametrize("construct", sorted(CONSTRUCTS))
def test_exactly_the_limit_runs_and_one_more_step_is_refused(
    construct: str, k: int, capture: bool
) -> None:
    case = CONSTRUCTS[construct](k)
    total = len(case.lines)

    result = _run(case.source, total, capture)
    assert result["ok"], (total, result["error"])

    for limit in range(total):
        result = _run(case.source, limit, capture)
        error = result["error"]
        assert error is not None, f"ran {total} steps with a limit of {limit}"
        assert (error["type"], error["limit"]) == ("LimitExceeded", "steps"), error
        assert error["message"] == f"The program ran more than {limit} interpreter steps.", error
        assert error["line"] == case.lines[limit], (limit, error)
