"""A v1 ``Call`` object (docs/api-choices.md §Call details, with ``details=true``) read back into the
store's ``Call``: the inverse of ``api/exotel_v1/render.py``, for calls synced from another server.

v1 shows numbers 0-prefixed national, times as IST wall-clock seconds, Duration and Price as strings,
and empty values as ``""`` or ``null``; the store keeps E.164, epoch milliseconds, integers and
micro-units, and None. Fields v1 does not carry (custom field, flow, IVR keys) stay None. Leg numbers
are not in v1: leg 1 is the number called first (From), leg 2 the other party (To).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from trunkline.domain.calls.model import PRICE_SCALE, Call, Leg
from trunkline.domain.clock import ist_to_ms
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164


class BadSourceCall(InvalidParameter):
    """A call the source sent that cannot be read (its Sid is named)."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> str | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return to_e164(text)
    except UnparseableNumber:
        return text  # a SIP URI or a withheld caller: kept as the source shows it


def _time(value: Any) -> int | None:
    text = _text(value)
    return None if text is None else ist_to_ms(text)


def _integer(value: Any) -> int | None:
    text = _text(value)
    return None if text is None else int(Decimal(text))


def _micros(value: Any) -> int | None:
    text = _text(value)
    return None if text is None else int(Decimal(text) * PRICE_SCALE)


def _legs(details: Any, from_number: str | None, to_number: str | None) -> tuple[list[Leg], int | None]:
    if not isinstance(details, dict):
        return [], None
    legs = []
    for item in details.get("Legs") or []:
        leg = item.get("Leg") if isinstance(item, dict) else None
        if not isinstance(leg, dict):
            continue
        leg_id = int(str(leg.get("Id")))
        legs.append(
            Leg(
                leg_id=leg_id,
                number=from_number if leg_id == 1 else to_number if leg_id == 2 else None,
                status=_text(details.get(f"Leg{leg_id}Status")),
                on_call_duration=_integer(leg.get("OnCallDuration")) or 0,
            )
        )
    return legs, _integer(details.get("ConversationDuration"))


def call_from_v1(body: Any, account_sid: str) -> Call:
    """The store's ``Call`` of one v1 object, for the local account ``account_sid``."""
    if not isinstance(body, dict) or not _text(body.get("Sid")):
        raise BadSourceCall("the source sent a call without a Sid")
    sid = str(body["Sid"]).strip()
    try:
        from_number = _number(body.get("From"))
        to_number = _number(body.get("To"))
        legs, conversation = _legs(body.get("Details"), from_number, to_number)
        created = _time(body.get("DateCreated"))
        if created is None:
            raise ValueError("no DateCreated")
        return Call(
            sid=sid,
            account_sid=account_sid,
            date_created=created,
            date_updated=_time(body.get("DateUpdated")) or created,
            from_number=from_number or "",
            to_number=to_number,
            phone_number=_number(body.get("PhoneNumberSid") or body.get("PhoneNumber")) or "",
            status=str(body.get("Status") or "").strip(),
            direction=str(body.get("Direction") or "").strip(),
            start_time=_time(body.get("StartTime")),
            end_time=_time(body.get("EndTime")),
            duration=_integer(body.get("Duration")),
            price_micros=_micros(body.get("Price")),
            parent_call_sid=_text(body.get("ParentCallSid")),
            answered_by=_text(body.get("AnsweredBy")),
            forwarded_from=_number(body.get("ForwardedFrom")),
            caller_name=_text(body.get("CallerName")),
            conversation_duration=conversation,
            legs=legs,
        )
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise BadSourceCall(f"the source's call {sid} cannot be read: {exc}") from exc
