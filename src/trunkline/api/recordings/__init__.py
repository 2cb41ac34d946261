"""Recording files at ``/exotelrecordings/<AccountSid>/<CallSid>.mp3`` (the path of ``RecordingUrl``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp

from trunkline.api.dialect import Dialect
from trunkline.api.pipeline import dialect_app
from trunkline.api.rate_limit import RateLimiter
from trunkline.api.recordings.errors import ERRORS
from trunkline.api.recordings.openapi import recording_paths
from trunkline.api.recordings.routes import FOLDER, routes
from trunkline.services.composition import Services


def build_app(services: Services, limiter: RateLimiter, *, now_s: Callable[[], float] = time.time) -> ASGIApp:
    """``now_s`` is the wall clock that links expire by (tests move it). Downloads do not spend the
    rate limit (``routes.py``)."""
    return dialect_app(routes(now_s), ERRORS, services, limiter)


DIALECT = Dialect(
    name="recordings", prefixes=(f"/{FOLDER}/",), build_app=build_app, openapi_paths=recording_paths
)
