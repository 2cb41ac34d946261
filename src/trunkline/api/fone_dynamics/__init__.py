"""The Fone Dynamics v2 dialect (call tracking): Get Calls, Purchase and Configure Numbers over the
shared call store. JSON only; every error in the ``ResponseStatus`` envelope, unknown paths too."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.dialect import Dialect
from trunkline.api.fone_dynamics.openapi import fone_paths
from trunkline.api.fone_dynamics.render import error_body, json_response
from trunkline.api.fone_dynamics.routes import routes
from trunkline.api.rate_limit import RateLimiter
from trunkline.services.composition import Services

PREFIXES = ("/v2/Calls", "/v2/Accounts/", "/v2/Properties/", "/v2/Numbers/")
"""Case-sensitive: CCM's ``/v2/accounts/`` is another dialect."""
log = logging.getLogger("trunkline.api.fone")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        body = error_body("METHOD_NOT_ALLOWED", f"{request.method} is not allowed on this resource")
        return json_response(body, 405, dict(exc.headers or {}))
    return json_response(error_body("NOT_FOUND", "No such resource"), 404)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.scope["path"], "method": request.method})
    return json_response(error_body("INTERNAL_ERROR", "Internal server error"), 500)


def build_app(services: Services, limiter: RateLimiter) -> ASGIApp:
    app = Starlette(
        routes=routes(), exception_handlers={HTTPException: _http_error, Exception: _unexpected_error}
    )
    app.state.services = services
    app.state.limiter = limiter
    return StopAnsweredErrors(app)


DIALECT = Dialect(name="fone_dynamics", prefixes=PREFIXES, build_app=build_app, openapi_paths=fone_paths)
