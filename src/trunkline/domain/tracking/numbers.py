"""Configure Numbers (``POST /v2/Numbers/<Number>``): which settings a request changes, validated.

A parameter that is given changes its setting; an empty value clears it (RoutingMethod and
Recording cannot be cleared); a parameter not given leaves it as it was. RoutingMethod ``Endpoint``
needs an EndpointNumber (given now or configured before), ``Flow`` needs a Flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.domain.tracking.errors import ParameterRequired

ACTIVE = "Active"
"""The status of every tracking number (Fone's ``Status``)."""
ROUTING_METHODS = ("Endpoint", "Flow")
RECORDING = ("Off", "Call")
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_APP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Parameter → (column, longest value).
_TEXTS = {
    "Friendly": ("friendly", 200),
    "AddressSid": ("address_sid", 64),
    "Attribution_Source": ("attribution_source", 200),
    "Attribution_Medium": ("attribution_medium", 200),
    "Attribution_Campaign": ("attribution_campaign", 200),
    "Attribution_Content": ("attribution_content", 200),
}
PARAMETERS = (
    *_TEXTS,
    "RoutingMethod",
    "EndpointNumber",
    "Flow",
    "Recording",
    "SendSmsFrom",
    "SendSmsTo",
    "SendEmailFrom",
    "SendEmailTo",
)
_CANONICAL = {name.lower(): name for name in PARAMETERS}
COLUMNS = {
    **{name: column for name, (column, _) in _TEXTS.items()},
    "RoutingMethod": "routing_method",
    "EndpointNumber": "endpoint_number",
    "Flow": "flow",
    "Recording": "recording",
    "SendSmsFrom": "send_sms_from",
    "SendSmsTo": "send_sms_to",
    "SendEmailFrom": "send_email_from",
    "SendEmailTo": "send_email_to",
}
"""Each parameter's column in ``tracking_numbers`` (the rendering walks this in order)."""


@dataclass(frozen=True, slots=True)
class TrackingNumber:
    """A tracking number as stored, with its property's Sid."""

    account_id: int
    number: str
    property_id: int
    property_sid: str
    status: str
    friendly: str | None
    address_sid: str | None
    attribution_source: str | None
    attribution_medium: str | None
    attribution_campaign: str | None
    attribution_content: str | None
    routing_method: str | None
    endpoint_number: str | None
    flow: str | None
    recording: str
    send_sms_from: str | None
    send_sms_to: str | None
    send_email_from: str | None
    send_email_to: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class NumberUpdate:
    changes: dict[str, Any]
    """Column → new value (None clears it)."""


def number_from_path(raw: str) -> str:
    """The number in ``/v2/Numbers/<Number>``: E.164 without the ``+`` (a ``+``, or ``%2B``, is accepted)."""
    text = raw.strip()
    if text[:3].upper() == "%2B":
        text = text[3:]
    digits = text.lstrip("+")
    if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise InvalidParameter(f"Number: {raw[:40]!r} is not an E.164 number", parameter="Number")
    return e164("+" + digits, "Number")


def e164(raw: str, name: str) -> str:
    if len(raw) > 32 or raw.strip().lower().startswith("sip:"):
        raise InvalidParameter(f"{name}: {raw[:40]!r} is not an E.164 number", parameter=name)
    try:
        return to_e164(raw)
    except UnparseableNumber as exc:
        raise InvalidParameter(f"{name}: {exc}", parameter=name) from None


def _choice(name: str, raw: str, allowed: tuple[str, ...]) -> str:
    for value in allowed:
        if value.lower() == raw.strip().lower():
            return value
    raise InvalidParameter(f"{name} must be one of {', '.join(allowed)}", parameter=name)


def _emails(name: str, raw: str) -> str:
    values = [v.strip() for v in raw.split(",") if v.strip()]
    joined = ",".join(values)
    if len(values) > 10 or len(joined) > 500 or not all(_EMAIL.match(v) and len(v) <= 100 for v in values):
        raise InvalidParameter(
            f"{name} must be up to 10 comma-separated email addresses, 500 characters in all", parameter=name
        )
    return joined


def parse_number_update(params: dict[str, str], *, current_endpoint: str | None) -> NumberUpdate:
    """Validate a Configure Numbers request (``params`` as sent; names matched case-insensitively)."""
    given = {_CANONICAL[k.lower()]: v for k, v in params.items() if k.lower() in _CANONICAL}
    changes: dict[str, Any] = {}
    for name, (column, limit) in _TEXTS.items():
        if name in given:
            value = given[name].strip()
            if len(value) > limit:
                raise InvalidParameter(f"{name} is at most {limit} characters", parameter=name)
            changes[column] = value or None
    for name in ("EndpointNumber", "SendSmsFrom"):
        if name in given:
            changes[COLUMNS[name]] = e164(given[name], name) if given[name].strip() else None
    if "SendSmsTo" in given:
        numbers = [e164(v, "SendSmsTo") for v in given["SendSmsTo"].split(",") if v.strip()]
        if len(numbers) > 10:
            raise InvalidParameter("SendSmsTo: at most 10 numbers", parameter="SendSmsTo")
        changes["send_sms_to"] = ",".join(numbers) or None
    for name in ("SendEmailFrom", "SendEmailTo"):
        if name in given:
            changes[COLUMNS[name]] = _emails(name, given[name]) if given[name].strip() else None
    if "SendEmailFrom" in given and changes["send_email_from"] and "," in changes["send_email_from"]:
        raise InvalidParameter("SendEmailFrom must be one email address", parameter="SendEmailFrom")
    if "Recording" in given:
        changes["recording"] = _choice("Recording", given["Recording"], RECORDING)
    if "Flow" in given:
        flow = given["Flow"].strip()
        if flow and not _APP_ID.match(flow):
            raise InvalidParameter("Flow must be a flow's app id (letters, digits, _ or -)", parameter="Flow")
        changes["flow"] = flow or None
    if "RoutingMethod" in given:
        method = _choice("RoutingMethod", given["RoutingMethod"], ROUTING_METHODS)
        changes["routing_method"] = method
        endpoint = (
            changes.get("endpoint_number", current_endpoint)
            if "EndpointNumber" in given
            else current_endpoint
        )
        if method == "Endpoint" and not endpoint:
            raise ParameterRequired(
                "EndpointNumber is required with RoutingMethod Endpoint", parameter="EndpointNumber"
            )
        if method == "Flow" and not changes.get("flow"):
            raise ParameterRequired("Flow is required with RoutingMethod Flow", parameter="Flow")
    return NumberUpdate(changes)
