"""`requires`: a check that depends on another is skipped when that one did not pass.

E.g. comparing `x.grad` only makes sense once `y` (whose backward it is) is right: the student
then sees one failure and one sentence saying why the next check was not graded, instead of two
failures for one mistake. Torch-free; the problem file loader has already refused unknown names
and cycles.
"""

from __future__ import annotations

from typing import Any

from app.grading.scoring import check_name


def skipped_message(required: str) -> str:
    """The sentence a skipped check shows."""
    return f"Skipped: this check needs the check {required!r} to pass first."


def apply_requirements(
    checks: list[dict[str, Any]], results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`results` with every check whose required check failed (or was skipped) zeroed."""
    by_name = {check_name(check): index for index, check in enumerate(checks)}
    out: list[dict[str, Any]] = []
    # Requirements point backwards or forwards; resolve in dependency order by iterating until
    # nothing changes (problem files are small, and cycles were refused when loading).
    skipped = [False] * len(checks)
    changed = True
    while changed:
        changed = False
        for index, check in enumerate(checks):
            required = check.get("requires")
            if required is None or skipped[index] or required not in by_name:
                continue
            other = by_name[required]
            if not results[other]["passed"] or skipped[other]:
                skipped[index] = True
                changed = True
    for index, (check, entry) in enumerate(zip(checks, results, strict=True)):
        if skipped[index]:
            entry = {
                **entry,
                "passed": False,
                "points": 0.0,
                "message": skipped_message(str(check["requires"])),
                "skipped": True,
            }
        out.append(entry)
    return out
