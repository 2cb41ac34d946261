"""The Exotel Voice v1 dialect: routes, parameter parsing and JSON/XML rendering over the shared store."""

from __future__ import annotations

from starlette.types import ASGIApp

from trunkline.api.dialect import Dialect
from trunkline.api.exotel_v1.errors import ERRORS
from trunkline.api.exotel_v1.fast_details import CallDetailsFastPath
from trunkline.api.exotel_v1.openapi import v1_paths
from trunkline.api.exotel_v1.routes import DIALECT_NAME, routes
from trunkline.api.exotel_v1.status_callback import status_callback_renderer
from trunkline.api.exotel_v1.views import call_views
from trunkline.api.pipeline import dialect_app
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.engine.calls.engine import CallbackRenderer
from trunkline.services.composition import Services


def build_app(services: Services, limiter: RateLimiter) -> ASGIApp:
    """The dialect's Starlette app behind the raw path for plain call-details requests
    (``fast_details.py``), which answers most of its traffic without Starlette."""
    return CallDetailsFastPath(dialect_app(routes(), ERRORS, services, limiter), services, limiter)


def _renderers(settings: Settings) -> dict[str, CallbackRenderer]:
    return {DIALECT_NAME: status_callback_renderer(settings.public_url)}


DIALECT = Dialect(
    name=DIALECT_NAME,
    prefixes=("/v1/",),
    build_app=build_app,
    renderers=_renderers,
    openapi_paths=v1_paths,
    call_views=call_views,
)
