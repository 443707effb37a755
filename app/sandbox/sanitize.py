"""Scrub text shown to the user: no server paths, no memory addresses, always valid UTF-8."""

from __future__ import annotations

import contextlib
import re
import site
import sys
from pathlib import Path

_ADDRESS = re.compile(r"\s+at 0x[0-9a-fA-F]+|0x[0-9a-fA-F]{8,}")


def _server_paths() -> list[str]:
    app_root = str(Path(__file__).resolve().parents[2])
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, app_root}
    with contextlib.suppress(AttributeError):  # some virtualenvs lack it
        paths.update(site.getsitepackages())
    paths.add(str(Path.home()))
    # Longest first, so that a path inside another is replaced whole.
    return sorted((path for path in paths if len(path) > 1), key=len, reverse=True)


_PATHS = _server_paths()


def json_safe_text(text: str) -> str:
    """`text` as UTF-8 can carry it: a lone surrogate becomes its escape, as repr shows it."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def sanitize_message(text: str) -> str:
    """Replace server paths with "…", drop memory addresses, escape lone surrogates."""
    for path in _PATHS:
        if path in text:
            text = text.replace(path, "…")
    return json_safe_text(_ADDRESS.sub("", text))
