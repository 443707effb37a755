"""app/trace/program_reprs.py + app/sandbox/aside.py: `variables` shows the program's own
`__repr__` of its objects, computed after the run, aside, without changing anything the run
produced. Expected texts come from real CPython running the same program."""

from __future__ import annotations

import time
from typing import Any

import torch

from app.runner import execute_program, run_program
from app.sandbox.limits import Limits
from tests.api.oracle import run_with_torch

VALUE_CLASS = """\
import torch
import torch.nn as nn
class Value:
    def __init__(self, data, label=''):
        self.data = data
        self.label = label
    def __repr__(self):
        return f"Value(data={self.data}, label={self.label!r})"
class Plain:
    def __init__(self):
        self.x = 1
class Net(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.width = width
        self.fc = nn.Linear(2, width)
    def extra_repr(self):
        return f"width={self.width}"
    def forward(self, x):
        return self.fc(x)
a = Value(2.0, 'a')
params = [Value(1), (Value(-3.5, 'c'), a)]
p = Plain()
model = Net(3)
"""


def _oracle(source: str) -> dict[str, Any]:
    return run_with_torch(source)


def test_variables_show_the_programs_own_repr_as_cpython_prints_it() -> None:
    reference = _oracle(VALUE_CLASS)
    result = run_program(VALUE_CLASS)
    assert result["ok"], result["error"]
    variables = result["variables"]
    assert variables["a"]["repr"] == repr(reference["a"])
    [first, pair] = variables["params"]["items"]
    assert first["repr"] == repr(reference["params"][0])
    assert [item["repr"] for item in pair["items"]] == [repr(v) for v in reference["params"][1]]
    # The module: torch's own repr with the program's extra_repr, and its parameters.
    assert variables["model"]["repr"] == repr(reference["model"])
    assert "width=3" in variables["model"]["repr"]
    assert set(variables["model"]["parameters"]) == {"fc.weight", "fc.bias"}
    # No __repr__ defined: the short form (CPython's shows an address the page never does).
    assert variables["p"]["repr"] == "<Plain object>"
    assert " object at 0x" in repr(reference["p"])


DICT_OF_VALUES = """\
class Value:
    def __init__(self, data):
        self.data = data
    def __repr__(self):
        return f"Value({self.data})"
class Key:
    def __repr__(self):
        return "Key()"
table = {"w": Value(0.5), "pair": [Value(1), (Value(2),)], Key(): {"inner": Value(3)}}
plain = {"n": 1, "s": [2, 3]}
"""


def test_dicts_show_the_programs_repr_of_their_keys_values_and_whole() -> None:
    reference = _oracle(DICT_OF_VALUES)
    result = run_program(DICT_OF_VALUES)
    assert result["ok"], result["error"]
    table = result["variables"]["table"]
    assert table["repr"] == repr(reference["table"])
    [w, pair, inner] = table["entries"]
    expected = list(reference["table"].items())
    assert w["value"]["repr"] == repr(expected[0][1])
    [first, (second,)] = expected[1][1]
    assert pair["value"]["items"][0]["repr"] == repr(first)
    assert pair["value"]["items"][1]["items"][0]["repr"] == repr(second)
    assert inner["key"]["repr"] == repr(expected[2][0]) == "Key()"
    assert inner["value"]["repr"] == repr(expected[2][1])
    # A dict holding no object of the program keeps the repr the capture made (no call aside).
    assert result["variables"]["plain"]["repr"] == repr(reference["plain"])


# A __repr__ with side effects: it prints, counts its calls and changes a tensor in place.
NOISY_REPR = """\
import torch
calls = [0]
class Value:
    def __init__(self, data):
        self.data = data
        self.w = torch.tensor([1.0, 2.0])
    def __repr__(self):
        calls[0] += 1
        print('repr ran', calls[0])
        self.w.add_(100)
        return f"Value({self.data})"
v = Value(1.5)
w = v.w
total = 0
for i in range(40):
    total += i
print('calls', calls[0], 'total', total, w.tolist())
"""


def _program_state(result: dict[str, Any]) -> tuple[Any, ...]:
    variables = result["variables"]
    return (
        result["stdout"],
        result["error"],
        variables["calls"],
        variables["total"],
        variables["w"]["value"],
    )


