"""Autograd Playground: run small PyTorch programs in a sandbox and show autograd at work."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """The page's `static` or `templates` folder: inside the package when installed from a
    wheel (setup.py copies them there), else next to the package in a checkout."""
    packaged = _PACKAGE / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
