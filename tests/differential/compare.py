"""Compare a sandbox RunResult with what real CPython + torch did (a ReferenceRun)."""

from __future__ import annotations

import difflib
from typing import Any

from tests.differential.oracle import UNREADABLE, ReferenceRun, strip_build_paths

TENSOR_FIELDS = ("shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "value", "grad")


def _stdout_difference(expected: str, actual: str) -> str:
    diff = difflib.unified_diff(
        expected.splitlines(keepends=True),
        actual.splitlines(keepends=True),
        "cpython",
        "sandbox",
        n=1,
    )
    return "stdout differs:\n" + "".join(list(diff)[:30])


def _error_differences(expected: dict[str, Any] | None, actual: dict[str, Any] | None) -> list[str]:
    if expected is None and actual is None:
        return []
    if expected is None or actual is None:
        return [f"error: cpython {expected!r} vs sandbox {actual!r}"]
    found = []
    for key in ("type", "message", "line"):
        if expected.get(key) != actual.get(key):
            found.append(
                f"error.{key}: cpython {expected.get(key)!r} vs sandbox {actual.get(key)!r}"
            )
    both_have_col = expected.get("col") is not None and actual.get("col") is not None
    if both_have_col and expected["col"] != actual["col"]:
        found.append(f"error.col: cpython {expected['col']!r} vs sandbox {actual['col']!r}")
    return found


def _warning_key(warning: dict[str, Any]) -> tuple[Any, ...]:
    return (
        warning.get("category"),
        strip_build_paths(warning.get("message", "")),
        warning.get("line"),
    )


def tensor_differences(
    expected: dict[str, dict[str, Any]], variables: dict[str, dict[str, Any]]
) -> list[str]:
    actual = {name: value for name, value in variables.items() if value.get("kind") == "tensor"}
    found = []
    if set(expected) != set(actual):
        found.append(f"tensor variables: cpython {sorted(expected)} vs sandbox {sorted(actual)}")
    for name in sorted(set(expected) & set(actual)):
        for key in TENSOR_FIELDS:
            if expected[name][key] == UNREADABLE:
                continue
            if expected[name][key] != actual[name].get(key):
                found.append(
                    f"{name}.{key}: cpython {expected[name][key]!r} "
                    f"vs sandbox {actual[name].get(key)!r}"
                )
    return found


def differences(reference: ReferenceRun, result: dict[str, Any]) -> list[str]:
    """Every way the sandbox's result differs from the reference; empty when they agree."""
    found = []
    if reference.stdout != result.get("stdout"):
        found.append(_stdout_difference(reference.stdout, str(result.get("stdout"))))
    found += _error_differences(reference.error, result.get("error"))
    expected_warnings = [_warning_key(w) for w in reference.warnings]
    actual_warnings = [_warning_key(w) for w in result.get("warnings", [])]
    if expected_warnings != actual_warnings:
        found.append(f"warnings: cpython {expected_warnings!r} vs sandbox {actual_warnings!r}")
    found += tensor_differences(reference.tensors, result.get("variables", {}))
    return found
