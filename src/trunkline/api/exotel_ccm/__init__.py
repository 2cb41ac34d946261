"""The Exotel CCM v2 dialect (agent-to-customer calls): make a call, call details, its legs, and
JSON status callbacks, over the same call engine and store as v1 (API-NOTES §8, docs/ccm-v2.md)."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.dialect import Dialect
from trunkline.api.exotel_ccm.envelope import error_response, internal_error
from trunkline.api.exotel_ccm.openapi import ccm_paths
from trunkline.api.exotel_ccm.routes import DIALECT_NAME, routes
from trunkline.api.exotel_ccm.status_callback import status_callback_renderer
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.domain.errors import MethodNotAllowed, NotFound
from trunkline.engine.calls.engine import CallbackRenderer
from trunkline.services.composition import Services

PREFIX = "/v2/accounts"
"""Without a trailing slash: ``/v2/accounts`` itself is CCM's too, and answers 404 in its envelope."""
log = logging.getLogger("trunkline.api.ccm")


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths (404/1000) and wrong methods (405) answer in the CCM envelope too."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return error_response(request.method, MethodNotAllowed(f"{request.method} is not allowed here"))
    return error_response(request.method, NotFound(f"No resource at {request.url.path}"))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.scope["path"], "method": request.method})
    return internal_error(request.method)


def build_app(services: Services, limiter: RateLimiter) -> ASGIApp:
    """The dialect's own Starlette app. Which agent each CCM call was placed for is recorded by a
    ``CallRunStore`` observer, registered by the composition root."""
    app = Starlette(
        routes=routes(), exception_handlers={HTTPException: _http_error, Exception: _unexpected_error}
    )
    app.state.services = services
    app.state.limiter = limiter
    return StopAnsweredErrors(app)


def _renderers(settings: Settings) -> dict[str, CallbackRenderer]:
    return {DIALECT_NAME: status_callback_renderer(settings.public_url)}


DIALECT = Dialect(
    name=DIALECT_NAME, prefixes=(PREFIX,), build_app=build_app, renderers=_renderers, openapi_paths=ccm_paths
)
