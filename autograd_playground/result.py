"""`RunResult`: the server's answer as a Python object that displays as the page's view."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from autograd_playground import render


class RunResult(Mapping[str, Any]):
    """A RunResult (docs/architecture.md) as read-only mapping, with a rich display."""

    def __init__(self, data: dict[str, Any], lang: str = "en") -> None:
        self.data = data
        self.lang = lang

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def ok(self) -> bool:
        return bool(self.data.get("ok"))

    @property
    def stdout(self) -> str:
        return str(self.data.get("stdout") or "")

    @property
    def error(self) -> dict[str, Any] | None:
        error: dict[str, Any] | None = self.data.get("error")
        return error

    def grad(self, name: str) -> Any:
        """`.grad` of a named tensor at the end of the run (nested lists), or None."""
        value = (self.data.get("variables") or {}).get(name) or {}
        return value.get("grad")

    def summary(self) -> str:
        graph = self.data.get("graph") or {}
        nodes = len(graph.get("nodes") or [])
        if self.ok:
            names = len(self.data.get("variables") or {})
            return f"<RunResult ok: {nodes} graph nodes, {names} variables>"
        error = self.error or {}
        return f"<RunResult error {error.get('type')}: {error.get('message')}>"

    def __repr__(self) -> str:
        return self.summary()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return render.mimebundle(self.data, self.summary(), self.lang)
