"""GET /docs: Swagger UI served from static/vendor, with no CDN and no validator calls."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

SWAGGER_UI_DIR = "/static/vendor/swagger-ui-dist-5.35.0"

router = APIRouter(tags=["docs"])


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def swagger_ui() -> HTMLResponse:
    """Serve the interactive API docs."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Autograd Playground API",
        swagger_js_url=f"{SWAGGER_UI_DIR}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI_DIR}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI_DIR}/favicon-32x32.png",
        # Swagger UI would otherwise send the schema to validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
