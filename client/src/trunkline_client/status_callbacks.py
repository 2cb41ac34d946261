"""Reading a status-callback body into a typed event, for the web handler that receives it.

v1 (docs/api-choices.md §Status callbacks) posts ``multipart/form-data`` by default,
``application/json`` when asked, and some receivers see it urlencoded after a proxy; form bodies flatten the
legs PHP-style (``Legs[0][Status]``) with every value a string. CCM posts JSON with snake_case names. The
dialect is told apart by its field names, so one receiver URL can take both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from trunkline_client.exotel_ccm.models import CallState, CcmCallStatus
from trunkline_client.exotel_v1.models import CallStatus, Direction
from trunkline_client.field_values import enum_or_text, extra_fields, integer, ist_time, text

_LEG_FIELD = re.compile(r"^Legs\[(\d+)\]\[(\w+)\]$")
MAX_LEGS = 100


@dataclass(frozen=True)
class CallbackLeg:
    on_call_duration: int | None
    status: CallStatus | str | None
    """A final status, or None while that leg is still on the call."""
    answered_by: str | None
    """``Human``, ``Machine``, ``NotSure`` or ``NA``."""


_V1_FIELDS = (
    "CallSid", "DateUpdated", "Status", "RecordingUrl", "EventType", "DateCreated", "To", "From",
    "PhoneNumberSid", "StartTime", "EndTime", "ConversationDuration", "Direction", "CustomField", "Legs",
)  # fmt: skip


@dataclass(frozen=True)
class V1StatusCallback:
    """The four default fields always; the rest only when events were subscribed (else None)."""

    call_sid: str
    status: CallStatus | str | None
    date_updated: datetime | None
    recording_url: str | None
    event_type: str | None = None
    """``terminal`` or ``answered``."""
    date_created: datetime | None = None
    to: str | None = None
    from_: str | None = None
    phone_number_sid: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    conversation_duration: int | None = None
    direction: Direction | str | None = None
    custom_field: str | None = None
    legs: list[CallbackLeg] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


_CCM_FIELDS = ("call_sid", "event_type", "call_state", "status", "duration", "recording_url", "custom_field")


@dataclass(frozen=True)
class CcmStatusCallback:
    call_sid: str
    event_type: str | None
    call_state: CallState | str | None
    status: CcmCallStatus | str | None
    """None on ``answered``."""
    duration: int | None
    recording_url: str | None
    custom_field: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


StatusCallback = V1StatusCallback | CcmStatusCallback


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Plain form fields of a multipart body, with the standard library's MIME parser."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return fields


def _fields(body: bytes | str | Mapping[str, Any], content_type: str | None) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(body)
    raw = body.encode() if isinstance(body, str) else body
    media = _media_type(content_type)
    if media == "application/json" or (not media and raw.lstrip()[:1] == b"{"):
        document = json.loads(raw)
        if not isinstance(document, dict):
            raise ValueError("a JSON status callback must be an object")
        return document
    if media == "multipart/form-data":
        assert content_type is not None
        return _multipart(raw, content_type)
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


def _legs(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """Nested legs from JSON, or PHP-style flattened ones from a form."""
    nested = fields.get("Legs")
    if isinstance(nested, list):
        return [leg for leg in nested if isinstance(leg, dict)]
    flat: dict[int, dict[str, Any]] = {}
    for name, value in fields.items():
        found = _LEG_FIELD.match(name)
        if found and int(found.group(1)) < MAX_LEGS:
            flat.setdefault(int(found.group(1)), {})[found.group(2)] = value
    return [flat[index] for index in sorted(flat)]


def _v1(fields: dict[str, Any]) -> V1StatusCallback:
    legs = [
        CallbackLeg(
            on_call_duration=integer(leg.get("OnCallDuration")),
            status=enum_or_text(CallStatus, leg.get("Status")),
            answered_by=text(leg.get("AnsweredBy")),
        )
        for leg in _legs(fields)
    ]
    extra = {k: v for k, v in extra_fields(fields, _V1_FIELDS).items() if not _LEG_FIELD.match(k)}
    return V1StatusCallback(
        call_sid=str(fields.get("CallSid", "")),
        status=enum_or_text(CallStatus, fields.get("Status")),
        date_updated=ist_time(fields.get("DateUpdated")),
        recording_url=text(fields.get("RecordingUrl")),
        event_type=text(fields.get("EventType")),
        date_created=ist_time(fields.get("DateCreated")),
        to=text(fields.get("To")),
        from_=text(fields.get("From")),
        phone_number_sid=text(fields.get("PhoneNumberSid")),
        start_time=ist_time(fields.get("StartTime")),
        end_time=ist_time(fields.get("EndTime")),
        conversation_duration=integer(fields.get("ConversationDuration")),
        direction=enum_or_text(Direction, fields.get("Direction")),
        custom_field=text(fields.get("CustomField")),
        legs=legs,
        extra=extra,
        raw=fields,
    )


def _ccm(fields: dict[str, Any]) -> CcmStatusCallback:
    return CcmStatusCallback(
        call_sid=str(fields.get("call_sid", "")),
        event_type=text(fields.get("event_type")),
        call_state=enum_or_text(CallState, fields.get("call_state")),
        status=enum_or_text(CcmCallStatus, fields.get("status")),
        duration=integer(fields.get("duration")),
        recording_url=text(fields.get("recording_url")),
        custom_field=text(fields.get("custom_field")),
        extra=extra_fields(fields, _CCM_FIELDS),
        raw=fields,
    )


def parse_status_callback(
    body: bytes | str | Mapping[str, Any], content_type: str | None = None
) -> StatusCallback:
    """The event a callback body carries. ``content_type`` is the request's header (multipart
    bodies need its boundary); a Mapping is taken as already-decoded fields. Raises ValueError
    when the body is neither dialect's callback."""
    fields = _fields(body, content_type)
    if "call_sid" in fields:
        return _ccm(fields)
    if "CallSid" in fields:
        return _v1(fields)
    raise ValueError("not a status callback: it has neither CallSid (v1) nor call_sid (CCM)")
