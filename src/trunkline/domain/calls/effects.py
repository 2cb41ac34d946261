"""What one step of the state machine asks the engine to do: dial or hang up a leg on the carrier,
store an event, send a status callback, ask the network what a flow's caller does, make a
Passthru request. Frozen values: the engine carries them out, the state machine never looks back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Dial:
    leg: int
    at: int


@dataclass(frozen=True, slots=True)
class Hangup:
    leg: int
    at: int


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    at: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Notify:
    """Send the status callback for ``event`` (``answered`` or ``terminal``), if one was asked for."""

    event: str
    at: int


@dataclass(frozen=True, slots=True)
class Gather:
    """Listen for the caller's keys from ``at`` (a prompt ended); ``keys`` are the menu's choices."""

    at: int
    seq: int
    keys: tuple[str, ...]
    prompt: int
    """How many prompts the call heard before this one."""


@dataclass(frozen=True, slots=True)
class Listen:
    """The caller may leave a message from ``at``, of at most ``max_ms``."""

    at: int
    seq: int
    max_ms: int


@dataclass(frozen=True, slots=True)
class Incoming:
    """An inbound caller was answered at ``at``: the network says when they hang up."""

    at: int


@dataclass(frozen=True, slots=True)
class Fetch:
    """A Passthru applet's GET; the call waits for its reply (``FLOW_REPLY``)."""

    applet: str
    url: str
    params: dict[str, str]
    at: int
    timeout_ms: int


Effect = Dial | Hangup | Event | Notify | Gather | Listen | Incoming | Fetch
