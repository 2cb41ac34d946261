"""Recording files at ``/exotelrecordings/<AccountSid>/<CallSid>.mp3`` (the path of ``RecordingUrl``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from trunkline.api.answered_errors import StopAnsweredErrors
from trunkline.api.dialect import Dialect
from trunkline.api.exotel_v1.render import rest_exception
from trunkline.api.rate_limit import RateLimiter
from trunkline.api.recordings.openapi import recording_paths
from trunkline.api.recordings.routes import FOLDER, routes
from trunkline.services.composition import Services

PREFIX = f"/{FOLDER}/"
log = logging.getLogger("trunkline.api.recordings")


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "No matching results", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
    return rest_exception(exc.status_code, message, as_json=True)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error", extra={"path": request.scope["path"], "method": request.method})
    return rest_exception(500, "Internal server error", as_json=True)


def build_app(services: Services, limiter: RateLimiter, *, now_s: Callable[[], float] = time.time) -> ASGIApp:
    """Mounted by path prefix in ``api/app.py``; ``now_s`` is the wall clock that links expire by.
    Downloads do not spend the rate limit (``routes.py``)."""
    app = Starlette(
        routes=routes(now_s), exception_handlers={HTTPException: _http_error, Exception: _unexpected_error}
    )
    app.state.services = services
    app.state.limiter = limiter
    return StopAnsweredErrors(app)


DIALECT = Dialect(name="recordings", prefixes=(PREFIX,), build_app=build_app, openapi_paths=recording_paths)
