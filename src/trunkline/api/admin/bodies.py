"""What the admin API answers, as TypedDicts: FastAPI takes them as each operation's
``response_model``, so ``/openapi.json`` describes every success body (issue 17) from these types,
and the shared conformance hook of the test suite checks each answer against them.

The admin API is not a hot path: FastAPI validates the answer against its type, and every type
forbids keys it does not name, so a service that starts answering a new field fails loudly (a 500
in the tests) instead of the field being dropped or going undocumented. The dialects never pay this:
their bodies are checked by mypy only (``api/*/bodies.py``).
"""

from __future__ import annotations

from typing import Any, NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

_STRICT = ConfigDict(extra="forbid")


@with_config(_STRICT)
class ClockState(TypedDict):
    mode: str
    """``real`` or ``virtual``."""
    time_scale: float
    now_ms: int
    now_ist: str
    """``YYYY-MM-DD HH:MM:SS`` in IST, as the dialects write times."""


class ClockAnswer(ClockState):
    calls_in_flight: int


class AdvanceAnswer(ClockState):
    calls_advanced: int
    """Calls whose state moved while the clock advanced."""


@with_config(_STRICT)
class CallEventBody(TypedDict):
    at_ms: int
    at_ist: str
    name: str
    detail: dict[str, Any]


@with_config(_STRICT)
class CallEventsAnswer(TypedDict):
    call_sid: str
    events: list[CallEventBody]


@with_config(_STRICT)
class DeliveryBody(TypedDict):
    id: int
    account_id: int
    call_id: int | None
    event: str
    url: str
    content_type: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: int | None
    created_at: int
    last_response_status: int | None


@with_config(_STRICT)
class AttemptBody(TypedDict):
    attempted_at: int
    duration_ms: int
    response_status: int | None
    response_excerpt: str
    error: str | None


@with_config(_STRICT)
class DeliveryLogBody(TypedDict):
    delivery: DeliveryBody
    attempts: list[AttemptBody]


@with_config(_STRICT)
class CallWebhooksAnswer(TypedDict):
    call_sid: str
    deliveries: list[DeliveryLogBody]


@with_config(_STRICT)
class RedeliverAnswer(TypedDict):
    delivery_id: int
    state: str


@with_config(_STRICT)
class ResetAnswer(TypedDict):
    calls_deleted: int
    generators_stopped: int
    flows_deleted: NotRequired[int]
    """This and the next four: with ``everything`` only."""
    agents_deleted: NotRequired[int]
    properties_deleted: NotRequired[int]
    generators_deleted: NotRequired[int]
    scenario_cleared: NotRequired[bool]
    clock: ClockState


@with_config(_STRICT)
class AgentBody(TypedDict):
    """A CCM agent (user), as the admin API shows it."""

    user_id: str
    name: str
    contact_uri: str
    """E.164 number, or a ``sip:`` URI kept as given."""
    device_state: str
    created_at: str
    """IST, ``YYYY-MM-DD HH:MM:SS``."""
    updated_at: str


@with_config(_STRICT)
class AgentsAnswer(TypedDict):
    users: list[AgentBody]
