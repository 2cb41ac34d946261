"""Rendering the console's pages: one Jinja2 environment, autoescaping everything.

Every page goes through ``render``, whose context always holds the viewer, the CSRF token, the
navigation for this viewer, ``static(path)`` and the ``ist`` filter. Client data is never marked
safe: the only markup built in Python is the ``ist`` filter's, from integers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from trunkline.api.console.csrf import csrf_token, set_pre_session_cookie
from trunkline.api.console.page import Page
from trunkline.api.console.session import Viewer, remember_account, session
from trunkline.domain.clock import ms_to_ist

HERE = Path(__file__).parent
STATIC_PREFIX = "/console/static/"

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)


def ist(ms: int | None) -> Markup:
    """Epoch milliseconds as IST text, with the UTC instant machine-readable and on hover."""
    if ms is None:
        return Markup("")
    utc = dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC)
    iso = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup('<time datetime="{}" title="UTC {}">{}</time>').format(
        iso, utc.strftime("%Y-%m-%d %H:%M:%S"), ms_to_ist(int(ms))
    )


def _static(path: str) -> str:
    return STATIC_PREFIX + str(escape(path))


_env.filters["ist"] = ist
_env.globals["static"] = _static


def nav_pages(request: Request, viewer: Viewer | None) -> list[Page]:
    """The pages the navigation offers this viewer (none before sign-in)."""
    if viewer is None:
        return []
    pages: list[Page] = request.app.state.pages
    return [page for page in pages if page.in_nav and (viewer.is_admin or not page.admin_only)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page: ``template`` with ``context`` and what every page needs."""
    found = session(request)
    viewer = found.viewer if found is not None else None
    body = _env.get_template(template).render(
        request=request,
        viewer=viewer,
        csrf_token=csrf_token(request),
        pages=nav_pages(request, viewer),
        current_path=request.url.path,
        **context,
    )
    response = HTMLResponse(body, status_code=status_code, headers=SECURITY_HEADERS)
    set_pre_session_cookie(request, response)
    remember_account(request, response)
    return response


def render_fragment(template: str, **context: Any) -> str:
    """A piece of a page (rows a live page swaps in), rendered with the same escaping."""
    return _env.get_template(template).render(**context)


SECURITY_HEADERS = {
    # Everything the console loads comes from itself: no CDN, no inline script, no framing.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Headers of every console page."""
