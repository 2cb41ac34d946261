"""What every console module reads from the console's app: its services, admin token and key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.requests import HTTPConnection

from trunkline.api.dialect import CallViews
from trunkline.services.composition import Services


@dataclass(frozen=True, slots=True)
class ConsoleState:
    services: Services
    admin_token: str
    secret: bytes
    """The server's secret (the one that signs cursors), from which the session key is derived."""
    call_views: Sequence[CallViews] = field(default=())
    """Each dialect's way of showing one call (``Dialect.call_views``), for the Call page."""


def console_state(request: HTTPConnection) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state
