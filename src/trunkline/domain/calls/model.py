"""The call record shared by every dialect."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CallStatus(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"


#: Statuses of a call that has ended; only these appear in the bulk list.
FINAL_STATUSES: frozenset[str] = frozenset(
    {CallStatus.COMPLETED, CallStatus.FAILED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.CANCELED}
)


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND_DIAL = "outbound-dial"
    OUTBOUND_API = "outbound-api"


PRICE_SCALE = 1_000_000
"""Prices are stored as integer micro-units so that ``Price=eq:0.300030`` compares exactly."""


def format_price(micros: int | None) -> str | None:
    """Exotel shows prices as strings with three decimals (docs/api-choices.md §Call details)."""
    if micros is None:
        return None
    return f"{micros / PRICE_SCALE:.3f}"


@dataclass(slots=True)
class Leg:
    leg_id: int
    number: str | None
    status: str | None
    on_call_duration: int
    answered_by: str | None = None


@dataclass(slots=True)
class Call:
    """A call as stored: numbers in E.164, times in UTC epoch milliseconds."""

    sid: str
    account_sid: str
    date_created: int
    date_updated: int
    from_number: str
    to_number: str | None
    phone_number: str
    status: str
    direction: str
    start_time: int | None = None
    end_time: int | None = None
    duration: int | None = None
    price_micros: int | None = None
    parent_call_sid: str | None = None
    answered_by: str | None = None
    forwarded_from: str | None = None
    caller_name: str | None = None
    recording_path: str | None = None
    conversation_duration: int | None = None
    custom_field: str | None = None
    flow_app_id: str | None = None
    ivr_keys: str | None = None
    """IVR keys pressed in the flow, in order, comma-joined (``1,2``)."""
    legs: list[Leg] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def leg(self, leg_id: int) -> Leg | None:
        for leg in self.legs:
            if leg.leg_id == leg_id:
                return leg
        return None
