"""What a dialect hands the server, as one value: the path prefixes it answers, its ASGI app, the
status-callback renderers of the calls it places, and its OpenAPI paths.

The server knows dialects only through this value, so that adding one touches no core file: a new
folder under ``api/`` shaped like the others, and one entry in ``DIALECTS`` in ``api/app.py``.
Every dialect folder has the same files:

- ``params.py``: its request parameters and query strings, parsed into domain objects;
- ``render.py``: its success bodies;
- ``errors.py``: its error envelope, as one ``DialectErrors`` value for ``api/pipeline.py``;
- ``routes.py``: handlers ``(request, services, principal)`` wrapped by ``pipeline.endpoint``, and the
  route table; route names are the operation ids, ``<dialect>_<resource>_<action>``;
- ``openapi.py``: its paths on the OpenAPI page;
- ``__init__.py``: its ``Dialect``, whose app is ``pipeline.dialect_app(routes(), ERRORS,
  services, limiter)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from trunkline.api.openapi_parts import Components
from trunkline.config import Settings
from trunkline.engine.calls.engine import CallbackRenderer

if TYPE_CHECKING:
    from trunkline.api.rate_limit import RateLimiter
    from trunkline.services.composition import Services


def _no_renderers(_: Settings) -> Mapping[str, CallbackRenderer]:
    return {}


def _no_paths(_: Components) -> dict[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    prefixes: tuple[str, ...]
    """Path prefixes routed to this dialect, matched case-sensitively (CCM's ``/v2/accounts/`` and
    Fone Dynamics' ``/v2/Accounts/`` differ only by case)."""
    build_app: Callable[[Services, RateLimiter], ASGIApp]
    """The dialect's app over the server's services and its per-account rate limit."""
    renderers: Callable[[Settings], Mapping[str, CallbackRenderer]] = field(default=_no_renderers)
    """Status-callback renderers by the dialect name a call was placed with (none: it places no calls)."""
    openapi_paths: Callable[[Components], dict[str, Any]] = field(default=_no_paths)
    """Its paths on the OpenAPI page; the schemas of its answers go to the ``Components`` given."""
