"""Exotel v1 bodies: the ``Call`` object in Exotel's field order (docs/api-choices.md §Call details)
and bulk pages.

JSON and XML come from the same ordered dicts, so the two formats cannot drift apart. Errors, in
the same two formats, are ``errors.py``'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

import orjson
from starlette.requests import Request
from starlette.responses import Response

from trunkline.api.exotel_v1.bodies import V1Call, V1CallLegs, V1Number
from trunkline.domain.calls.model import Call, format_price
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.numbers.metadata import NumberMetadata
from trunkline.domain.numbers.phone import to_v1
from trunkline.domain.recordings.signed_links import presign

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot hold even escaped; an error message echoing one (``Sid=%08``) would
make the whole answer unreadable, so each becomes U+FFFD."""
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<TwilioResponse>'
JSON_TYPE = "application/json"
XML_TYPE = "application/xml"
JSON_SUFFIX = ".json"


def split_suffix(segment: str) -> tuple[str, bool]:
    """``abc.json`` → (``abc``, True): the suffix on the last path segment selects JSON."""
    if segment.endswith(JSON_SUFFIX):
        return segment[: -len(JSON_SUFFIX)], True
    return segment, False


def wants_json(request: Request) -> bool:
    """Whether the answer is JSON: the path ends in ``.json`` (XML otherwise)."""
    return str(request.scope["path"]).endswith(JSON_SUFFIX)


def call_object(
    call: Call,
    *,
    public_url: str,
    details: bool = False,
    bulk: bool = False,
    presign_key: bytes | None = None,
    presign_expires_s: int | None = None,
) -> V1Call:
    """The v1 ``Call``. Empty values (docs/api-choices.md §Conflicts): ``null`` while the call is live, ``""``
    once it has ended, except Duration and Price, which stay ``null`` until settled."""
    empty = "" if call.is_final else None
    recording_url = f"{public_url}/{call.recording_path}" if call.recording_path else empty
    body: V1Call = {
        "Sid": call.sid,
        "ParentCallSid": call.parent_call_sid or empty,
        "DateCreated": ms_to_ist(call.date_created),
        "DateUpdated": ms_to_ist(call.date_updated),
        "AccountSid": call.account_sid,
        "To": to_v1(call.to_number) or empty,
        "From": to_v1(call.from_number),
        "PhoneNumberSid": to_v1(call.phone_number),
        "Status": call.status,
        "StartTime": ms_to_ist(call.start_time) if call.start_time is not None else empty,
        "EndTime": ms_to_ist(call.end_time) if call.end_time is not None else empty,
        "Duration": str(call.duration) if call.duration is not None else None,
        "Price": format_price(call.price_micros),
        "Direction": call.direction,
        "AnsweredBy": call.answered_by or empty,
        "ForwardedFrom": call.forwarded_from or empty,
        "CallerName": call.caller_name or empty,
        "Uri": f"/v1/Accounts/{call.account_sid}/Calls/{call.sid}",
        "RecordingUrl": recording_url,
    }
    if bulk:
        body["PhoneNumber"] = to_v1(call.phone_number)  # clients of the bulk API read this name
    if presign_key is not None and presign_expires_s is not None:
        body["PreSignedRecordingUrl"] = (
            presign(presign_key, public_url, call.recording_path, presign_expires_s)
            if call.recording_path
            else empty
        )
    if details:
        body["Details"] = details_object(call)
    return body


def details_object(call: Call) -> V1CallLegs:
    leg1, leg2 = call.leg(1), call.leg(2)
    return {
        "ConversationDuration": call.conversation_duration or 0,
        "Leg1Status": leg1.status if leg1 else call.status,
        "Leg2Status": leg2.status if leg2 else None,  # null even when ended (docs/api-choices.md §Conflicts)
        "Legs": [
            {"Leg": {"Id": str(leg.leg_id), "OnCallDuration": leg.on_call_duration}} for leg in call.legs
        ],
    }


def _xml(parts: list[str], name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        parts.append(f"<{name}>")
        for key, item in value.items():
            _xml(parts, key, item)
        parts.append(f"</{name}>")
    elif isinstance(value, list):
        # Lists hold one-key dicts ({"Leg": {...}}), so each item names its own element.
        parts.append(f"<{name}>")
        for item in value:
            for key, inner in item.items():
                _xml(parts, key, inner)
        parts.append(f"</{name}>")
    elif value is None:
        parts.append(f"<{name}></{name}>")
    elif isinstance(value, bool):
        parts.append(f"<{name}>{'true' if value else 'false'}</{name}>")
    else:
        parts.append(f"<{name}>{escape(_NOT_XML.sub(chr(0xFFFD), str(value)))}</{name}>")


def to_xml(document: Mapping[str, Any]) -> bytes:
    parts = [_XML_HEAD]
    for key, value in document.items():
        _xml(parts, key, value)
    parts.append("</TwilioResponse>\n")
    return "".join(parts).encode()


def respond(
    document: Mapping[str, Any], *, as_json: bool, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if as_json:
        return Response(orjson.dumps(document), status_code=status, media_type=JSON_TYPE, headers=headers)
    return Response(to_xml(document), status_code=status, media_type=XML_TYPE, headers=headers)


def number_object(info: NumberMetadata) -> V1Number:
    """A number's metadata as v1's ``Numbers`` object (the route and the document's example)."""
    return {
        "PhoneNumber": info.phone_number,
        "Circle": info.circle,
        "CircleName": info.circle_name,
        "Type": info.type,
        "Operator": info.operator,
        "OperatorName": info.operator_name,
        "DND": info.dnd,
    }
