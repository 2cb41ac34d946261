"""What a dialect hands the server: the path prefixes it answers, its Starlette app, the
status-callback renderers of the calls it places, and its OpenAPI paths.

``api/app.py`` keeps one list of these; adding a dialect is a new folder under ``api/`` that
exports a ``Dialect`` and one entry in that list, and touches no core file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp

from trunkline.config import Settings
from trunkline.engine.calls.engine import CallbackRenderer

if TYPE_CHECKING:
    from trunkline.api.rate_limit import RateLimiter
    from trunkline.services.composition import Services


def _no_renderers(_: Settings) -> Mapping[str, CallbackRenderer]:
    return {}


def _no_paths() -> dict[str, Any]:
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
    """Status-callback renderers by the dialect name a call was placed with."""
    openapi_paths: Callable[[], dict[str, Any]] = field(default=_no_paths)
