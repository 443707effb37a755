"""User-defined classes (issue 15): the one rule table, and behaviour the differential suite
cannot see (what the capture shows, what never runs the program's code after the run)."""

from __future__ import annotations

import pytest

from app.runner import run_program
from app.sandbox import class_rules
from app.sandbox.capabilities import capabilities
from app.sandbox.errors import SandboxViolation
from app.sandbox.limits import Limits
from app.sandbox.validate import parse_program


def test_capabilities_publish_the_table_the_validator_reads() -> None:
    published = capabilities()["classes"]
    assert published["special_methods"] == sorted(class_rules.DEFINABLE_SPECIAL_METHODS)
    assert published["bases"] == sorted(class_rules.ALLOWED_BASES)
    assert "torch.no_grad()" in published["decorators"]
    assert "_parameters" in published["reserved_names"]


_PROPERTY_WITH = (
    "class A:\n    @property\n    def x(self):\n        return 1\n"
    "    @x.{name}\n    def x(self, value):\n        pass\n"
)


@pytest.mark.parametrize("name", sorted(class_rules.PROPERTY_DECORATORS))
def test_property_decorators_come_from_the_table(name: str) -> None:
    assert f"<property>.{name}" in capabilities()["classes"]["decorators"]
    parse_program(_PROPERTY_WITH.format(name=name), Limits())


@pytest.mark.parametrize("name", ["deleter", "getter", "fget"])
def test_other_property_decorators_are_refused_naming_them(name: str) -> None:
    assert name not in class_rules.PROPERTY_DECORATORS
    with pytest.raises(SandboxViolation, match=f"the decorator @x.{name} is not supported"):
        parse_program(_PROPERTY_WITH.format(name=name), Limits())


@pytest.mark.parametrize("name", sorted(class_rules.DEFINABLE_SPECIAL_METHODS))
def test_every_special_method_of_the_table_may_be_defined(name: str) -> None:
    parse_program(f"class A:\n    def {name}(self, other=None):\n        return 1\n", Limits())


@pytest.mark.parametrize("name", ["__getattr__", "__del__", "__format__", "__init_subclass__"])
def test_a_dunder_outside_the_table_is_refused_naming_it(name: str) -> None:
    with pytest.raises(SandboxViolation, match=f"cannot define '{name}'"):
        parse_program(f"class A:\n    def {name}(self):\n        return 1\n", Limits())


@pytest.mark.parametrize("name", sorted(class_rules.RESERVED_NAMES)[:8])
def test_reserved_names_are_refused_before_the_run(name: str) -> None:
    with pytest.raises(SandboxViolation, match="used inside torch's own classes"):
        parse_program(f"class A:\n    def f(self):\n        return self.{name}\n", Limits())


def test_single_underscore_attributes_are_the_programs_own() -> None:
    source = "class A:\n    pass\na = A()\na._secret = 3\nprint(a._secret)\n"
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == "3\n"
    refused = run_program("import torch\nt = torch.ones(1)._grad\n")
    assert refused["error"]["type"] == "SandboxViolation"


def test_the_capture_runs_the_programs_repr_only_once_the_run_is_over() -> None:
    source = (
        "calls = []\n"
        "class A:\n"
        "    def __repr__(self):\n"
        "        calls.append(1)\n"
        "        return 'A!'\n"
        "a = A()\n"
        "print(len(calls))\n"
    )
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == "0\n"
    # Shown in `variables`, from a call made aside after the run (trace/program_reprs.py):
    # the program's state as encoded is the run's own (no call appended).
    assert result["variables"]["a"]["repr"] == "A!"
    assert result["variables"]["calls"]["items"] == []


def test_the_capture_of_a_bound_method_never_runs_its_objects_repr() -> None:
    # print() shows the object's own repr, as CPython does; the capture, after the run, not.
    source = (
        "calls = []\n"
        "def make():\n"
        "    class A:\n"
        "        def __repr__(self):\n"
        "            calls.append(1)\n"
        "            return 'A!'\n"
        "        def f(self):\n"
        "            return 1\n"
        "    return A()\n"
        "m = make().f\n"
        "print(m)\n"
        "print(len(calls))\n"
    )
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == "<bound method make.<locals>.A.f of A!>\n1\n"
    captured = result["variables"]["m"]
    assert captured["kind"] == "method"
    owner = "<__main__.make.<locals>.A object>"
    assert captured["repr"] == f"<bound method make.<locals>.A.f of {owner}>"
    assert len(result["variables"]["calls"]["items"]) == 1  # the print only


