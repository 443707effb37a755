"""The shape of one built-in teaching example, and where its program text lives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Each program is a plain file so that it can be opened, run and tested on its own
# (STYLE: every documented example is a runnable file). The app only ever reads it as text.
PROGRAMS_DIR = Path(__file__).with_name("programs")


@dataclass(frozen=True)
class Example:
    """A program shown in the playground with its title and explanation in English and Korean.

    `expected_error` is the exception class name when failing *is* the lesson
    (e.g. "RuntimeError" for backward through a freed graph); None when the program must run.
    """

    id: str
    title: str
    explanation: str
    title_ko: str
    explanation_ko: str
    source: str
    expected_error: str | None = None
    tags: tuple[str, ...] = ()


def read_program(example_id: str) -> str:
    """Return the source text of the program file `programs/<example_id>.py`."""
    return (PROGRAMS_DIR / f"{example_id}.py").read_text(encoding="utf-8")
