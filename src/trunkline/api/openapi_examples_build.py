"""Writing ``openapi_examples.json``: one realistic answer per operation, for mock servers and readers.

The calls come from the seeder with a fixed seed at a fixed instant (``openapi_examples_seed``) and
go through the dialects' own renderers, and the admin API's answers through the admin routes' own
functions (``openapi_admin_examples``), so the examples have the shapes the server sends and are
the same on every run (``tests/openapi`` regenerates them and compares). Ids the server would draw
at random (a new call's Sid, CCM's request_id) are derived from the seed instead.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from importlib.resources import files
from typing import Any

from trunkline.api.exotel_ccm import render as ccm
from trunkline.api.exotel_v1 import render as v1
from trunkline.api.fone_dynamics import render as fone
from trunkline.api.openapi_admin_examples import admin_examples
from trunkline.api.openapi_examples_seed import (
    ACCOUNT_SID,
    AT_MS,
    EXOPHONE,
    PROPERTY_SID,
    PUBLIC_URL,
    finished_call,
    fixed_id,
    just_placed,
    seeded_calls,
)
from trunkline.domain.agents.model import Agent
from trunkline.domain.calls.model import Call
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.numbers.metadata import (
    SERIES_SEED,
    NumberMetadata,
    Series,
    build_metadata,
    classify,
    series_prefixes,
)
from trunkline.domain.tracking.numbers import TrackingNumber
from trunkline.domain.tracking.tracked_calls import TrackedCall

__all__ = ["ACCOUNT_SID", "EXOPHONE", "build_examples", "examples_text"]


def _ccm(method: str, response: Any, label: str, *, metadata: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"request_id": fixed_id(label), "method": method, "http_code": 200}
    if metadata:
        body["metadata"] = None
    body["response"] = response
    return body


def _tracked(call: Call) -> TrackedCall:
    return TrackedCall(
        call_id=1,
        call_sid=call.sid,
        property_sid=PROPERTY_SID,
        date_start=call.date_created,
        from_number=call.from_number,
        from_country="IN",
        from_region="Karnataka",
        from_city="Bengaluru",
        to_number=call.phone_number,
        to_friendly="Website",
        duration=call.duration,
        disposition="Answered",
        recording_path=call.recording_path,
        endpoint=call.to_number,
        attribution_source="google",
        attribution_medium="cpc",
        attribution_campaign="winter-sale",
        attribution_content=None,
        session_traffic_type="Paid",
        session_keywords="voice api",
        session_conversion_uri="https://example.com/contact",
        session_landing_uri="https://example.com/",
        survey_type=None,
        survey_value=None,
        survey_custom1=None,
        survey_custom2=None,
        survey_custom3=None,
        survey_unique_code=None,
        prompts_keys="1",
        notes=None,
        call_type="Inbound",
        ga_client_id=None,
        ads_click_id=None,
    )


def _number() -> TrackingNumber:
    return TrackingNumber(
        account_id=1,
        number="+61299998888",
        property_id=1,
        property_sid=PROPERTY_SID,
        status="Active",
        friendly="Website",
        address_sid=None,
        attribution_source="google",
        attribution_medium="cpc",
        attribution_campaign="winter-sale",
        attribution_content=None,
        routing_method="Endpoint",
        endpoint_number="+61290001234",
        flow=None,
        recording="Call",
        send_sms_from=None,
        send_sms_to=None,
        send_email_from=None,
        send_email_to=None,
        created_at=AT_MS,
        updated_at=AT_MS,
    )


NUMBER = "09810012345"
"""A Delhi Airtel mobile of the shipped series seed: the number a new server describes fully."""


def _number_metadata() -> NumberMetadata:
    """``NUMBER`` as a new server's store answers it: its series from the seed every store loads
    (``NumberingStore.ensure_seed``), longest prefix first, and no DND entry ("Unavailable")."""
    number = classify(NUMBER)
    package, resource = SERIES_SEED
    lines = files(package).joinpath(resource).read_text(encoding="utf-8").splitlines()
    rows = {row[0]: row for row in csv.reader(line for line in lines if not line.startswith("#"))}
    for prefix in series_prefixes(number):
        if prefix in rows:
            return build_metadata(number, Series(rows[prefix][1], rows[prefix][2]), None)
    return build_metadata(number, None, None)


def build_examples() -> dict[str, Any]:
    calls = seeded_calls()
    call = finished_call(calls)
    placed = just_placed(call, "connect", AT_MS)
    page = calls[-3:]
    base = f"/v1/Accounts/{ACCOUNT_SID}/Calls.json"
    window = f"DateCreated=gte:{ms_to_ist(AT_MS - 7 * 86_400_000)};lte:{ms_to_ist(AT_MS)}"
    agent = Agent("agent-1", "Asha Rao", call.from_number, "on", AT_MS, AT_MS)
    made = replace(placed, sid=fixed_id("make-call"))
    number = fone.number_object(_number())
    return {
        "v1_calls_connect": {"Call": v1.call_object(placed, public_url=PUBLIC_URL)},
        "v1_calls_get": {"Call": v1.call_object(call, public_url=PUBLIC_URL, details=True)},
        "v1_calls_get_json": {"Call": v1.call_object(call, public_url=PUBLIC_URL)},
        "v1_calls_list": {
            "Metadata": {
                "Total": len(page),
                "PageSize": 50,
                "FirstPageUri": f"{base}?{window}&PageSize=50",
                "PrevPageUri": "",
                "NextPageUri": "",
            },
            "Calls": [v1.call_object(c, public_url=PUBLIC_URL, bulk=True) for c in reversed(page)],
        },
        "v1_numbers_get": {"Numbers": v1.number_object(_number_metadata())},
        "ccm_calls_create": _ccm("POST", ccm.made_call(made, agent, True), "make-call-request"),
        "ccm_calls_get": _ccm(
            "GET",
            {"call_details": ccm.call_details(call, agent.user_id, ACCOUNT_SID, PUBLIC_URL)},
            "details",
        ),
        "ccm_calls_legs_list": _ccm(
            "GET",
            {
                "code": 200,
                "error_data": None,
                "status": "success",
                "leg_details": ccm.leg_details(call, None, agent.name, ACCOUNT_SID),
            },
            "legs",
            metadata=True,
        ),
        "fone_calls_get": {"Call": fone.call_object(_tracked(call), PUBLIC_URL)},
        "fone_calls_list": {
            "Calls": [fone.call_object(_tracked(c), PUBLIC_URL) for c in page],
            "TotalCount": len(page),
        },
        "fone_property_calls_list": {
            "Calls": [fone.call_object(_tracked(c), PUBLIC_URL) for c in page],
            "TotalCount": len(page),
        },
        "fone_property_numbers_create": {"Number": number["Number"], "Status": number["Status"]},
        "fone_numbers_get": number,
        "fone_numbers_update": number,
    } | admin_examples(call, [_number()])


def examples_text() -> str:
    return json.dumps(build_examples(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(examples_text())