def test_a_custom_function_node_has_torchs_name_in_the_graph() -> None:
    source = (
        "import torch\n"
        "class MyReLU(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n"
        "        return x.clamp(min=0)\n"
        "    @staticmethod\n"
        "    def backward(ctx, g):\n"
        "        x, = ctx.saved_tensors\n"
        "        return g * (x > 0).float()\n"
        "x = torch.tensor([-1.0, 2.0], requires_grad=True)\n"
        "y = MyReLU.apply(x).sum()\n"
        "y.backward()\n"
    )
    result = run_program(source)
    assert result["ok"], result["error"]
    names = {node["name"] for node in result["graph"]["nodes"] if node["kind"] == "function"}
    assert "MyReLUBackward" in names
    steps = [step["name"] for entry in result["backward_trace"] for step in entry["steps"]]
    assert "MyReLUBackward" in steps
    assert result["variables"]["x"]["grad"] == [0.0, 1.0]


def test_backward_of_the_program_runs_under_the_step_limit() -> None:
    source = (
        "import torch\n"
        "class F(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        return x * 2\n"
        "    @staticmethod\n"
        "    def backward(ctx, g):\n"
        "        while True:\n"
        "            pass\n"
        "x = torch.ones(2, requires_grad=True)\n"
        "F.apply(x).sum().backward()\n"
    )
    result = run_program(source, limits=Limits(steps=5_000))
    assert result["error"]["type"] == "LimitExceeded"
    assert result["error"]["limit"] == "steps"
    assert result["error"]["line"] in (8, 9)


def test_containers_and_modules_of_program_objects_run_their_code_only_after_the_run() -> None:
    source = (
        "import torch.nn as nn\n"
        "calls = []\n"
        "class A:\n"
        "    def __repr__(self):\n"
        "        calls.append(1)\n"
        "        return 'A!'\n"
        "class M(nn.Module):\n"
        "    def extra_repr(self):\n"
        "        calls.append(2)\n"
        "        return 'm'\n"
        "box = {'a': [A(), A()]}\n"
        "net = nn.Sequential(M())\n"
        "print(len(calls))\n"
    )
    result = run_program(source)
    assert result["ok"], result["error"]
    assert result["stdout"] == "0\n"
    # After the run, aside: torch's repr of the module with the program's extra_repr, and
    # the dict's repr with the program's __repr__, as print(box) gives it; the calls made
    # aside never reach the program's state.
    assert result["variables"]["net"]["repr"] == "Sequential(\n  (0): M(m)\n)"
    box = result["variables"]["box"]
    assert box["repr"] == "{'a': [A!, A!]}"
    assert result["variables"]["calls"]["items"] == []


def test_every_private_name_of_a_fresh_module_is_reserved() -> None:
    # A torch upgrade that adds bookkeeping to nn.Module must extend the table.
    from torch import nn

    private = {name for name in nn.Module().__dict__ if name.startswith("_")}
    assert private <= class_rules.RESERVED_NAMES


def test_a_module_of_the_program_never_hands_out_torchs_private_members() -> None:
    source = (
        "import torch.nn as nn\n"
        "class N(nn.Module):\n"
        "    def f(self):\n"
        "        return self._slow_forward\n"
        "N().f()\n"
    )
    result = run_program(source)
    assert result["error"]["type"] == "AttributeError"
    assert result["error"]["line"] == 4


def test_a_custom_function_node_shows_what_its_ctx_saved() -> None:
    source = (
        "import torch\n"
        "class Square(torch.autograd.Function):\n"
        "    @staticmethod\n"
        "    def forward(ctx, x):\n"
        "        ctx.save_for_backward(x)\n"
        "        return x * x\n"
        "    @staticmethod\n"
        "    def backward(ctx, g):\n"
        "        x, = ctx.saved_tensors\n"
        "        return 2 * x * g\n"
        "x = torch.tensor([3.0, -1.0], requires_grad=True)\n"
        "Square.apply(x).sum().backward()\n"
    )
    result = run_program(source)
    assert result["ok"], result["error"]
    node = next(n for n in result["graph"]["nodes"] if n.get("name") == "SquareBackward")
    assert [(s["name"], s["value"]) for s in node["saved"]] == [("saved_tensors[0]", [3.0, -1.0])]
    assert node["backward_line"] == 8  # the program's `def backward`
    assert node["line"] == 12  # where apply made it
    assert result["variables"]["x"]["grad"] == [6.0, -2.0]


_LOUD = (
    "import torch\n"
    "class Loud(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        return x * 2\n"
    "    @staticmethod\n"
    "    def backward(ctx, g):\n"
    "        print('ran')\n"
    "        return g * 2\n"
    "x = torch.ones(2, requires_grad=True)\n"
    "z = Loud.apply(x)\n"
)


def test_the_capture_never_runs_the_programs_backward_for_a_jacobian() -> None:
    result = run_program(_LOUD + "z.backward(torch.ones(2))\n")
    assert result["ok"], result["error"]
    assert result["stdout"] == "ran\n"
    assert all(not entry["jacobians"] for entry in result["backward_trace"])


def test_a_requested_jacobian_through_a_program_function_is_refused() -> None:
    result = run_program(_LOUD, jacobian={"output": "z", "input": "x"})
    assert result["error"]["type"] == "ValueError"
    assert "Function of the program" in result["error"]["message"]
    assert result["stdout"] == ""
