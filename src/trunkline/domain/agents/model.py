"""An agent, what may be changed about one, and whether one can take a call now.

Pure: the store keeps agents, the CCM dialect asks ``check_can_call`` before placing a call and
renders the reason it refuses in its own error codes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from trunkline.domain.errors import InvalidParameter, TrunklineError
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164

AGENT_KEY = "AgentUserId"
"""The key of ``CallRun.extra`` (``ConnectRequest.extra``) naming the agent a call was placed for."""
MAX_NAME = 200
MAX_CONTACT_URI = 128
_USER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SIP_URI = re.compile(r"^sips?:[^\s@\x00-\x1f\x7f]+(@[^\s@\x00-\x1f\x7f]+)?$", re.IGNORECASE)


class DeviceState(StrEnum):
    """The agent's device as Exotel's dashboard shows it: only ``on`` can take a call."""

    ON = "on"
    OFF = "off"
    BUSY = "busy"
    UNVERIFIED = "unverified"


DEVICE_STATES = tuple(state.value for state in DeviceState)


@dataclass(frozen=True, slots=True)
class Agent:
    user_id: str
    name: str
    contact_uri: str
    """E.164 number, or a ``sip:`` URI kept as given."""
    device_state: str
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class AgentChanges:
    """An update: fields left None stay as they are."""

    name: str | None = None
    contact_uri: str | None = None
    device_state: str | None = None


class AgentUnavailable(TrunklineError):
    """The agent cannot take a call: ``reason`` is the device state (off, unverified, busy)."""

    status = 409
    code = "agent-unavailable"

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, parameter="from")
        self.reason = reason


def new_user_id() -> str:
    """Exotel's user ids are UUIDs."""
    return str(uuid.uuid4())


def check_user_id(raw: str) -> str:
    if not _USER_ID.match(raw):
        raise InvalidParameter(
            "user_id must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
            parameter="user_id",
        )
    return raw


def check_name(raw: str) -> str:
    name = raw.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise InvalidParameter(f"name must be 1-{MAX_NAME} printable characters", parameter="name")
    return name


def normalise_contact_uri(raw: str) -> str:
    """A number in any accepted spelling becomes E.164; a ``sip:`` URI is kept (scheme lower-cased),
    so the same device always has the same key."""
    text = raw.strip()
    if len(text) > MAX_CONTACT_URI:
        raise InvalidParameter(
            f"contact_uri is longer than {MAX_CONTACT_URI} characters", parameter="contact_uri"
        )
    if text.lower().startswith(("sip:", "sips:")):
        if not _SIP_URI.match(text):
            raise InvalidParameter(f"contact_uri {text!r} is not a SIP URI", parameter="contact_uri")
        scheme, _, rest = text.partition(":")
        return f"{scheme.lower()}:{rest}"
    try:
        return to_e164(text)
    except UnparseableNumber as exc:
        raise InvalidParameter(
            f"contact_uri must be a phone number or a sip: URI: {exc}", parameter="contact_uri"
        ) from None


def check_device_state(raw: str) -> str:
    state = raw.strip().lower()
    if state not in DEVICE_STATES:
        raise InvalidParameter(
            f"device_state must be one of {', '.join(DEVICE_STATES)}", parameter="device_state"
        )
    return state


def check_can_call(agent: Agent, *, on_a_call: bool) -> None:
    """Raise ``AgentUnavailable`` unless the agent's device is on and not already on a call.

    A device marked ``busy`` and an agent with a call of the engine still live are both busy."""
    if agent.device_state == DeviceState.OFF:
        raise AgentUnavailable(f"The device of user {agent.user_id} is off", reason=DeviceState.OFF)
    if agent.device_state == DeviceState.UNVERIFIED:
        raise AgentUnavailable(
            f"The device of user {agent.user_id} is not verified", reason=DeviceState.UNVERIFIED
        )
    if agent.device_state == DeviceState.BUSY or on_a_call:
        raise AgentUnavailable(f"User {agent.user_id} is busy on another call", reason=DeviceState.BUSY)
