"""Check a running playground container from outside, as a course's students would reach it.

Run by scripts/docker-smoke.sh with the venv's python (real torch is the oracle):
    python tests/deploy/container_checks.py http://127.0.0.1:PORT
Standard library only for HTTP, so the checks do not depend on the app's own client code.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHAIN_RULE = ROOT / "app" / "examples" / "programs" / "chain-rule.py"
# The seed blog post's second program; used only if the built-in example file is missing.
CHAIN_RULE_INLINE = """import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
print(x.grad)
"""
TIMEOUT = 60


def fetch(url: str, body: dict[str, Any] | None = None) -> tuple[int, str, bytes]:
    """Return (status, content type, body); HTTP errors are answers too, not exceptions."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if data:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def expected_chain_rule_grad(source: str) -> list[list[float]]:
    """Run the program with real PyTorch on this machine and return x.grad."""
    namespace: dict[str, Any] = {"__name__": "__chain_rule__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, "chain-rule.py", "exec"), namespace)  # our own example file
    grad: list[list[float]] = namespace["x"].grad.tolist()
    # The blog's figure, by hand: out = mean(3 (x+2)^2) over 4 entries, so
    # d out / dx = 6 (x+2) / 4 = 4.5 at x = 1. Guards against the example drifting.
    by_hand = 6 * (1 + 2) / 4
    assert all(math.isclose(g, by_hand) for row in grad for g in row), grad
    return grad


def check_chain_rule(base: str) -> None:
    source = CHAIN_RULE.read_text() if CHAIN_RULE.exists() else CHAIN_RULE_INLINE
    expected = expected_chain_rule_grad(source)
    status, _, body = fetch(urljoin(base, "/api/v1/run"), {"source": source, "include": []})
    assert status == 200, (status, body[:500])
    result = json.loads(body)
    assert result["ok"] is True, result.get("error")
    assert result["torch_version"].startswith("2.13.0"), result["torch_version"]
    grad = result["variables"]["x"]["grad"]
    assert len(grad) == len(expected), grad
    for got_row, want_row in zip(grad, expected, strict=True):
        assert all(math.isclose(g, w) for g, w in zip(got_row, want_row, strict=True)), grad
    print(f"ok   POST /api/v1/run chain-rule: x.grad == {expected} (real torch)")


class References(HTMLParser):
    """Collect every src/href that the browser would load (not plain <a> navigation links)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                (self.links if tag == "a" else self.loaded).append(value)


def check_page(base: str, path: str) -> None:
    status, content_type, body = fetch(urljoin(base, path))
    assert status == 200, (path, status, body[:300])
    assert "text/html" in content_type, (path, content_type)
    parser = References()
    parser.feed(body.decode())
    own_host = urlsplit(base).netloc
    outside = [
        ref
        for ref in parser.loaded + parser.links
        if urlsplit(urljoin(base, ref)).scheme in ("http", "https")
        and urlsplit(urljoin(base, ref)).netloc != own_host
    ]
    assert not outside, f"{path} references outside hosts: {outside}"
    # Every asset the page loads must come from the image: a classroom network may be down.
    for ref in parser.loaded:
        url = urljoin(urljoin(base, path), ref)
        if urlsplit(url).scheme not in ("http", "https"):
            continue  # data: URIs and the like
        asset_status, _, _ = fetch(url)
        assert asset_status == 200, (path, ref, asset_status)
    print(f"ok   GET {path}: {len(parser.loaded)} assets, all from the container")


def check_metrics(base: str) -> None:
    """/metrics answers in Prometheus' text format and has counted the run just made."""
    status, content_type, body = fetch(urljoin(base, "/metrics"))
    assert status == 200, (status, body[:300])
    assert content_type.startswith("text/plain"), content_type
    text = body.decode()
    ok_runs = [
        line
        for line in text.splitlines()
        if line.startswith("playground_runs_total{") and 'outcome="ok"' in line
    ]
    assert ok_runs and float(ok_runs[0].rsplit(" ", 1)[1]) >= 1, ok_runs
    assert 'playground_workers{state="idle"}' in text, text[:500]
    print(f"ok   GET /metrics: {len(text.splitlines())} lines, {ok_runs[0]}")


def main(base: str) -> int:
    base = base.rstrip("/") + "/"
    check_chain_rule(base)
    check_metrics(base)
    check_page(base, "/")
    check_page(base, "/docs")
    status, _, body = fetch(urljoin(base, "/openapi.json"))
    assert status == 200 and json.loads(body)["paths"], status
    print("ok   GET /openapi.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
