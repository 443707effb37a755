"""Which scope a name lives in, as CPython's symbol table decides: local, free (a closure's) or
global; and which names a statement or a module's imports bind."""

from __future__ import annotations

import ast
from typing import Any

_IMPORTS = (ast.Import, ast.ImportFrom)
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def module_imports(tree: ast.Module) -> frozenset[str]:
    """Names bound by imports in the module's own scope (function bodies excluded).

    Imports are statements, so only statement lists are walked.
    """
    names: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, _IMPORTS):
            for alias in node.names:
                names.add(alias.asname or alias.name.partition(".")[0])
        elif not isinstance(node, _NEW_SCOPES):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(node, field, ()))
    return frozenset(names)


class Scope:
    """Which names a function (or comprehension, or the module) binds, for name resolution."""

    def __init__(self, kind: str, local_names: set[str], parent: Scope | None, qualname: str):
        self.kind = kind
        self.local_names = local_names
        self.parent = parent
        self.qualname = qualname

    def child_prefix(self) -> str:
        return "" if self.kind == "module" else f"{self.qualname}.<locals>."

    def resolve(self, name: str) -> tuple[str, int]:
        """("global", 0), ("local", 0) or ("free", hops to the frame holding the name)."""
        if self.kind == "module":
            return "global", 0
        if name in self.local_names:
            return "local", 0
        hops = 0
        scope: Scope | None = self
        while scope is not None and scope.kind != "module":
            if name in scope.local_names:
                return "free", hops
            scope = scope.parent
            hops += 1
        return "global", 0


def bound_name(alias: ast.alias) -> str:
    return alias.asname or alias.name.split(".")[0]


def assigned_names(nodes: list[Any]) -> set[str]:
    """Names bound directly in a function body (not in nested functions or comprehensions)."""
    names: set[str] = set()
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
            stack.extend(node.args.defaults)
            stack.extend(default for default in node.args.kw_defaults if default is not None)
            continue
        elif isinstance(node, ast.ClassDef):  # its body binds the class's names, not ours
            names.add(node.name)
            stack.extend(node.bases)
            continue
        elif isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            continue
        elif isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            stack.append(node.generators[0].iter)
            continue
        elif isinstance(node, ast.ExceptHandler) and node.name is not None:
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update(bound_name(alias) for alias in node.names)
        stack.extend(ast.iter_child_nodes(node))
    return names


def target_names(targets: list[ast.expr]) -> list[str]:
    """Top-level names a statement binds or changes (`x[0] = 1` changes x)."""
    names: list[str] = []
    stack = list(reversed(targets))
    while stack:
        target = stack.pop()
        if isinstance(target, ast.Name):
            if target.id not in names:
                names.append(target.id)
        elif isinstance(target, ast.Tuple | ast.List):
            stack.extend(reversed(target.elts))
        elif isinstance(target, ast.Subscript | ast.Attribute):
            stack.append(target.value)
    return names
