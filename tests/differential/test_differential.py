"""Every program of the table runs in the sandbox exactly as in real CPython + torch."""

from __future__ import annotations

import pytest

from app.runner import run_program
from tests.differential.cases import CASES, Case
from tests.differential.compare import differences
from tests.differential.oracle import run_reference


# "passive": the PassiveObserver path (no graph/timeline/trace) must behave identically.
@pytest.mark.parametrize("capture", [True, False], ids=["capture", "passive"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sandbox_matches_cpython(case: Case, capture: bool) -> None:
    reference = run_reference(case.source, case.seed)
    reference_error = reference.error["type"] if reference.error else None
    assert reference_error == case.error, (
        f"the case no longer does what it is meant to: {reference}"
    )

    result = run_program(case.source, seed=case.seed, capture=capture)

    assert result["ok"] is (reference.error is None), result["error"]
    found = differences(reference, result)
    assert not found, "\n".join(found)
