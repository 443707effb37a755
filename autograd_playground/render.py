"""How a RunResult is drawn in a notebook: the page's own ES modules, from the installed package.

Two renderings share one loader (`static/js/notebook-loader.js`) and one view module
(`static/js/notebook-view.js`, which wires the page's graph, inspector, backward player and
Jacobian panel to one root element):

- the live widget (anywidget): the modules travel as a trait, the loader imports them;
- the static `text/html` fallback: the same modules inlined as JSON in the output itself, so
  the view draws in an nbconvert HTML export or a viewer without a kernel, with no network.

Both turn each module into a `blob:` URL (imports rewritten to the blob URLs of their
dependencies), so nothing is fetched from anywhere.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from functools import lru_cache
from typing import Any

from app import asset_dir

ENTRY = "js/notebook-view.js"
_IMPORT = re.compile(r"""(?:from|import)\s*['"](\.{1,2}/[^'"]+)['"]""")


def _resolve(base: str, spec: str) -> str:
    parts = base.split("/")[:-1]
    for piece in spec.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


@lru_cache(maxsize=1)
def modules() -> dict[str, str]:
    """The view's modules and the vendored libraries they import, path (under static/) → text."""
    static = asset_dir("static")
    found: dict[str, str] = {}
    pending = [ENTRY]
    while pending:
        path = pending.pop()
        if path in found:
            continue
        text = (static / path).read_text(encoding="utf-8")
        found[path] = text
        if path.startswith("js/"):
            pending.extend(_resolve(path, spec) for spec in _IMPORT.findall(text))
    return found


@lru_cache(maxsize=1)
def loader() -> str:
    return (asset_dir("static") / "js" / "notebook-loader.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def view_css() -> str:
    return (asset_dir("static") / "css" / "notebook.css").read_text(encoding="utf-8")


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no `</script>`, no `<!--`).

    `/` is written `\\/` (the same JSON string): the vendored libraries hold URLs as identifiers
    and comments only (the SVG namespace, license links), never fetched, and written this way
    no `http(s)://` text is left in the output for a viewer or a checker to take for a link.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("/", "\\/")):
        text = text.replace(raw, escaped)
    return text


def static_html(result: dict[str, Any], lang: str = "en") -> str:
    """A self-contained HTML view of `result` (no http(s) reference, no network)."""
    view_id = f"agp-{uuid.uuid4().hex[:12]}"
    payload = {"result": result, "options": {"lang": lang}}
    return (
        f"<style>{view_css()}</style>"
        f'<div class="agp-view" id="{view_id}" data-graph-nodes="0" data-graph-state="loading">'
        f'<p class="agp-loading">{html.escape(_loading_text(lang))}</p></div>'
        f'<script type="application/json" id="{view_id}-modules">{_script_json(modules())}</script>'
        f'<script type="application/json" id="{view_id}-data">{_script_json(payload)}</script>'
        "<script>(function () {\n"
        f"{loader()}\n"
        f"const root = document.getElementById({json.dumps(view_id)});\n"
        "const read = (suffix) =>\n"
        "  JSON.parse(document.getElementById(root.id + suffix).textContent);\n"
        "const data = read('-data');\n"
        f"agpLoadView(read('-modules'), {json.dumps(ENTRY)})"
        ".then((view) => view.mountView(root, data.result, data.options))"
        ".catch((error) => agpShowFailure(root, error));\n"
        "})();</script>"
    )


def _loading_text(lang: str) -> str:
    return "그래프를 그리는 중…" if lang == "ko" else "Drawing the graph…"


def widget_esm() -> str:
    """The anywidget module: the same loader, fed from the widget's traits."""
    return (
        f"{loader()}\n"
        "export default {\n"
        "  async render({ model, el }) {\n"
        "    const root = document.createElement('div');\n"
        "    root.className = 'agp-view';\n"
        "    root.dataset.graphNodes = '0';\n"
        "    el.appendChild(root);\n"
        "    try {\n"
        "      const view = await agpLoadView(model.get('modules'), model.get('entry'));\n"
        "      view.mountView(root, model.get('result'), { lang: model.get('lang') });\n"
        "    } catch (error) { agpShowFailure(root, error); }\n"
        "  },\n"
        "};\n"
    )


def widget(result: dict[str, Any], lang: str = "en") -> Any:
    """The live view (anywidget), or None where anywidget is not installed."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        return None

    class AutogradView(anywidget.AnyWidget):
        _esm = widget_esm()
        _css = view_css()
        modules = traitlets.Dict().tag(sync=True)
        entry = traitlets.Unicode().tag(sync=True)
        result = traitlets.Dict().tag(sync=True)
        lang = traitlets.Unicode("en").tag(sync=True)

    return AutogradView(modules=modules(), entry=ENTRY, result=result, lang=lang)


def mimebundle(result: dict[str, Any], text: str, lang: str = "en") -> dict[str, Any]:
    """Widget view (live kernels), HTML fallback (exports, viewers) and plain text, one bundle."""
    bundle: dict[str, Any] = {"text/plain": text, "text/html": static_html(result, lang)}
    view = widget(result, lang)
    if view is not None:
        widget_bundle = view._repr_mimebundle_()
        if isinstance(widget_bundle, tuple):
            widget_bundle = widget_bundle[0]
        key = "application/vnd.jupyter.widget-view+json"
        if widget_bundle and key in widget_bundle:
            bundle[key] = widget_bundle[key]
    return bundle
