"""Fone Dynamics Get Calls results (docs/api-choices.md §Fone Dynamics): one tracked call with every
field of the seed, and a page ``{"Calls": [...], "TotalCount": n}``. ``Date_Start`` is Unix
seconds (as a string); unknown fields stay in ``extra``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from trunkline_client.field_values import enum_or_text, extra_fields, integer, mapping, text, unix_time


class Disposition(StrEnum):
    ANSWERED = "Answered"
    IVR = "IVR"
    BUSY = "Busy"
    NO_ANSWER = "NoAnswer"
    FAILED = "Failed"


class TrafficType(StrEnum):
    CAMPAIGN = "Campaign"
    DIRECT = "Direct"
    ORGANIC = "Organic"
    REFERRAL = "Referral"
    UNATTRIBUTED = "Unattributed"


_NAMES = {
    "PropertySid": "property_sid", "From": "from_", "From_CountryCode": "from_country_code",
    "From_Region": "from_region", "From_City": "from_city", "To": "to", "To_Friendly": "to_friendly",
    "Recording_Uri": "recording_uri", "Endpoint": "endpoint", "Attribution_Source": "attribution_source",
    "Attribution_Medium": "attribution_medium", "Attribution_Campaign": "attribution_campaign",
    "Attribution_Content": "attribution_content", "Session_Keywords": "session_keywords",
    "Session_ConversionUri": "session_conversion_uri", "Session_LandingUri": "session_landing_uri",
    "Survey_Type": "survey_type", "Survey_Value": "survey_value", "Survey_Custom1": "survey_custom1",
    "Survey_Custom2": "survey_custom2", "Survey_Custom3": "survey_custom3",
    "Survey_UniqueCode": "survey_unique_code", "Prompts_Keys": "prompts_keys", "Notes": "notes",
    "CallType": "call_type", "Google_Analytics_ClientId": "google_analytics_client_id",
    "Google_Adwords_ClickId": "google_adwords_click_id",
}  # fmt: skip
"""Seed 003's text fields → attribute names."""


@dataclass(frozen=True)
class TrackedCall:
    call_sid: str
    date_start: datetime | None
    duration: int | None
    """Seconds; None while the call is live."""
    disposition: Disposition | str | None
    session_traffic_type: TrafficType | str | None
    property_sid: str | None = None
    from_: str | None = None
    """E.164, or ``anonymous``."""
    from_country_code: str | None = None
    from_region: str | None = None
    from_city: str | None = None
    to: str | None = None
    to_friendly: str | None = None
    recording_uri: str | None = None
    endpoint: str | None = None
    attribution_source: str | None = None
    attribution_medium: str | None = None
    attribution_campaign: str | None = None
    attribution_content: str | None = None
    session_keywords: str | None = None
    session_conversion_uri: str | None = None
    session_landing_uri: str | None = None
    survey_type: str | None = None
    survey_value: str | None = None
    survey_custom1: str | None = None
    survey_custom2: str | None = None
    survey_custom3: str | None = None
    survey_unique_code: str | None = None
    prompts_keys: str | None = None
    notes: str | None = None
    call_type: str | None = None
    google_analytics_client_id: str | None = None
    google_adwords_click_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


_OWN = ("CallSid", "Date_Start", "Duration", "Disposition", "Session_Traffic_Type")


def parse_call(body: Any) -> TrackedCall:
    data = mapping(body)
    texts = {attr: text(data.get(name)) for name, attr in _NAMES.items()}
    return TrackedCall(
        call_sid=str(data.get("CallSid", "")),
        date_start=unix_time(data.get("Date_Start")),
        duration=integer(data.get("Duration")),
        disposition=enum_or_text(Disposition, data.get("Disposition")),
        session_traffic_type=enum_or_text(TrafficType, data.get("Session_Traffic_Type")),
        extra=extra_fields(data, (*_OWN, *_NAMES)),
        raw=data,
        **texts,
    )


@dataclass(frozen=True)
class TrackedCallPage:
    calls: list[TrackedCall]
    total_count: int | None
    skip: int


def parse_page(body: Any, skip: int) -> TrackedCallPage:
    data = mapping(body)
    return TrackedCallPage(
        calls=[parse_call(item) for item in data.get("Calls") or []],
        total_count=integer(data.get("TotalCount")),
        skip=skip,
    )
