"""The console's Starlette app: every page's routes under ``/console``, its static files, the event
stream, and the error pages (a redirect to sign in, 403, 404, and a 500 page with no traceback)."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from trunkline.api.console import events
from trunkline.api.console.pages import PAGES
from trunkline.api.console.session import PageError, Redirect, session
from trunkline.api.console.state import ConsoleState
from trunkline.api.console.templating import HERE, nav_pages, render
from trunkline.api.request_id import request_id
from trunkline.services.composition import Services

PREFIX = "/console"
_log = logging.getLogger("trunkline.api.console")


def build_console(services: Services, *, admin_token: str, secret: bytes) -> Starlette:
    """The console, to be served at ``/console`` (paths inside start with it)."""
    inner: list[BaseRoute] = [Route("/", _home, methods=["GET"])]
    for page in PAGES:
        inner.extend(page.routes)
    inner.extend(events.ROUTES)
    inner.append(Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"))
    app = Starlette(
        routes=[Route(PREFIX, _home, methods=["GET"]), Mount(PREFIX, routes=inner)],
        exception_handlers={
            Redirect: _redirect,
            PageError: _page_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.console = ConsoleState(services, admin_token, secret)
    app.state.pages = PAGES
    return app


async def _home(request: Request) -> Response:
    """``/console``: the first page this viewer may open, or the sign-in page."""
    found = session(request)
    if found is None:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)
    first = nav_pages(request, found.viewer)
    return RedirectResponse(f"{PREFIX}{first[0].path}" if first else f"{PREFIX}/login", status_code=303)


async def _redirect(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.location, status_code=303)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return render(request, "error.html", status_code=exc.status, message=exc.message, status=exc.status)


_MESSAGES = {404: "There is no such page.", 405: "This page does not take that method."}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = _MESSAGES.get(exc.status_code, str(exc.detail))
    return render(request, "error.html", status_code=exc.status_code, message=message, status=exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug: logged once with the request id, which the page shows too (never the traceback)."""
    rid = request_id(request.scope)
    _log.error("unhandled console error (request %s)", rid, exc_info=exc, extra={"path": request.url.path})
    return render(
        request, "error.html", status_code=500, status=500, message=f"Something went wrong (request {rid})."
    )
