"""The API reference pages, ``/docs`` (Swagger UI) and ``/redoc``, served entirely by this server.

FastAPI's own pages load their scripts, styles, favicon and fonts from CDNs, so without internet
they were blank. The assets are vendored under ``api/static`` (versions and licences beside them,
in each folder's VERSION file) and the pages reference nothing but this server. Their bundles
still name outside addresses at run time (Redoc's sidebar logo comes from its CDN), so the pages
also send a Content-Security-Policy that lets the browser fetch from this server alone.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/docs"
OFFLINE_POLICY = {
    "Content-Security-Policy": (
        # Swagger UI starts from an inline script, both bundles inject inline styles, and Redoc
        # searches in a worker it makes from a blob.
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
}
"""Headers of the two reference pages: whatever their scripts name, only this server is asked."""


def add_docs_pages(app: FastAPI) -> None:
    """Mount the vendored assets and the two pages on ``app`` (created with ``docs_url=None`` and
    ``redoc_url=None``)."""
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"
    favicon = f"{STATIC_PREFIX}/swagger-ui/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _offline(
            get_swagger_ui_html(
                openapi_url=openapi_url,
                title=f"{app.title} - API reference",
                oauth2_redirect_url="/docs/oauth2-redirect",
                swagger_js_url=f"{STATIC_PREFIX}/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url=f"{STATIC_PREFIX}/swagger-ui/swagger-ui.css",
                swagger_favicon_url=favicon,
            )
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API reference",
            redoc_js_url=f"{STATIC_PREFIX}/redoc/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
        return _offline(_without_cdn_logo(page))


def _offline(page: HTMLResponse) -> HTMLResponse:
    page.headers.update(OFFLINE_POLICY)
    return page


_NO_CDN_LOGO = b"<style>img[src^='https://cdn.redoc.ly']{display:none}</style></head>"
"""Redoc's "API docs by Redocly" logo, which the policy refuses, hidden rather than shown broken."""


def _without_cdn_logo(page: HTMLResponse) -> HTMLResponse:
    body = bytes(page.body).replace(b"</head>", _NO_CDN_LOGO, 1)
    return HTMLResponse(body, headers={k: v for k, v in page.headers.items() if k != "content-length"})
