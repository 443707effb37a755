"""The core stays framework-free: sandbox/, trace/ and the runner import no web framework."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
CORE_FILES = sorted([*APP.glob("sandbox/**/*.py"), *APP.glob("trace/**/*.py"), APP / "runner.py"])
FRAMEWORKS = {"fastapi", "starlette", "pydantic", "pydantic_settings", "uvicorn", "jinja2"}


def imported_top_level_packages(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_core_has_files_to_check() -> None:
    assert len(CORE_FILES) > 20


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(APP)))
def test_core_module_imports_no_web_framework(path: Path) -> None:
    assert not imported_top_level_packages(path) & FRAMEWORKS
