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
- ``views.py`` (a dialect that shows calls): one call as the dialect answers for it, for the
  console's Call page;
- ``__init__.py``: its ``Dialect``, whose app is ``pipeline.dialect_app(routes(), ERRORS,
  services, limiter)``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from trunkline.api.openapi_parts import Components
from trunkline.config import Settings
from trunkline.engine.calls.engine import CallbackRenderer

if TYPE_CHECKING:
    from trunkline.api.rate_limit import RateLimiter
    from trunkline.services.composition import Services


@dataclass(frozen=True, slots=True)
class CallView:
    """One call as a dialect answers for it: what the console shows beside "copy as curl"."""

    label: str
    """Which answer this is, e.g. ``v1 JSON``."""
    body: str
    """The body, as the dialect sends it (pretty-printed when JSON)."""
    path: str
    """The request path (and query) that gives this body, under the server's base URL."""


@dataclass(frozen=True, slots=True)
class CallViewRequest:
    """Whose call to show: the account (row id and Sid) and the call's Sid."""

    account_id: int
    account_sid: str
    call_sid: str


CallViews = Callable[["Services", CallViewRequest], Awaitable[list[CallView]]]
"""A dialect's views of one call; none when the dialect has no answer for it (a call that Fone
Dynamics does not track, say)."""


async def _no_views(_: Services, __: CallViewRequest) -> list[CallView]:
    return []


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
    call_views: CallViews = field(default=_no_views)
    """How it answers for one call, for the console's Call page (none: it shows no calls)."""
