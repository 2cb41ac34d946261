"""v1 status callbacks of ``POST Calls/connect.json`` end to end: a live server on each backend with
a virtual network clock, a real receiver on 127.0.0.1, bodies parsed as receivers parse them
(docs/api-choices.md §Status callbacks), the delivery log and redelivery through the admin API.

The clock moves only when a test advances it, but delivery runs in real time and asynchronously: every
wait here polls with a bound. The clock is shared by the session, so only relative times are checked.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.calls_api import (
    ANSWER,
    BUSY,
    FAIL,
    NEVER,
    STAYS,
    advance,
    details,
)
from tests.support.factories import AccountFixture
from tests.support.receiver import Receiver, Reply, form_fields
from tests.support.status_callbacks import (
    ANSWERED_FORM_FIELDS,
    ANSWERED_JSON_FIELDS,
    BOTH_EVENTS,
    DEFAULT_FIELDS,
    JSON,
    NUMBER_FIELDS,
    TERMINAL_FORM_FIELDS,
    TERMINAL_JSON_FIELDS,
    assert_callback_request,
    delivered_log,
    form,
    json_body,
    place_with_callback,
    requests_for,
    seconds_between,
    the_one_callback,
    webhook_log,
)

# --- 1. the four default fields ---


@pytest.mark.parametrize(
    ("leg1", "leg2", "status"),
    [
        (ANSWER, ANSWER, "completed"),
        (BUSY, ANSWER, "busy"),
        (NEVER, ANSWER, "no-answer"),
        (ANSWER, FAIL, "failed"),
    ],
)
def test_without_events_one_form_post_with_the_four_default_fields(
    engine_client: httpx.Client,
    engine_account: AccountFixture,
    receiver: Receiver,
    leg1: str,
    leg2: str,
    status: str,
) -> None:
    sid = place_with_callback(engine_client, engine_account, receiver, From=leg1, To=leg2, TimeOut="20")
    advance(engine_client, 30)
    if status == "completed":
        # Bridged, talking: the 'answered' moment gives no callback unless subscribed.
        assert details(engine_client, engine_account, sid)["Status"] == "in-progress"
        assert webhook_log(engine_client, sid) == []
        advance(engine_client, 60)
    [log] = delivered_log(engine_client, sid, 1)
    assert log["delivery"]["event"] == "terminal"
    assert log["delivery"]["content_type"] == "multipart/form-data"
    [request] = requests_for(receiver, 1)
    assert_callback_request(request)
    done = details(engine_client, engine_account, sid)
    assert form_fields(request) == [
        ("CallSid", sid),
        ("DateUpdated", done["DateUpdated"]),
        ("Status", status),
        ("RecordingUrl", ""),
    ]
    assert done["Status"] == status


def test_without_events_a_json_callback_has_the_four_default_fields(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid = place_with_callback(
        engine_client, engine_account, receiver, From=ANSWER, To=BUSY, StatusCallbackContentType=JSON
    )
    advance(engine_client, 30)
    delivered_log(engine_client, sid, 1)
    [request] = requests_for(receiver, 1)
    assert_callback_request(request)
    body = json_body(request)
    assert list(body) == DEFAULT_FIELDS
    assert (body["CallSid"], body["Status"]) == (sid, "busy")
    assert body["DateUpdated"] == details(engine_client, engine_account, sid)["DateUpdated"]
    assert body["RecordingUrl"] is None  # not recorded: JSON null (docs/api-choices.md)


# --- 2. JSON with terminal and answered ---


def test_json_answered_then_terminal_with_every_extended_field(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=ANSWER,
        To=ANSWER,
        CustomField="order-42",
        StatusCallbackContentType=JSON,
        **BOTH_EVENTS,
    )
    advance(engine_client, 30)
    [request] = requests_for(receiver, 1)
    assert_callback_request(request)
    answered = json_body(request)
    assert list(answered) == ANSWERED_JSON_FIELDS
    assert answered["CallSid"] == sid and answered["EventType"] == "answered"
    assert answered["Status"] == "in-progress"
    assert answered["EndTime"] in (None, "")
    assert answered["ConversationDuration"] == 0
    assert answered["RecordingUrl"] is None
    assert answered["DateCreated"] == answered["StartTime"]
    assert seconds_between(answered["StartTime"], answered["DateUpdated"]) == 4  # leg 2 answered
    assert [answered[key] for key in NUMBER_FIELDS] == [
        "09999900001",
        "09999900001",
        engine_account.exophone_local,
    ]
    assert answered["Direction"] == "outbound-api"
    assert [leg["AnsweredBy"] for leg in answered["Legs"]] == ["Human", "Human"]
    assert [leg["Status"] for leg in answered["Legs"]] == [None, None]  # still on the call

    advance(engine_client, 60)
    requests = requests_for(receiver, 2)
    terminal = json_body(requests[1])
    assert list(terminal) == TERMINAL_JSON_FIELDS
    done = details(engine_client, engine_account, sid)
    assert terminal["CallSid"] == sid and terminal["EventType"] == "terminal"
    assert terminal["Status"] == "completed"
    assert terminal["ConversationDuration"] == 58 and type(terminal["ConversationDuration"]) is int
    assert terminal["Legs"] == [
        {"OnCallDuration": 60, "Status": "completed", "AnsweredBy": "Human"},
        {"OnCallDuration": 58, "Status": "completed", "AnsweredBy": "Human"},
    ]
    assert [terminal[key] for key in NUMBER_FIELDS] == [
        "09999900001",
        "09999900001",
        engine_account.exophone_local,
    ]
    assert terminal["CustomField"] == "order-42"
    assert terminal["Direction"] == "outbound-api"
    assert terminal["DateUpdated"] == done["DateUpdated"]
    assert terminal["EndTime"] == done["EndTime"]
    assert terminal["StartTime"] == done["StartTime"] == answered["StartTime"]
    assert terminal["DateCreated"] == done["DateCreated"]
    assert seconds_between(terminal["StartTime"], terminal["EndTime"]) == 62
    assert terminal["RecordingUrl"] is None

    log = delivered_log(engine_client, sid, 2)
    assert [entry["delivery"]["event"] for entry in log] == ["answered", "terminal"]
    assert all(len(entry["attempts"]) == 1 for entry in log)
    assert [entry["attempts"][0]["response_status"] for entry in log] == [200, 200]
    assert len(receiver.received) == 2


# --- 3. form bodies with events ---


def test_form_with_events_flattens_legs_php_style(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    # STAYS as To: the same timings as ANSWER (legs on the call 60/58 s), but To differs from From.
    sid = place_with_callback(
        engine_client, engine_account, receiver, From=ANSWER, To=STAYS, CustomField="crm 7/a&b", **BOTH_EVENTS
    )
    advance(engine_client, 30)
    [first] = requests_for(receiver, 1)
    assert [name for name, _ in form_fields(first)] == ANSWERED_FORM_FIELDS
    answered = form(first)
    assert answered["EventType"] == "answered" and answered["Status"] == "in-progress"
    assert answered["EndTime"] == "" and answered["ConversationDuration"] == "0"
    assert answered["RecordingUrl"] == ""
    assert "CustomField" not in answered
    assert answered["Legs[0][Status]"] == "" and answered["Legs[1][Status]"] == ""
    assert answered["Legs[0][AnsweredBy]"] == "Human" and answered["Legs[1][AnsweredBy]"] == "Human"

    advance(engine_client, 60)
    second = requests_for(receiver, 2)[1]
    assert_callback_request(second)
    assert [name for name, _ in form_fields(second)] == TERMINAL_FORM_FIELDS
    terminal = form(second)
    done = details(engine_client, engine_account, sid)
    assert terminal == {
        "CallSid": sid,
        "DateUpdated": done["DateUpdated"],
        "Status": "completed",
        "RecordingUrl": "",
        "EventType": "terminal",
        "DateCreated": done["DateCreated"],
        "To": "09999900007",
        "From": "09999900001",
        "PhoneNumberSid": engine_account.exophone_local,
        "StartTime": done["StartTime"],
        "EndTime": done["EndTime"],
        "ConversationDuration": "58",
        "Direction": "outbound-api",
        "CustomField": "crm 7/a&b",
        "Legs[0][OnCallDuration]": "60",
        "Legs[0][Status]": "completed",
        "Legs[0][AnsweredBy]": "Human",
        "Legs[1][OnCallDuration]": "58",
        "Legs[1][Status]": "completed",
        "Legs[1][AnsweredBy]": "Human",
    }
    # The stored payloads of form deliveries are flat and hold only strings.
    for entry in delivered_log(engine_client, sid, 2):
        payload = entry["delivery"]["payload"]
        assert all(isinstance(value, str) for value in payload.values()), payload
        assert "Legs" not in payload


def test_leg_one_hanging_up_while_leg_two_rings_shows_a_canceled_leg(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    # Leg 1 answers after 2 s and hangs up 20 s later; leg 2 rings on: no 'answered' callback.
    sid = place_with_callback(
        engine_client, engine_account, receiver, From="+919999910020", To=NEVER, TimeOut="60", **BOTH_EVENTS
    )
    advance(engine_client, 90)
    [log] = delivered_log(engine_client, sid, 1)
    assert log["delivery"]["event"] == "terminal"
    [request] = requests_for(receiver, 1)
    body = form(request)
    assert body["EventType"] == "terminal" and body["Status"] == "no-answer"
    assert body["ConversationDuration"] == "0"
    assert (body["Legs[0][Status]"], body["Legs[0][OnCallDuration]"]) == ("completed", "20")
    assert (body["Legs[1][Status]"], body["Legs[1][OnCallDuration]"]) == ("canceled", "0")
    assert body["Legs[1][AnsweredBy]"] == "NA"


@pytest.mark.parametrize(("leg1", "leg2", "status"), [(BUSY, ANSWER, "busy"), (ANSWER, FAIL, "failed")])
def test_a_call_never_bridged_gets_only_the_terminal_callback(
    engine_client: httpx.Client,
    engine_account: AccountFixture,
    receiver: Receiver,
    leg1: str,
    leg2: str,
    status: str,
) -> None:
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=leg1,
        To=leg2,
        StatusCallbackContentType=JSON,
        **BOTH_EVENTS,
    )
    advance(engine_client, 30)
    [log] = delivered_log(engine_client, sid, 1)
    assert log["delivery"]["event"] == "terminal"
    body = json_body(requests_for(receiver, 1)[0])
    assert body["EventType"] == "terminal" and body["Status"] == status
    assert body["ConversationDuration"] == 0
    assert body["Legs"][-1]["Status"] == status and body["Legs"][-1]["OnCallDuration"] == 0
    assert len(body["Legs"]) == (1 if leg1 == BUSY else 2)


def test_a_call_cut_by_time_limit_reports_its_legs(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid, request = the_one_callback(
        engine_client,
        engine_account,
        receiver,
        120,
        From=STAYS,
        To=STAYS,
        TimeLimit="45",
        StatusCallbackContentType=JSON,
        **{"StatusCallbackEvents[0]": "terminal"},
    )
    body = json_body(request)
    assert body["Status"] == "completed" and body["ConversationDuration"] == 43
    # TimeLimit counts from leg 1's answer (2 s); leg 2 answered at 4 s.
    assert [leg["OnCallDuration"] for leg in body["Legs"]] == [45, 43]
    assert [leg["Status"] for leg in body["Legs"]] == ["completed", "completed"]
    assert seconds_between(body["StartTime"], body["EndTime"]) == 47
    assert body["CustomField"] is None


def test_answered_is_acknowledged_before_terminal_is_sent(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    receiver.reply(Reply(delay_s=1.0))  # the first request is answered a second late
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=ANSWER,
        To=ANSWER,
        StatusCallbackContentType=JSON,
        **BOTH_EVENTS,
    )
    advance(engine_client, 90)  # bridged and ended in one advance: both callbacks fall due together
    [first] = requests_for(receiver, 1)
    time.sleep(0.5)
    assert len(receiver.received) == 1, "the second callback was sent before the first was answered"
    second = requests_for(receiver, 2)[1]
    assert [json_body(first)["EventType"], json_body(second)["EventType"]] == ["answered", "terminal"]
    delivered_log(engine_client, sid, 2)


# --- 4. one event subscribed ---


@pytest.mark.parametrize("event", ["answered", "terminal"])
def test_only_the_subscribed_event_is_sent(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver, event: str
) -> None:
    sid = place_with_callback(
        engine_client, engine_account, receiver, From=ANSWER, To=ANSWER, **{"StatusCallbackEvents[0]": event}
    )
    advance(engine_client, 30)
    advance(engine_client, 60)
    assert details(engine_client, engine_account, sid)["Status"] == "completed"
    [log] = delivered_log(engine_client, sid, 1)
    assert log["delivery"]["event"] == event
    [request] = requests_for(receiver, 1)
    body = form(request)
    assert body["EventType"] == event
    assert body["Status"] == ("in-progress" if event == "answered" else "completed")
    assert ("CustomField" in body) == (event == "terminal")
