"""The tour notebook executed once per test session, with how long it took."""

from __future__ import annotations

import time

import nbformat
import pytest

from tests.notebook.tour import build, execute


@pytest.fixture(scope="session")
def executed_tour() -> tuple[nbformat.NotebookNode, float]:
    started = time.perf_counter()
    notebook = execute(build())
    return notebook, time.perf_counter() - started
