"""The playground page: GET / renders templates/index.html with cache-busted static URLs."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app import asset_dir

STATIC_DIR = asset_dir("static")
TEMPLATES_DIR = asset_dir("templates")
STATIC_URL = "/static/"

router = APIRouter(tags=["page"])
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

# (path, mtime_ns, size) -> short hash: files are hashed once per version, not per request.
_hash_cache: dict[tuple[str, int, int], str] = {}


def content_hash(relative_path: str) -> str:
    """Return a short sha256 of a file under static/, recomputed only when the file changes."""
    path = STATIC_DIR / relative_path
    stat = path.stat()
    key = (relative_path, stat.st_mtime_ns, stat.st_size)
    if key not in _hash_cache:
        _hash_cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _hash_cache[key]


def static(relative_path: str) -> str:
    """Return the URL of a static file with its content hash, so browsers never run stale code."""
    return f"{STATIC_URL}{relative_path}?v={content_hash(relative_path)}"


def module_import_map() -> str:
    """Map every ES module's plain URL to its hashed URL.

    Modules import each other by relative path; the import map makes those imports cache-busted
    too, not only the entry script.
    """
    modules = sorted(
        path.relative_to(STATIC_DIR).as_posix()
        for path in STATIC_DIR.rglob("*.js")
        if path.relative_to(STATIC_DIR).parts[0] in ("js", "vendor")
    )
    imports = {f"{STATIC_URL}{module}": static(module) for module in modules}
    # "</" cannot end the inline <script> early once escaped.
    return json.dumps({"imports": imports}, indent=1).replace("</", "<\\/")


templates.env.globals["static"] = static
templates.env.globals["module_import_map"] = module_import_map


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def playground_page(
    request: Request,
    embed: Annotated[bool, Query(description="Editor, run button and graph only.")] = False,
) -> HTMLResponse:
    """Render the playground page."""
    return templates.TemplateResponse(request, "index.html", {"embed": embed})
