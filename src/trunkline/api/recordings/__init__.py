"""Recording files at ``/exotelrecordings/<AccountSid>/<CallSid>.mp3`` (the path of ``RecordingUrl``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp

from trunkline.api.context import AppContext
from trunkline.api.dialect import Dialect
from trunkline.api.pipeline import dialect_app
from trunkline.api.recordings.errors import ERRORS
from trunkline.api.recordings.openapi import recording_paths
from trunkline.api.recordings.routes import FOLDER, routes


def build_app(ctx: AppContext, *, now_s: Callable[[], float] = time.time) -> ASGIApp:
    """``now_s`` is the wall clock that links expire by (tests move it)."""
    return dialect_app(routes(now_s), ERRORS, ctx)


DIALECT = Dialect(
    name="recordings", prefixes=(f"/{FOLDER}/",), build_app=build_app, openapi_paths=recording_paths
)
