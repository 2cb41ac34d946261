"""Exotel v1 results: the ``Call`` of docs/api-choices.md §Call details (call details, connect, bulk list),
its ``Details``, a bulk page and number metadata, parsed from the ``.json`` forms.

v1 sends times as IST wall-clock strings, ``Duration``/``Price`` as strings, and empty values as
``""`` or ``null`` depending on whether the call has ended (docs/api-choices.md §Conflicts); all of that
becomes ``None``, ``int``, ``Decimal`` and aware datetimes here. Fields this client does not know
are kept in ``extra``, and the whole object in ``raw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from trunkline_client.field_values import (
    decimal,
    enum_or_text,
    extra_fields,
    integer,
    ist_time,
    mapping,
    text,
)


class CallStatus(StrEnum):
    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    FAILED = "failed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {CallStatus.COMPLETED, CallStatus.FAILED, CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.CANCELED}
)


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND_DIAL = "outbound-dial"
    OUTBOUND_API = "outbound-api"


@dataclass(frozen=True)
class Leg:
    id: str
    on_call_duration: int | None


@dataclass(frozen=True)
class CallDetails:
    """``?details=true``: how long the two parties talked and how each leg ended."""

    conversation_duration: int | None
    leg1_status: CallStatus | str | None
    leg2_status: CallStatus | str | None
    legs: list[Leg]
    extra: dict[str, Any] = field(default_factory=dict)


_CALL_FIELDS = (
    "Sid", "ParentCallSid", "DateCreated", "DateUpdated", "AccountSid", "To", "From", "PhoneNumberSid",
    "Status", "StartTime", "EndTime", "Duration", "Price", "Direction", "AnsweredBy", "ForwardedFrom",
    "CallerName", "Uri", "RecordingUrl", "PhoneNumber", "PreSignedRecordingUrl", "Details",
)  # fmt: skip


@dataclass(frozen=True)
class Call:
    sid: str
    account_sid: str | None
    status: CallStatus | str | None
    direction: Direction | str | None
    from_: str | None
    to: str | None
    phone_number_sid: str | None
    """The ExoPhone (0-prefixed national form)."""
    date_created: datetime | None
    date_updated: datetime | None
    start_time: datetime | None
    end_time: datetime | None
    duration: int | None
    """Seconds; None until the call has settled (about two minutes after it ends)."""
    price: Decimal | None
    parent_call_sid: str | None
    answered_by: str | None
    forwarded_from: str | None
    caller_name: str | None
    uri: str | None
    recording_url: str | None
    presigned_recording_url: str | None
    details: CallDetails | None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_final(self) -> bool:
        return isinstance(self.status, CallStatus) and self.status.is_final


def parse_details(body: Any) -> CallDetails | None:
    if not isinstance(body, dict):
        return None
    legs = []
    for item in body.get("Legs") or []:
        leg = mapping(item.get("Leg") if isinstance(item, dict) else None)
        legs.append(Leg(id=str(leg.get("Id", "")), on_call_duration=integer(leg.get("OnCallDuration"))))
    return CallDetails(
        conversation_duration=integer(body.get("ConversationDuration")),
        leg1_status=enum_or_text(CallStatus, body.get("Leg1Status")),
        leg2_status=enum_or_text(CallStatus, body.get("Leg2Status")),
        legs=legs,
        extra=extra_fields(body, ("ConversationDuration", "Leg1Status", "Leg2Status", "Legs")),
    )


def parse_call(body: Any) -> Call:
    """One ``Call`` object (the inside of ``{"Call": {...}}``, or one item of a bulk page)."""
    data = mapping(body)
    return Call(
        sid=str(data.get("Sid", "")),
        account_sid=text(data.get("AccountSid")),
        status=enum_or_text(CallStatus, data.get("Status")),
        direction=enum_or_text(Direction, data.get("Direction")),
        from_=text(data.get("From")),
        to=text(data.get("To")),
        phone_number_sid=text(data.get("PhoneNumberSid")) or text(data.get("PhoneNumber")),
        date_created=ist_time(data.get("DateCreated")),
        date_updated=ist_time(data.get("DateUpdated")),
        start_time=ist_time(data.get("StartTime")),
        end_time=ist_time(data.get("EndTime")),
        duration=integer(data.get("Duration")),
        price=decimal(data.get("Price")),
        parent_call_sid=text(data.get("ParentCallSid")),
        answered_by=text(data.get("AnsweredBy")),
        forwarded_from=text(data.get("ForwardedFrom")),
        caller_name=text(data.get("CallerName")),
        uri=text(data.get("Uri")),
        recording_url=text(data.get("RecordingUrl")),
        presigned_recording_url=text(data.get("PreSignedRecordingUrl")),
        details=parse_details(data.get("Details")),
        extra=extra_fields(data, _CALL_FIELDS),
        raw=data,
    )


@dataclass(frozen=True)
class CallPage:
    """One page of the bulk list. ``total`` counts every match across pages; the page URIs are
    ``""`` at the ends, which become None here."""

    calls: list[Call]
    total: int | None
    page_size: int | None
    first_page_uri: str | None
    prev_page_uri: str | None
    next_page_uri: str | None
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_page(body: Any) -> CallPage:
    data = mapping(body)
    metadata = mapping(data.get("Metadata"))
    return CallPage(
        calls=[parse_call(item) for item in data.get("Calls") or []],
        total=integer(metadata.get("Total")),
        page_size=integer(metadata.get("PageSize")),
        first_page_uri=text(metadata.get("FirstPageUri")),
        prev_page_uri=text(metadata.get("PrevPageUri")),
        next_page_uri=text(metadata.get("NextPageUri")),
        metadata=metadata,
    )


@dataclass(frozen=True)
class NumberMetadata:
    """``Numbers/<number>``: the telecom circle, operator and DND registration of an Indian number."""

    phone_number: str | None
    circle: str | None
    circle_name: str | None
    type: str | None
    operator: str | None
    operator_name: str | None
    dnd: str | None
    """``Yes``, ``No`` or ``Unavailable``."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_dnd(self) -> bool:
        """Clients treat only ``Yes`` as registered (docs/api-choices.md §Number metadata)."""
        return self.dnd == "Yes"


_NUMBER_FIELDS = ("PhoneNumber", "Circle", "CircleName", "Type", "Operator", "OperatorName", "DND")


def parse_number(body: Any) -> NumberMetadata:
    data = mapping(mapping(body).get("Numbers"))
    return NumberMetadata(
        phone_number=text(data.get("PhoneNumber")),
        circle=text(data.get("Circle")),
        circle_name=text(data.get("CircleName")),
        type=text(data.get("Type")),
        operator=text(data.get("Operator")),
        operator_name=text(data.get("OperatorName")),
        dnd=text(data.get("DND")),
        extra=extra_fields(data, _NUMBER_FIELDS),
    )
