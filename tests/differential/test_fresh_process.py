"""Programs whose output depends on process state must not depend on earlier runs.

torch emits some warnings once per process (TORCH_WARN_ONCE). A student running the program
with `python prog.py` always sees them; a warm worker that already ran another program must
show them too, so the same source and seed give the same result every time.
"""

from __future__ import annotations

import pytest

from app.runner import run_program
from tests.differential.compare import differences
from tests.differential.oracle import run_reference_in_fresh_process

WARN_ONCE_PROGRAMS = {
    "transpose-of-vector": "import torch\nx = torch.ones(3)\nprint(x.T)\n",
    "backward-create-graph": (
        "import torch\n"
        "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "y = (x * x).sum()\n"
        "y.backward(create_graph=True)\n"
        "print(x.grad)\n"
    ),
}


@pytest.mark.parametrize("source", WARN_ONCE_PROGRAMS.values(), ids=WARN_ONCE_PROGRAMS.keys())
def test_every_run_shows_what_a_fresh_python_shows(source: str) -> None:
    reference = run_reference_in_fresh_process(source)
    assert reference.warnings, "the program no longer warns in a fresh process"

    for attempt in range(2):
        result = run_program(source, seed=0)
        found = differences(reference, result)
        assert not found, f"run {attempt + 1}:\n" + "\n".join(found)
