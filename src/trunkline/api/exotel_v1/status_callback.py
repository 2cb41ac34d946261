"""The v1 StatusCallback (docs/api-choices.md §Status callbacks): four default fields, extended ones when the
caller subscribed to events; ``Legs`` flattened PHP-style (``Legs[0][Status]``) in form bodies,
where every value is a string, and nested with integers in JSON."""

from __future__ import annotations

from typing import Any

from trunkline.domain.calls.model import FINAL_STATUSES, Call
from trunkline.domain.calls.run_state import CallbackRequest
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.numbers.phone import to_v1
from trunkline.engine.calls.engine import CallbackRenderer

JSON = "application/json"
_ANSWERED_BY = {"human": "Human", "machine": "Machine"}


def _leg_status(status: str | None) -> str | None:
    """Callback legs show only final statuses; a leg still on the call is null."""
    return status if status in FINAL_STATUSES else None


def status_callback_renderer(public_url: str) -> CallbackRenderer:
    def render(call: Call, event: str, request: CallbackRequest) -> dict[str, Any] | None:
        subscribed = request.events
        if event == "answered" and "answered" not in subscribed:
            return None
        if event == "terminal" and subscribed and "terminal" not in subscribed:
            return None
        as_json = request.content_type == JSON
        empty: str | None = None if as_json else ""
        recording = f"{public_url}/{call.recording_path}" if call.recording_path else empty
        body: dict[str, Any] = {
            "CallSid": call.sid,
            "DateUpdated": ms_to_ist(call.date_updated),
            "Status": call.status,
            "RecordingUrl": recording,
        }
        if not subscribed:
            return body
        legs = [
            {
                "OnCallDuration": leg.on_call_duration,
                "Status": _leg_status(leg.status),
                "AnsweredBy": _ANSWERED_BY.get(leg.answered_by or "", "NA"),
            }
            for leg in call.legs
        ]
        body |= {
            "EventType": event,
            "DateCreated": ms_to_ist(call.date_created),
            "To": to_v1(call.to_number),
            "From": to_v1(call.from_number),
            "PhoneNumberSid": to_v1(call.phone_number),
            "StartTime": ms_to_ist(call.start_time) if call.start_time is not None else empty,
            "EndTime": ms_to_ist(call.end_time) if call.end_time is not None else empty,
            "ConversationDuration": call.conversation_duration or 0,
            "Direction": call.direction,
        }
        if event == "terminal":
            body["CustomField"] = call.custom_field if call.custom_field is not None else empty
        if as_json:
            body["Legs"] = legs
            return body
        flat = {key: "" if value is None else str(value) for key, value in body.items()}
        for index, leg in enumerate(legs):
            for key, value in leg.items():
                flat[f"Legs[{index}][{key}]"] = "" if value is None else str(value)
        return flat

    return render
