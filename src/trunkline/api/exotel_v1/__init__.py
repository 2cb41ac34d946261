"""The Exotel Voice v1 dialect: routes, parameter parsing and JSON/XML rendering over the shared store."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.dialect import Dialect
from trunkline.api.exotel_v1.fast_details import CallDetailsFastPath
from trunkline.api.exotel_v1.openapi import v1_paths
from trunkline.api.exotel_v1.render import rest_exception
from trunkline.api.exotel_v1.routes import DIALECT_NAME, routes
from trunkline.api.exotel_v1.status_callback import status_callback_renderer
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.engine.calls.engine import CallbackRenderer
from trunkline.services.composition import Services

PREFIX = "/v1/"
log = logging.getLogger("trunkline.api.v1")


def _wants_json(request: Request) -> bool:
    return str(request.scope["path"]).endswith(".json")


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods answer in the dialect's own RestException too."""
    assert isinstance(exc, HTTPException)
    message = {404: "No matching results", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
    return rest_exception(exc.status_code, message, as_json=_wants_json(request))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.scope["path"], "method": request.method})
    return rest_exception(500, "Internal server error", as_json=_wants_json(request))


def build_app(services: Services, limiter: RateLimiter) -> ASGIApp:
    """The dialect as its own small Starlette app, mounted by path prefix in ``api/app.py``, behind
    the raw path for plain call-details requests (``fast_details.py``)."""
    app = Starlette(
        routes=routes(), exception_handlers={HTTPException: _http_error, Exception: _unexpected_error}
    )
    app.state.services = services
    app.state.limiter = limiter
    return CallDetailsFastPath(StopAnsweredErrors(app), services, limiter)


def _renderers(settings: Settings) -> dict[str, CallbackRenderer]:
    return {DIALECT_NAME: status_callback_renderer(settings.public_url)}


DIALECT = Dialect(
    name=DIALECT_NAME, prefixes=(PREFIX,), build_app=build_app, renderers=_renderers, openapi_paths=v1_paths
)
