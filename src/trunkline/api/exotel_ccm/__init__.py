"""The Exotel CCM v2 dialect (agent-to-customer calls): make a call, call details, its legs, and
JSON status callbacks, over the same call engine and store as v1 (docs/api-choices.md §CCM v2)."""

from __future__ import annotations

from starlette.types import ASGIApp

from trunkline.api.dialect import Dialect
from trunkline.api.exotel_ccm.errors import ERRORS
from trunkline.api.exotel_ccm.openapi import ccm_paths
from trunkline.api.exotel_ccm.routes import DIALECT_NAME, routes
from trunkline.api.exotel_ccm.status_callback import status_callback_renderer
from trunkline.api.exotel_ccm.views import call_views
from trunkline.api.pipeline import dialect_app
from trunkline.api.rate_limit import RateLimiter
from trunkline.config import Settings
from trunkline.engine.calls.engine import CallbackRenderer
from trunkline.services.composition import Services

PREFIX = "/v2/accounts"
"""Without a trailing slash: ``/v2/accounts`` itself is CCM's too, and answers 404 in its envelope."""


def build_app(services: Services, limiter: RateLimiter) -> ASGIApp:
    """The dialect's own Starlette app. Which agent each CCM call was placed for is recorded by a
    ``CallRunStore`` observer, registered by the composition root."""
    return dialect_app(routes(), ERRORS, services, limiter)


def _renderers(settings: Settings) -> dict[str, CallbackRenderer]:
    return {DIALECT_NAME: status_callback_renderer(settings.public_url)}


DIALECT = Dialect(
    name=DIALECT_NAME,
    prefixes=(PREFIX,),
    build_app=build_app,
    renderers=_renderers,
    openapi_paths=ccm_paths,
    call_views=call_views,
)
