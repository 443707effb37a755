"""Build hook: the wheel carries the page's static/ and templates/ as app/static and app/templates.

They live at the top of the checkout (the project's fixed layout), outside the `app` package, so
setuptools would leave them out of a wheel and `autograd-playground serve` would fail outside the
checkout. Everything else about the build is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
ASSETS = ("static", "templates")


class BuildWithAssets(build_py):
    """build_py, then copy the asset folders into the built package (app.asset_dir finds them)."""

    def run(self) -> None:
        super().run()
        for name in ASSETS:
            target = Path(self.build_lib) / "app" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithAssets})
