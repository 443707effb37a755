"""Hints: one sentence in English and in Korean for the errors students hit most."""

from __future__ import annotations

import pytest

from app.runner import run_program
from app.sandbox.hints import HINTS


def test_torch_used_without_import_says_add_import_torch() -> None:
    result = run_program("x = torch.ones(2, requires_grad=True)\nprint(x)\n")
    error = result["error"]
    # The error itself is CPython's, untouched; the hint says what to do.
    assert (error["type"], error["message"], error["line"]) == (
        "NameError",
        "name 'torch' is not defined",
        1,
    )
    assert "add `import torch` at the top" in error["hint"]
    assert "`import torch`" in error["hint_ko"]


def test_other_names_keep_the_general_hint() -> None:
    error = run_program("print(y)\n")["error"]
    assert error["type"] == "NameError" and "import torch" not in error["hint"]
    assert error["hint_ko"]


def test_an_error_without_a_hint_has_neither() -> None:
    error = run_program("import torch\nraise ValueError('x')\n")["error"]
    assert error is not None and error["hint"] is None and error["hint_ko"] is None


@pytest.mark.parametrize("hint", HINTS, ids=lambda hint: hint.needle[:30])
def test_every_hint_has_korean_that_follows_the_glossary(hint: object) -> None:
    assert hint.ko and hint.en  # type: ignore[attr-defined]
    for avoided in ("그래디언트", "그라디언트", "경사도", "이(가)", "을(를)", "은(는)"):
        assert avoided not in hint.ko  # type: ignore[attr-defined]


def test_a_dunder_attribute_read_names_the_first_one_and_says_what_to_use() -> None:
    source = "class A:\n    def f(self):\n        return self.__class__.__name__\nprint(A().f())\n"
    error = run_program(source)["error"]
    assert (error["type"], error["line"], error["col"]) == ("SandboxViolation", 3, 16)
    assert "'__class__' starts with '__'" in error["message"]
    assert "print(type(value))" in error["hint"] and "print(type(value))" in error["hint_ko"]


def test_a_dunder_name_gets_no_attribute_hint() -> None:
    error = run_program("b = __builtins__\n")["error"]
    assert error["type"] == "SandboxViolation" and error["hint"] is None