def test_a_noisy_repr_changes_nothing_the_run_produced() -> None:
    reference = _oracle(NOISY_REPR)
    captured = run_program(NOISY_REPR)
    plain = run_program(NOISY_REPR, capture=False)
    nothing = run_program(NOISY_REPR, include=[])
    assert captured["ok"], captured["error"]
    # Bit-identical with and without capture, and what CPython printed (no "repr ran").
    assert _program_state(captured) == _program_state(plain) == _program_state(nothing)
    assert captured["stdout"] == reference["__stdout__"]
    assert captured["variables"]["calls"]["items"] == [{"kind": "int", "value": 0}]
    assert captured["variables"]["w"]["value"] == reference["w"].tolist() == [1.0, 2.0]
    # The graph and the timeline were built before the repr ran, and hold none of its work.
    [node] = [n for n in captured["graph"]["nodes"] if "w" in n.get("names", [])]
    assert node["value"] == [1.0, 2.0]
    repr_lines = {8, 9, 10, 11}
    assert all(entry["line"] not in repr_lines for entry in captured["timeline"])
    # And the repr itself is shown (it ran once, aside, for `v`).
    assert captured["variables"]["v"]["repr"] == "Value(1.5)"


def test_a_program_at_its_step_limit_still_runs_and_its_repr_has_a_budget_of_its_own() -> None:
    execution = execute_program(NOISY_REPR)
    assert execution.result["ok"]
    assert execution.interpreter is not None
    used = execution.interpreter.ctx.steps
    exact = Limits(steps=used)
    result = run_program(NOISY_REPR, limits=exact)
    assert result["ok"], result["error"]
    assert result["stdout"] == execution.result["stdout"]
    assert result["variables"]["v"]["repr"] == "Value(1.5)"
    # One step fewer and the program itself fails, as it would without any repr.
    failed = run_program(NOISY_REPR, limits=Limits(steps=used - 1))
    assert failed["error"]["limit"] == "steps"


def test_a_grader_keeps_the_final_state_the_repr_never_ran() -> None:
    execution = execute_program(NOISY_REPR)
    assert execution.result["variables"]["v"]["repr"] == "<Value object>"
    assert execution.evaluate("calls[0]") == 0
    assert execution.evaluate("w.tolist()") == [1.0, 2.0]


HOSTILE_REPRS = {
    "loops": "        while True:\n            pass\n",
    "raises": "        raise ValueError('no')\n",
    "not-a-string": "        return 5\n",
    "recursive": "        return repr(self)\n",
    "allocates": "        keep = []\n        while True:\n            keep.append([0] * 10**4)\n",
    "huge-string": "        return 'x' * 10**9\n",
    "prints-a-flood": "        while True:\n            print('x' * 1000)\n",
    "big-tensor-work": "        return str(torch.ones(2000, 2000) @ torch.ones(2000, 2000))\n",
}


def test_a_hostile_repr_falls_back_to_the_short_form_quickly() -> None:
    for name, body in HOSTILE_REPRS.items():
        source = (
            "import torch\nclass A:\n    def __repr__(self):\n"
            + body
            + "objects = [A() for _ in range(2000)]\na = A()\nprint('done')\n"
        )
        started = time.monotonic()
        result = run_program(source)
        elapsed = time.monotonic() - started
        assert result["ok"], (name, result["error"])
        assert result["stdout"] == "done\n", name
        assert result["variables"]["a"]["repr"] == "<A object>", name
        items = result["variables"]["objects"]["items"]
        assert {item["repr"] for item in items} == {"<A object>"}, name
        # 2,001 objects whose repr fails: the aside's total budget (0.2 s), not 2,001 × 50 ms.
        assert elapsed < 3.0, (name, elapsed)


def test_torch_state_is_put_back_after_a_repr_that_changes_it() -> None:
    source = (
        "import torch\nclass A:\n    def __repr__(self):\n"
        "        torch.set_grad_enabled(False)\n        return 'A()'\na = A()\n"
    )
    result = run_program(source)
    assert result["variables"]["a"]["repr"] == "A()"
    assert torch.is_grad_enabled()
