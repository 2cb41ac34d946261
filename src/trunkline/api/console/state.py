"""What every console module reads from the console's app: its services, admin token and key."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from trunkline.services.composition import Services


@dataclass(frozen=True, slots=True)
class ConsoleState:
    services: Services
    admin_token: str
    secret: bytes
    """The server's secret (the one that signs cursors), from which the session key is derived."""


def console_state(request: HTTPConnection) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state
