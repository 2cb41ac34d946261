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

from pydantic import ConfigDict
from typing_extensions import TypedDict

_STRICT = ConfigDict(extra="forbid")


class ClockState(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
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


class CallEventBody(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    at_ms: int
    at_ist: str
    name: str
    detail: dict[str, Any]


class CallEventsAnswer(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    call_sid: str
    events: list[CallEventBody]


class DeliveryBody(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
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


class AttemptBody(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    attempted_at: int
    duration_ms: int
    response_status: int | None
    response_excerpt: str
    error: str | None


class DeliveryLogBody(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    delivery: DeliveryBody
    attempts: list[AttemptBody]


class CallWebhooksAnswer(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    call_sid: str
    deliveries: list[DeliveryLogBody]


class RedeliverAnswer(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    delivery_id: int
    state: str


class ResetAnswer(TypedDict):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    calls_deleted: int
    generators_stopped: int
    flows_deleted: NotRequired[int]
    """This and the next four: with ``everything`` only."""
    agents_deleted: NotRequired[int]
    properties_deleted: NotRequired[int]
    generators_deleted: NotRequired[int]
    scenario_cleared: NotRequired[bool]
    clock: ClockState
