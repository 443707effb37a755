"""Every program of the table runs in the sandbox exactly as in real CPython + torch."""

from __future__ import annotations

import sys

import pytest
import torch

from app.runner import run_program
from tests.differential.cases import CASES, Case
from tests.differential.compare import differences
from tests.differential.oracle import run_reference

# Cases whose error line is 3.11's (PEP 657 moved a call's line to the call itself).
LINES_OF_3_11 = {"error-method-on-next-line"}
# Cases whose message is 3.11's and cannot be translated from 3.10's words: 3.10 says "can't set
# attribute 'x'", without the class that 3.11's "property 'x' of 'Ro' object has no setter" names.
WORDS_OF_3_11 = {
    "class-error-property-no-setter",
    "class-property-setter-new-name-keeps-old-read-only",
    "class-property-overridden-reads-super",
    # 3.10: "free variable 'x' referenced before assignment in enclosing scope"
    "class-in-function-error-free-variable-unbound",
}
# Cases whose floats are 3.11's sum(): from 3.12 sum() of floats compensates its rounding
# (Neumaier), which the playground's 3.11 semantics do not; the last digit then differs.
SUMS_OF_3_11 = {"class-plain-methods-call-each-other"}
# Cases whose expected error is the CPU build's ("Torch not compiled with CUDA enabled"); a CUDA
# build of torch (the PyPI wheels scripts/python-matrix.sh installs for 3.10, 3.12 and 3.13)
# fails them otherwise when it finds no driver.
CPU_BUILD_CASES = {"course-error-device-cuda", "course-error-to-cuda-string"}


# "passive": the PassiveObserver path (no graph/timeline/trace) must behave identically.
@pytest.mark.parametrize("capture", [True, False], ids=["capture", "passive"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sandbox_matches_cpython(case: Case, capture: bool) -> None:
    if case.id in LINES_OF_3_11 and sys.version_info < (3, 11):
        pytest.skip("CPython before 3.11 puts a multi-line call on the line it starts on")
    if case.id in WORDS_OF_3_11 and sys.version_info < (3, 11):
        pytest.skip("CPython before 3.11 words this error differently (see WORDS_OF_3_11)")
    if case.id in SUMS_OF_3_11 and sys.version_info >= (3, 12):
        pytest.skip("CPython 3.12 and later compensate the rounding of sum() over floats")
    if case.id in CPU_BUILD_CASES and torch.version.cuda is not None:
        pytest.skip("the reference torch is a CUDA build here; the playground's is the CPU build")
    reference = run_reference(case.source, case.seed)
    reference_error = reference.error["type"] if reference.error else None
    assert reference_error == case.error, (
        f"the case no longer does what it is meant to: {reference}"
    )

    result = run_program(case.source, seed=case.seed, capture=capture)

    assert result["ok"] is (reference.error is None), result["error"]
    found = differences(reference, result)
    assert not found, "\n".join(found)
