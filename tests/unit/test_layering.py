"""The layering in docs/architecture.md is the code's: the test reads the package table itself.

Each module of `app/` belongs to the table row whose path is its longest prefix; it may import
only the project packages named (in backticks) in that row's "may import" column. Web frameworks
are imported only by the files the document lists. Change the document or the code, never this.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
DOC = ROOT / "docs" / "architecture.md"
FRAMEWORKS = {"fastapi", "starlette", "pydantic", "pydantic_settings", "uvicorn", "jinja2"}
EVERYTHING = "*"


def package_table() -> dict[str, set[str]]:
    """Row path ('app/sandbox/', 'app/runner.py') -> project packages it may import."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Packages", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`app/"):
            continue
        may_import = cells[2]
        allowed = (
            {EVERYTHING}
            if may_import.startswith("everything")
            else set(re.findall(r"`(\w+)`", may_import))
        )
        for path in re.findall(r"`(app/[^`]*)`", cells[0]):
            rows[path] = allowed
    return rows


def framework_files() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    sentence = text.split("Web frameworks (", 1)[1].split("\n", 1)[0]
    return re.findall(r"`(app/[^`]*)`", sentence)


def row_of(relative: str, rows: dict[str, set[str]]) -> str | None:
    matches = [
        path
        for path in rows
        if relative == path or (path.endswith("/") and relative.startswith(path))
    ]
    return max(matches, key=len) if matches else None


def imports_of(path: Path) -> set[str]:
    """Every module name `path` imports (absolute imports, at any depth, lazy ones included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def project_package(module: str) -> str | None:
    """'app.sandbox.limits' -> 'sandbox'; 'app.runner' -> 'runner'; 'torch' -> None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "app" and len(parts) > 1 else None


def own_package(relative: str) -> str:
    parts = Path(relative).parts
    return parts[1] if len(parts) > 2 else Path(parts[1]).stem


MODULES = sorted(str(path.relative_to(ROOT)) for path in APP.rglob("*.py"))


def test_the_table_and_the_tree_are_both_there() -> None:
    rows = package_table()
    assert {"app/sandbox/", "app/trace/", "app/runner.py", "app/api/"} <= set(rows)
    assert len(MODULES) > 60


@pytest.mark.parametrize("relative", MODULES)
def test_module_imports_only_what_its_row_allows(relative: str) -> None:
    rows = package_table()
    row = row_of(relative, rows)
    assert row is not None, f"{relative} is in no row of the package table in {DOC.name}"
    allowed = rows[row]
    if EVERYTHING in allowed:
        return
    imported = {project_package(name) for name in imports_of(ROOT / relative)} - {None}
    outside = imported - allowed - {own_package(relative)}
    assert not outside, f"{relative} ({row}) imports {sorted(outside)}; the table allows {allowed}"


@pytest.mark.parametrize("relative", MODULES)
def test_web_frameworks_only_where_the_document_says(relative: str) -> None:
    if row_of(relative, {path: set() for path in framework_files()}) is not None:
        return
    used = {name.split(".")[0] for name in imports_of(ROOT / relative)} & FRAMEWORKS
    assert not used, f"{relative} imports {sorted(used)}, which docs/architecture.md keeps out"


def test_the_checks_can_fail() -> None:
    # A module that the table does not cover, and an import the row forbids, are both caught.
    rows = package_table()
    assert row_of("app/newpackage/thing.py", rows) is None
    assert "workers" not in rows[row_of("app/sandbox/costs.py", rows) or ""]
