"""GET /docs (offline Swagger UI) and GET /openapi.json (agrees with the v1 contract)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx

VENDOR = Path(__file__).resolve().parents[2] / "static" / "vendor" / "swagger-ui-dist-5.35.0"


def test_docs_page_loads_every_asset_from_this_server(client: httpx.Client) -> None:
    r = client.get("/docs")
    assert r.status_code == 200, r.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert assets, r.text
    for url in assets:
        assert url.startswith("/static/vendor/swagger-ui-dist-5.35.0/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
    assert "http://" not in r.text and "https://" not in r.text
    assert "validatorUrl" in r.text  # no schema upload to validator.swagger.io


def test_vendored_docs_ui_matches_its_manifest() -> None:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    assert (VENDOR / "LICENSE").exists()
    for name, digest in manifest["files_sha256"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_openapi_documents_the_run_contract(client: httpx.Client) -> None:
    r = client.get("/openapi.json")
    assert r.status_code == 200, r.text
    schema = r.json()
    run = schema["paths"]["/api/v1/run"]["post"]
    for status in ("200", "413", "422", "429", "503"):
        assert status in run["responses"], status
    schemas = schema["components"]["schemas"]
    request_fields = set(schemas["RunRequest"]["properties"])
    assert request_fields == {"source", "seed", "backward", "jacobian", "include"}
    assert schemas["RunRequest"]["required"] == ["source"]
    assert set(schemas["BackwardRequest"]["properties"]) == {"output", "gradient", "retain_graph"}
    result_fields = set(schemas["RunResult"]["properties"])
    contract = {
        "api_version", "torch_version", "ok", "error", "stdout", "warnings", "variables",
        "graph", "timeline", "backward_trace", "jacobian", "limits", "timing_ms",
    }  # fmt: skip
    assert contract <= result_fields
    assert {"type", "message", "line", "col", "limit", "hint"} <= set(
        schemas["ErrorInfo"]["properties"]
    )
    for path in ("/api/v1/examples", "/api/v1/capabilities", "/healthz", "/readyz"):
        assert "get" in schema["paths"][path], path
