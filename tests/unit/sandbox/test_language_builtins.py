"""The builtins, formatting and modules of issue 21, where the answer is the sandbox's own (no
CPython to compare with): type views have no attributes, sizes are refused before the work,
hashes do not depend on the process, and Python's random follows the request's seed."""

from __future__ import annotations

import pytest

from app.sandbox.builtins_extra import program_hash
from app.sandbox.limits import Limits
from tests.unit.sandbox.interpreter_driver import run


@pytest.mark.parametrize(
    "source",
    [
        "import torch\nm = type(torch.ones(1)).mro",
        "t = type(lambda: 1)\nc = t.real",
        "import torch.nn as nn\nc = type(nn.Linear(1, 1)).forward",
        "import torch\nc = type(torch.ones(1).shape).count",
        "v = ValueError.mro",
    ],
)
def test_class_views_expose_no_attribute(source: str) -> None:
    outcome = run(source)
    assert outcome.error is not None and outcome.error.type == "SandboxViolation"
    assert outcome.error.message.endswith(".")


def test_type_returns_the_real_builtin_classes() -> None:
    outcome = run(
        "print(type(3) is int, type([]) is list, type({1}) is set, type(type(1)) is type)"
    )
    assert outcome.ok and outcome.stdout == "True True True True\n"


@pytest.mark.parametrize(
    ("source", "limit"),
    [
        ("import math\nx = math.factorial(5000)", "int_bits"),
        ("import math\nx = math.comb(100000, 50000)", "int_bits"),
        ("import math\nx = math.prod([2 ** 3000, 2 ** 3000])", "int_bits"),
        ("import math\nx = math.fsum(range(10 ** 9))", "list_length"),
        ("import random\nx = random.sample(range(10 ** 12), 10 ** 6)", "list_length"),
        ("import random\nx = random.getrandbits(10 ** 6)", "int_bits"),
        ("s = '{:>{}}'.format(1, 10 ** 8)", "str_length"),
        ("s = '%.*f' % (10 ** 8, 1.0)", "str_length"),
        ("s = '{}'.format(['x' * 1000] * 1000)", "str_length"),
    ],
)
def test_sizes_are_refused_before_the_work(source: str, limit: str) -> None:
    outcome = run(source)
    assert outcome.error is not None and outcome.error.type == "LimitExceeded", outcome.error
    assert outcome.error.limit == limit


def test_small_math_results_are_exact() -> None:
    outcome = run(
        "import math\nprint(math.factorial(20), math.comb(50, 25), math.prod(range(1, 11)))"
    )
    assert outcome.stdout == "2432902008176640000 126410606437752 3628800\n"


def test_format_fields_cannot_walk() -> None:
    for field in ("{0.real}", "{0[0]}", "{x.y}", "{:{0.imag}}"):
        outcome = run(f"s = '{field}'.format(1)")
        assert outcome.error is not None and outcome.error.type == "SandboxViolation", field


def test_string_hash_does_not_depend_on_the_process() -> None:
    # blake2b of the UTF-8 text: fixed across processes and runs (CPython's str hash is salted
    # per process, which would tell two requests whether they met the same worker).
    assert program_hash("abc") == program_hash("abc")
    assert program_hash(("a", 1)) == program_hash(("a", 1))
    assert program_hash((1, 2, 3)) == hash((1, 2, 3))  # numbers and tuples: CPython's own


def test_python_random_follows_the_request_seed() -> None:
    first = run("import random\nprint(random.random())").stdout
    assert run("import random\nprint(random.random())").stdout == first
    outcome = run("import random\nrandom.seed(0)\nprint(random.random())")
    assert outcome.stdout == first  # the driver seeds every run with 0


def test_sorting_is_charged() -> None:
    outcome = run("xs = sorted(range(10 ** 5))", Limits(run_cost=10**5))
    assert outcome.error is not None and outcome.error.limit == "run_cost"


def test_generator_items_cost_steps() -> None:
    outcome = run("print(sum(x for x in range(10 ** 6)))", Limits(steps=10_000))
    assert outcome.error is not None and outcome.error.limit == "steps"


def test_class_views_do_not_depend_on_earlier_runs() -> None:
    # Views are shared by all runs of a process: one per class name, whatever asked first.
    first = (
        "import torch.nn as nn\nm = nn.Linear(1, 1)\n"
        "print(isinstance((i for i in []), type(m.parameters())))"
    )
    second = (
        "import torch\n"
        "print(isinstance(torch.ones, type(print)), isinstance(print, type(torch.ones)))"
    )
    for source in (first, second, first, second):
        outcome = run(source)
        assert outcome.ok, outcome.error
        assert set(outcome.stdout.split()) == {"True"}
