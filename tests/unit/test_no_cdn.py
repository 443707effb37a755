"""No CDN and no runtime network: nothing under templates/ or static/ loads from http(s)://."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED_SUFFIXES = {".html", ".js", ".mjs", ".css"}

# A remote URL (http://, https:// or protocol-relative //host) in a position that loads it.
REMOTE = r"""(?:https?:)?//[\w.-]+"""
NETWORK_CALLS = "fetch|importScripts|Worker|SharedWorker|EventSource|WebSocket"
LOADING_PATTERNS = [
    re.compile(rf"""\b(?:src|href|srcset|data|poster|action)\s*=\s*["']?\s*{REMOTE}""", re.I),
    re.compile(rf"""\bimport\s*(?:[\w*{{}}\s,]+from\s*)?["']{REMOTE}"""),  # static import
    re.compile(rf"""\bimport\s*\(\s*["'`]{REMOTE}"""),  # dynamic import
    re.compile(rf"""\b(?:{NETWORK_CALLS})\s*\(\s*["'`]{REMOTE}"""),
    re.compile(rf"""\.open\s*\(\s*["'`][A-Z]+["'`]\s*,\s*["'`]{REMOTE}"""),  # XMLHttpRequest
    re.compile(rf"""\burl\(\s*["']?{REMOTE}""", re.I),  # CSS
    re.compile(rf"""@import\s+["']{REMOTE}""", re.I),
    re.compile(r"""\bwss?://""", re.I),
]


def remote_loads(text: str) -> list[str]:
    """Return every snippet of `text` that would load something from another host."""
    return [match.group(0) for pattern in LOADING_PATTERNS for match in pattern.finditer(text)]


def scanned_files() -> list[Path]:
    files = [
        path
        for folder in ("templates", "static")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in SCANNED_SUFFIXES
    ]
    return files


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="https://cdn.jsdelivr.net/npm/cytoscape"></script>',
        "<link rel=stylesheet href=//fonts.googleapis.com/css>",
        "import cytoscape from 'https://esm.sh/cytoscape';",
        "const m = await import(`https://unpkg.com/x`);",
        "fetch('http://example.org/api')",
        "xhr.open('GET', 'https://example.org/a')",
        "body { background: url(https://example.org/a.png) }",
        '@import "https://fonts.example/x.css";',
        "new WebSocket('wss://example.org')",
    ],
)
def test_detector_finds_remote_loads(snippet: str) -> None:
    assert remote_loads(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "/*! License: MIT, https://github.com/cytoscape/cytoscape.js */",
        'document.createElementNS("http://www.w3.org/2000/svg", "svg")',
        '<script src="/static/js/app.js?v=1"></script>',
        "import { h } from './element.js';",
    ],
)
def test_detector_ignores_local_loads_and_mere_mentions(snippet: str) -> None:
    assert remote_loads(snippet) == []


def test_templates_and_static_files_load_nothing_remote() -> None:
    files = scanned_files()
    assert any(path.suffix == ".html" for path in files), "templates were scanned"
    assert any("vendor" in path.parts for path in files), "vendored libraries were scanned"
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := remote_loads(path.read_text(encoding="utf-8", errors="replace")))
    }
    assert offenders == {}
