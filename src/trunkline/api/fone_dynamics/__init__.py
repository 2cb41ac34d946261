"""The Fone Dynamics v2 dialect (call tracking): Get Calls, Purchase and Configure Numbers over the
shared call store. JSON only; every error in the ``ResponseStatus`` envelope, unknown paths too."""

from __future__ import annotations

from starlette.types import ASGIApp

from trunkline.api.dialect import Dialect
from trunkline.api.fone_dynamics.errors import ERRORS
from trunkline.api.fone_dynamics.openapi import fone_paths
from trunkline.api.fone_dynamics.routes import routes
from trunkline.api.fone_dynamics.views import call_views
from trunkline.api.pipeline import dialect_app
from trunkline.api.rate_limit import RateLimiter
from trunkline.services.composition import Services

PREFIXES = ("/v2/Calls", "/v2/Accounts/", "/v2/Properties/", "/v2/Numbers/")
"""Case-sensitive: CCM's ``/v2/accounts/`` is another dialect."""


def build_app(services: Services, limiter: RateLimiter) -> ASGIApp:
    return dialect_app(routes(), ERRORS, services, limiter)


DIALECT = Dialect(
    name="fone_dynamics",
    prefixes=PREFIXES,
    build_app=build_app,
    openapi_paths=fone_paths,
    call_views=call_views,
)
