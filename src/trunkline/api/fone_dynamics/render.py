"""Fone Dynamics bodies: a call (docs/api-choices.md §Fone Dynamics: every field, in order), tracking-number
configuration. Errors, in the ``ResponseStatus`` envelope, are ``errors.py``'s."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from trunkline.api.fone_dynamics.bodies import FoneCall, FoneNumber
from trunkline.services.tracking import TrackedCall, TrackingNumber

JSON_TYPE = "application/json"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=JSON_TYPE, headers=headers)


def call_object(call: TrackedCall, public_url: str) -> FoneCall:
    """One call. Values the call does not have are ``null``; ``Disposition`` and ``Duration`` are
    ``null`` while the call is live."""
    return {
        "CallSid": call.call_sid,
        "PropertySid": call.property_sid,
        "Date_Start": str(call.date_start // 1000),
        "From": call.from_number,
        "From_CountryCode": call.from_country,
        "From_Region": call.from_region,
        "From_City": call.from_city,
        "To": call.to_number,
        "To_Friendly": call.to_friendly,
        "Duration": call.duration,
        "Disposition": call.disposition,
        "Recording_Uri": f"{public_url}/{call.recording_path}" if call.recording_path else None,
        "Endpoint": call.endpoint,
        "Attribution_Source": call.attribution_source,
        "Attribution_Medium": call.attribution_medium,
        "Attribution_Campaign": call.attribution_campaign,
        "Attribution_Content": call.attribution_content,
        "Session_Traffic_Type": call.session_traffic_type,
        "Session_Keywords": call.session_keywords,
        "Session_ConversionUri": call.session_conversion_uri,
        "Session_LandingUri": call.session_landing_uri,
        "Survey_Type": call.survey_type,
        "Survey_Value": call.survey_value,
        "Survey_Custom1": call.survey_custom1,
        "Survey_Custom2": call.survey_custom2,
        "Survey_Custom3": call.survey_custom3,
        "Survey_UniqueCode": call.survey_unique_code,
        "Prompts_Keys": call.prompts_keys,
        "Notes": call.notes,
        "CallType": call.call_type,
        "Google_Analytics_ClientId": call.ga_client_id,
        "Google_Adwords_ClickId": call.ads_click_id,
    }


def number_object(number: TrackingNumber) -> FoneNumber:
    """A tracking number's configuration (Configure Numbers' answer; the parameter names it takes)."""
    return {
        "Number": number.number,
        "PropertySid": number.property_sid,
        "Status": number.status,
        "Friendly": number.friendly,
        "AddressSid": number.address_sid,
        "Attribution_Source": number.attribution_source,
        "Attribution_Medium": number.attribution_medium,
        "Attribution_Campaign": number.attribution_campaign,
        "Attribution_Content": number.attribution_content,
        "RoutingMethod": number.routing_method,
        "EndpointNumber": number.endpoint_number,
        "Flow": number.flow,
        "Recording": number.recording,
        "SendSmsFrom": number.send_sms_from,
        "SendSmsTo": number.send_sms_to,
        "SendEmailFrom": number.send_email_from,
        "SendEmailTo": number.send_email_to,
    }
