"""Exotel CCM v2 results (docs/api-choices.md §CCM v2): the make-call answer, call details and the
legs (answered in the v3 shape), unwrapped from the ``{request_id, method, http_code, response}``
envelope. Times are ISO 8601 UTC; unknown fields stay in ``extra``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from trunkline_client.field_values import (
    boolean,
    enum_or_text,
    extra_fields,
    integer,
    iso_time,
    mapping,
    text,
)


class CallState(StrEnum):
    ACTIVE = "active"
    """Ongoing, or post-call processing pending."""
    TERMINAL = "terminal"


class CcmCallStatus(StrEnum):
    """None while the call is active."""

    COMPLETED = "completed"
    AGENT_UNANSWERED = "agent_unanswered"
    CUSTOMER_UNANSWERED = "customer_unanswered"
    AGENT_CANCELED = "agent_canceled"
    CUSTOMER_NO_DIAL = "customer_no_dial"
    AGENT_NO_DIAL = "agent_no_dial"


class LegStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"
    NO_ANSWER = "no-answer"


@dataclass(frozen=True)
class Agent:
    user_id: str | None
    contact_uri: str | None


def _agent(value: Any) -> Agent | None:
    if not isinstance(value, dict):
        return None
    return Agent(user_id=text(value.get("user_id")), contact_uri=text(value.get("contact_uri")))


def envelope_response(body: Any) -> dict[str, Any]:
    """The ``response`` member of a CCM envelope."""
    return mapping(mapping(body).get("response"))


_MADE_FIELDS = (
    "call_sid", "call_state", "call_status", "assigned_agent_details", "customer_details",
    "virtual_number", "recording", "created_time",
)  # fmt: skip


@dataclass(frozen=True)
class MadeCall:
    """The make-call answer. HTTP 200 means accepted, not placed: read the details to follow it."""

    call_sid: str
    call_state: CallState | str | None
    call_status: CcmCallStatus | str | None
    agent: Agent | None
    customer_number: str | None
    virtual_number: str | None
    recording: bool | None
    created_time: datetime | None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_made_call(body: Any) -> MadeCall:
    data = envelope_response(body)
    return MadeCall(
        call_sid=str(data.get("call_sid", "")),
        call_state=enum_or_text(CallState, data.get("call_state")),
        call_status=enum_or_text(CcmCallStatus, data.get("call_status")),
        agent=_agent(data.get("assigned_agent_details")),
        customer_number=text(mapping(data.get("customer_details")).get("number")),
        virtual_number=text(data.get("virtual_number")),
        recording=boolean(data.get("recording")),
        created_time=iso_time(data.get("created_time")),
        extra=extra_fields(data, _MADE_FIELDS),
        raw=data,
    )


_DETAIL_FIELDS = (
    "sid", "direction", "virtual_number", "state", "status", "assigned_agent_details", "customer_details",
    "created_time", "updated_time", "start_time", "end_time", "total_duration", "total_talk_time",
    "recording", "custom_field", "legs",
)  # fmt: skip


@dataclass(frozen=True)
class CcmCall:
    """Call details (docs/api-choices.md §CCM v2). ``total_talk_time`` is the customer's conversation in
    seconds."""

    sid: str
    direction: str | None
    virtual_number: str | None
    state: CallState | str | None
    status: CcmCallStatus | str | None
    agent: Agent | None
    customer_number: str | None
    created_time: datetime | None
    updated_time: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    total_duration: int | None
    total_talk_time: int | None
    recording_available: bool
    recording_url: str | None
    custom_field: str | None
    legs_uri: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_terminal(self) -> bool:
        return self.state == CallState.TERMINAL


def parse_call(body: Any) -> CcmCall:
    data = mapping(envelope_response(body).get("call_details"))
    recording = mapping(data.get("recording"))
    return CcmCall(
        sid=str(data.get("sid", "")),
        direction=text(data.get("direction")),
        virtual_number=text(data.get("virtual_number")),
        state=enum_or_text(CallState, data.get("state")),
        status=enum_or_text(CcmCallStatus, data.get("status")),
        agent=_agent(data.get("assigned_agent_details")),
        customer_number=text(mapping(data.get("customer_details")).get("number")),
        created_time=iso_time(data.get("created_time")),
        updated_time=iso_time(data.get("updated_time")),
        start_time=iso_time(data.get("start_time")),
        end_time=iso_time(data.get("end_time")),
        total_duration=integer(data.get("total_duration")),
        total_talk_time=integer(data.get("total_talk_time")),
        recording_available=bool(boolean(recording.get("available"))),
        recording_url=text(recording.get("url")),
        custom_field=text(data.get("custom_field")),
        legs_uri=text(data.get("legs")),
        extra=extra_fields(data, _DETAIL_FIELDS),
        raw=data,
    )


_LEG_FIELDS = (
    "sid",
    "name",
    "contact_uri",
    "date_created",
    "date_updated",
    "status",
    "group_id",
    "group_name",
)


@dataclass(frozen=True)
class CcmLeg:
    sid: str | None
    name: str | None
    contact_uri: str | None
    date_created: datetime | None
    date_updated: datetime | None
    status: LegStatus | str | None
    group_id: str | None = None
    group_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _leg(value: Any) -> CcmLeg:
    data = mapping(value)
    return CcmLeg(
        sid=text(data.get("sid")),
        name=text(data.get("name")),
        contact_uri=text(data.get("contact_uri")),
        date_created=iso_time(data.get("date_created")),
        date_updated=iso_time(data.get("date_updated")),
        status=enum_or_text(LegStatus, data.get("status")),
        group_id=text(data.get("group_id")),
        group_name=text(data.get("group_name")),
        extra=extra_fields(data, _LEG_FIELDS),
    )


@dataclass(frozen=True)
class CallLegs:
    """For an outgoing call ``from_`` holds the agent's legs and ``to`` the customer's; reversed
    for an incoming one."""

    call_sid: str
    account_sid: str | None
    from_: list[CcmLeg]
    to: list[CcmLeg]
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_legs(body: Any) -> CallLegs:
    data = mapping(envelope_response(body).get("leg_details"))
    return CallLegs(
        call_sid=str(data.get("call_sid", "")),
        account_sid=text(data.get("account_sid")),
        from_=[_leg(item) for item in data.get("from") or []],
        to=[_leg(item) for item in data.get("to") or []],
        raw=data,
    )
