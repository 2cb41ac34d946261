"""Pure CCM mapping: v2 status and state from the legs, leg statuses, timestamps, the make-call
body parser and agents' availability."""

from __future__ import annotations

from typing import Any

import pytest

from trunkline.api.exotel_ccm import status
from trunkline.api.exotel_ccm.errors import MissingParameter, UnparseableBody
from trunkline.api.exotel_ccm.params import parse_body, parse_make_call
from trunkline.api.exotel_ccm.render import iso
from trunkline.domain.agents.model import (
    AGENT_KEY,
    Agent,
    AgentUnavailable,
    check_can_call,
    normalise_contact_uri,
)
from trunkline.domain.calls.model import Call, Leg
from trunkline.domain.errors import InvalidParameter


def _call(leg_statuses: list[str], *, status_: str = "completed", direction: str = "outbound-api",
          duration: int | None = 30, flow: str | None = None) -> Call:  # fmt: skip
    legs = [Leg(i, f"+9198765432{i:02d}", s, 0) for i, s in enumerate(leg_statuses, start=1)]
    return Call("s" * 32, "acme", 0, 0, "+919876543201", "+919876543202", "+918047112233", status_,
                direction, duration=duration, flow_app_id=flow, legs=legs)  # fmt: skip


@pytest.mark.parametrize(
    ("legs", "call_status", "expected"),
    [
        (["completed", "completed"], "completed", "completed"),
        (["busy"], "busy", "agent_unanswered"),
        (["no-answer"], "no-answer", "agent_unanswered"),
        (["failed"], "failed", "agent_no_dial"),
        ([], "failed", "agent_no_dial"),
        (["completed", "busy"], "busy", "customer_unanswered"),
        (["completed", "no-answer"], "no-answer", "customer_unanswered"),
        (["completed", "failed"], "failed", "customer_no_dial"),
        (["completed", "canceled"], "no-answer", "agent_canceled"),
    ],
)
def test_outbound_status_follows_the_agent_leg_then_the_customer_leg(
    legs: list[str], call_status: str, expected: str
) -> None:
    call = _call(legs, status_=call_status)
    assert status.ended_status(call) == expected
    assert (status.state(call), status.status(call)) == ("terminal", expected)


def test_live_or_unsettled_calls_are_active_with_no_status() -> None:
    live = _call(["in-progress", "ringing"], status_="in-progress", duration=None)
    assert (status.state(live), status.status(live), status.ended_status(live)) == ("active", None, None)
    unsettled = _call(["completed", "completed"], duration=None)
    assert (status.state(unsettled), status.status(unsettled)) == ("active", None)
    assert status.ended_status(unsettled) == "completed"  # what the terminal callback reports


def test_incoming_calls_swap_sides() -> None:
    answered = _call(["completed", "completed"], direction="inbound")
    assert status.agent_legs(answered)[0].leg_id == 2 and status.customer_legs(answered)[0].leg_id == 1
    assert status.ended_status(answered) == "completed"
    assert status.ended_status(_call(["completed", "busy"], direction="inbound")) == "agent_unanswered"
    assert status.ended_status(_call(["completed", "failed"], direction="inbound")) == "agent_no_dial"
    assert status.ended_status(_call(["completed"], direction="inbound", flow="desk")) == "completed"


def test_flow_calls_that_completed_are_completed_whatever_a_dialled_leg_did() -> None:
    assert status.ended_status(_call(["completed"], flow="desk")) == "completed"
    assert status.ended_status(_call(["completed", "busy", "completed"], flow="desk")) == "completed"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [("queued", "in-progress"), ("ringing", "in-progress"), ("in-progress", "in-progress"),
     ("completed", "completed"), ("failed", "failed"), ("busy", "no-answer"), ("no-answer", "no-answer"),
     ("canceled", "no-answer"), (None, "in-progress")],
)  # fmt: skip
def test_leg_statuses_are_the_four_of_the_legs_api(shown: str | None, expected: str) -> None:
    assert status.leg_status(shown) == expected


def test_iso_is_utc_with_milliseconds() -> None:
    assert iso(1718447400000) == "2024-06-15T10:30:00.000Z"
    assert iso(1718447401007) == "2024-06-15T10:30:01.007Z"
    assert iso(None) is None


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "from": {"user_id": "u1"},
        "to": {"number": "09876543210"},
        "virtual_number": "08047112233",
        **fields,
    }


def test_make_call_defaults_and_conversion_to_a_connect_request() -> None:
    made = parse_make_call(_body())
    assert (made.customer, made.virtual_number, made.attempt_time_out_s, made.record) == (
        "+919876543210", "+918047112233", 30, False
    )  # fmt: skip
    agent = Agent("u1", "Asha", "sip:asha@pbx", "on", 0, 0)
    callbacks = [
        {"event": "Terminal", "url": "https://a.example/t"},
        {"event": "answered", "url": "https://a.example/a"},
    ]
    full = parse_make_call(_body(recording="true", recording_channels="Dual", max_time_limit="600",
                                 attempt_time_out=45.0, custom_field=12, status_callback=callbacks,
                                 wait_audio_url="https://a.example/w.wav"))  # fmt: skip
    request = full.connect_request(agent)
    assert (request.from_number, request.to_number, request.caller_id) == (
        "sip:asha@pbx",
        "+919876543210",
        "+918047112233",
    )
    assert (request.record, request.recording_channels, request.time_limit_s, request.time_out_s) == (
        True,
        "dual",
        600,
        45,
    )
    assert request.custom_field == "12"
    assert request.status_callback == "https://a.example/t"
    assert request.status_callback_events == ("terminal", "answered")
    assert request.status_callback_targets == {
        "terminal": "https://a.example/t",
        "answered": "https://a.example/a",
    }
    assert request.status_callback_content_type == "application/json"
    assert request.extra == {AGENT_KEY: "u1", "WaitAudioUrl": "https://a.example/w.wav"}


def test_make_call_body_errors_name_the_field() -> None:
    with pytest.raises(MissingParameter, match="to"):
        parse_make_call({"from": {"user_id": "u"}, "virtual_number": "08047112233"})
    with pytest.raises(InvalidParameter, match="attempt_time_out"):
        parse_make_call(_body(attempt_time_out=0))
    with pytest.raises(UnparseableBody):
        parse_body(b"[]")
    with pytest.raises(UnparseableBody):
        parse_body(b"{" * 70_000)


def test_contact_uris_normalise_to_one_key() -> None:
    assert normalise_contact_uri("09876543210") == normalise_contact_uri("+91 98765 43210") == "+919876543210"
    assert normalise_contact_uri("SIP:asha@pbx.example") == "sip:asha@pbx.example"
    for bad in ("sip:", "sip:a b@c", "12", "x" * 200):
        with pytest.raises(InvalidParameter):
            normalise_contact_uri(bad)


@pytest.mark.parametrize(("state", "on_a_call", "reason"),
                         [("off", False, "off"), ("unverified", False, "unverified"), ("busy", False, "busy"),
                          ("on", True, "busy"), ("off", True, "off")])  # fmt: skip
def test_only_an_idle_agent_with_its_device_on_can_take_a_call(
    state: str, on_a_call: bool, reason: str
) -> None:
    with pytest.raises(AgentUnavailable) as raised:
        check_can_call(Agent("u", "A", "sip:a@b", state, 0, 0), on_a_call=on_a_call)
    assert raised.value.reason == reason
    check_can_call(Agent("u", "A", "sip:a@b", "on", 0, 0), on_a_call=False)
