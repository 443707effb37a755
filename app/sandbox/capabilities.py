"""The language as plain data, for `GET /api/v1/capabilities`.

Built from the same tables the validator, the interpreter and the torch surface read
(`grammar.py` for Python, `allowlist.py` for torch), so the published language can never drift
from the enforced one.
"""

from __future__ import annotations

from typing import Any

from app.sandbox import allowlist, class_rules, exceptions, grammar
from app.sandbox.allowlist import Entry, Kind
from app.sandbox.limits import Limits


def _by_kind(table: dict[str, Entry]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for name in sorted(table):
        entry = table[name]
        grouped.setdefault(f"{entry.kind.value}s", []).append(
            {"name": name, "cost": entry.cost.value, "keywords": sorted(entry.keywords)}
        )
    return grouped


def _keywords(table: dict[str, Entry]) -> dict[str, list[str]]:
    return {
        name: sorted(entry.keywords)
        for name, entry in sorted(table.items())
        if entry.kind is Kind.METHOD
    }


def _names(table: dict[str, Entry], kind: Kind) -> list[str]:
    return sorted(name for name, entry in table.items() if entry.kind is kind)


def capabilities(limits: Limits | None = None) -> dict[str, Any]:
    """Everything a program may use, with each torch entry's cost rule, and the limits."""
    return {
        "syntax": sorted(node.__name__ for node in grammar.ALLOWED_NODES),
        "builtins": list(grammar.ALLOWED_BUILTINS),
        "imports": sorted(allowlist.IMPORTABLE),
        "python_modules": {
            path: _by_kind(members) for path, members in allowlist.PYTHON_MODULES.items()
        },
        "exceptions": {
            "classes": list(exceptions.EXCEPTION_NAMES),
            "readable_attributes": ["args"],
            # Never caught by any `except`, bare or BaseException; `finally` does not run.
            "uncatchable": ["LimitExceeded", "Timeout", "SandboxViolation", "MemoryError"],
        },
        "string_formatting": {
            "forms": ["f-string", "str.format", "str.format_map", "%"],
            "field_names": "an argument's position or keyword only; no attribute or item access",
        },
        "readable_dunder_names": sorted(grammar.READABLE_DUNDER_NAMES),
        # The class rule (class_rules.py), the table the validator and the runtime read.
        "classes": class_rules.capabilities(),
        "with": sorted(grammar.ALLOWED_WITH_CALLS),
        "plain_methods": {kind: sorted(names) for kind, names in grammar.PLAIN_METHODS.items()},
        "torch": {path: _by_kind(members) for path, members in allowlist.NAMESPACES.items()},
        "tensor": {
            "methods": _names(allowlist.TENSOR, Kind.METHOD),
            "attributes": _names(allowlist.TENSOR, Kind.ATTRIBUTE),
            "assignable": sorted(allowlist.TENSOR_SETTABLE),
            "costs": {name: entry.cost.value for name, entry in sorted(allowlist.TENSOR.items())},
            "keywords": _keywords(allowlist.TENSOR),
        },
        "nn_module": {
            "methods": _names(allowlist.MODULE, Kind.METHOD),
            "attributes": _names(allowlist.MODULE, Kind.ATTRIBUTE),
            "keywords": _keywords(allowlist.MODULE),
            # Calling a module (`model(x)`): the keywords of its forward, by class.
            "call_keywords": {
                name: sorted(row) for name, row in sorted(allowlist.FORWARD_KEYWORDS.items())
            },
        },
        "optimizer": {
            "methods": _names(allowlist.OPTIMIZER, Kind.METHOD),
            "attributes": _names(allowlist.OPTIMIZER, Kind.ATTRIBUTE),
            "keywords": _keywords(allowlist.OPTIMIZER),
        },
        "lr_scheduler": {
            "methods": _names(allowlist.SCHEDULER, Kind.METHOD),
            "attributes": _names(allowlist.SCHEDULER, Kind.ATTRIBUTE),
            "keywords": _keywords(allowlist.SCHEDULER),
        },
        "did_you_mean": dict(sorted(allowlist.DID_YOU_MEAN.items())),
        "grad_fn": sorted(allowlist.GRAD_FN),
        "refused_keywords": dict(sorted(allowlist.REFUSED_KEYWORDS.items())),
        "devices": sorted(allowlist.ALLOWED_DEVICES),
        "limits": (limits or Limits()).as_dict(),
    }
