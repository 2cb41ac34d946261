"""v1 status callbacks of ``POST Calls/connect.json`` end to end: a live server on each backend with
a virtual network clock, a real receiver on 127.0.0.1, bodies parsed as receivers parse them
(docs/api-choices.md §Status callbacks), the delivery log and redelivery through the admin API.

The clock moves only when a test advances it, but delivery runs in real time and asynchronously: every
wait here polls with a bound. The clock is shared by the session, so only relative times are checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest

from tests.support.calls_api import (
    ADMIN,
    ANSWER,
    BUSY,
    FAIL,
    MACHINE,
    NEVER,
    STAYS,
    advance,
    details,
    place,
)
from tests.support.factories import AccountFixture
from tests.support.receiver import Received, Receiver, Reply, form_fields

WAIT_S = 10.0
"""Upper bound of every wait for an asynchronous delivery."""
JSON = "application/json"
USER_AGENT = "Trunkline-Webhooks/1"
DEFAULT_FIELDS = ["CallSid", "DateUpdated", "Status", "RecordingUrl"]
EXTENDED_HEAD = [
    *DEFAULT_FIELDS, "EventType", "DateCreated", "To", "From", "PhoneNumberSid", "StartTime", "EndTime",
    "ConversationDuration", "Direction",
]  # fmt: skip
TERMINAL_JSON_FIELDS = [*EXTENDED_HEAD, "CustomField", "Legs"]
ANSWERED_JSON_FIELDS = [*EXTENDED_HEAD, "Legs"]
FLAT_LEGS = [f"Legs[{i}][{key}]" for i in (0, 1) for key in ("OnCallDuration", "Status", "AnsweredBy")]
TERMINAL_FORM_FIELDS = [*EXTENDED_HEAD, "CustomField", *FLAT_LEGS]
ANSWERED_FORM_FIELDS = [*EXTENDED_HEAD, *FLAT_LEGS]
BOTH_EVENTS = {"StatusCallbackEvents[0]": "terminal", "StatusCallbackEvents[1]": "answered"}
NUMBER_FIELDS = ("To", "From", "PhoneNumberSid")


# --- helpers ---


def place_with_callback(
    client: httpx.Client, account: AccountFixture, receiver: Receiver, **params: Any
) -> str:
    call = place(client, account, StatusCallback=receiver.url, **params)
    sid: str = call["Sid"]
    return sid


def poll(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    """``check()``'s first truthy value, polled until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.05)


def webhook_log(client: httpx.Client, sid: str) -> list[dict[str, Any]]:
    response = client.get(f"/admin/calls/{sid}/webhooks", headers=ADMIN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["call_sid"] == sid
    deliveries: list[dict[str, Any]] = body["deliveries"]
    return deliveries


def delivered_log(client: httpx.Client, sid: str, count: int) -> list[dict[str, Any]]:
    """The call's delivery log once ``count`` deliveries exist and all are delivered (the outbox is
    written with the call's change, so after an advance it holds every callback the call will get)."""

    def check() -> list[dict[str, Any]] | None:
        log = webhook_log(client, sid)
        assert len(log) <= count, log
        if len(log) == count and all(entry["delivery"]["state"] == "delivered" for entry in log):
            return log
        return None

    log: list[dict[str, Any]] = poll(check, f"{count} delivered callbacks of {sid}")
    return log


def requests_for(receiver: Receiver, count: int) -> list[Received]:
    """Exactly ``count`` requests (waiting at most WAIT_S for them)."""
    got = receiver.wait_for(count, timeout=WAIT_S)
    assert len(got) == count, [r.body for r in got]
    return got


def form(request: Received) -> dict[str, str]:
    fields = form_fields(request)
    names = [name for name, _ in fields]
    assert len(set(names)) == len(names), names
    return dict(fields)


def json_body(request: Received) -> dict[str, Any]:
    assert request.headers["content-type"] == JSON
    body: dict[str, Any] = orjson.loads(request.body)
    return body


def by_event(requests: list[Received], parse: Callable[[Received], dict[str, Any]]) -> dict[str, Any]:
    bodies = [parse(request) for request in requests]
    events = {body["EventType"]: body for body in bodies}
    assert len(events) == len(bodies), bodies
    return events


def seconds_between(earlier: str, later: str) -> float:
    fmt = "%Y-%m-%d %H:%M:%S"
    return (datetime.strptime(later, fmt) - datetime.strptime(earlier, fmt)).total_seconds()


def assert_callback_request(request: Received) -> None:
    assert request.method == "POST" and request.path == "/callback"
    assert request.headers["user-agent"] == USER_AGENT


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
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=STAYS,
        To=STAYS,
        TimeLimit="45",
        StatusCallbackContentType=JSON,
        **{"StatusCallbackEvents[0]": "terminal"},
    )
    advance(engine_client, 120)
    delivered_log(engine_client, sid, 1)
    body = json_body(requests_for(receiver, 1)[0])
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


# --- 5. machine answers, recordings ---


def test_a_machine_on_leg_two_is_answered_by_machine(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=ANSWER,
        To=MACHINE,
        **{"StatusCallbackEvents[0]": "terminal"},
    )
    advance(engine_client, 90)
    delivered_log(engine_client, sid, 1)
    body = form(requests_for(receiver, 1)[0])
    assert body["Status"] == "completed"
    assert body["Legs[0][AnsweredBy]"] == "Human"
    assert body["Legs[1][AnsweredBy]"] == "Machine"
    # Leg 2 rings from 2 s, a machine answers at 6 s and hangs up 30 s later.
    assert (body["Legs[0][OnCallDuration]"], body["Legs[1][OnCallDuration]"]) == ("34", "30")
    assert body["ConversationDuration"] == "30"


@pytest.mark.parametrize("content_type", ["multipart/form-data", JSON])
def test_a_recorded_call_carries_its_recording_url(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver, content_type: str
) -> None:
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=ANSWER,
        To=ANSWER,
        Record="true",
        StatusCallbackContentType=content_type,
    )
    advance(engine_client, 90)
    delivered_log(engine_client, sid, 1)
    [request] = requests_for(receiver, 1)
    body = json_body(request) if content_type == JSON else form(request)
    assert list(body) == DEFAULT_FIELDS
    url = body["RecordingUrl"]
    assert url.startswith("http") and url.endswith(f"/exotelrecordings/{engine_account.sid}/{sid}.mp3")
    assert url == details(engine_client, engine_account, sid)["RecordingUrl"]


def test_a_recorded_call_that_was_busy_has_no_recording_url(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid = place_with_callback(engine_client, engine_account, receiver, From=ANSWER, To=BUSY, Record="true")
    advance(engine_client, 30)
    delivered_log(engine_client, sid, 1)
    body = form(requests_for(receiver, 1)[0])
    assert body["Status"] == "busy" and body["RecordingUrl"] == ""


# --- 6. flow calls ---


@pytest.mark.parametrize("content_type", ["multipart/form-data", JSON])
def test_a_flow_call_gets_the_four_default_fields_even_with_events(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver, content_type: str
) -> None:
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From="+919999910020",
        Url=f"http://my.exotel.com/{engine_account.sid}/exoml/start_voice/123",
        StatusCallbackContentType=content_type,
        CustomField="flow-1",
        **BOTH_EVENTS,
    )
    advance(engine_client, 60)
    [log] = delivered_log(engine_client, sid, 1)
    assert log["delivery"]["event"] == "terminal"
    [request] = requests_for(receiver, 1)
    assert_callback_request(request)
    if content_type == JSON:
        body = json_body(request)
        assert list(body) == DEFAULT_FIELDS
    else:
        assert [name for name, _ in form_fields(request)] == DEFAULT_FIELDS
        body = form(request)
    assert body["CallSid"] == sid and body["Status"] == "completed"
    assert body["DateUpdated"] == details(engine_client, engine_account, sid)["DateUpdated"]


# --- 7. a failing receiver, the delivery log, redelivery ---


def test_a_500_is_retried_later_and_redelivery_sends_it_now(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    receiver.default = Reply(500, b"down for maintenance")
    sid = place_with_callback(engine_client, engine_account, receiver, From=ANSWER, To=BUSY)
    advance(engine_client, 30)
    requests_for(receiver, 1)

    def first_attempt_logged() -> dict[str, Any] | None:
        log = webhook_log(engine_client, sid)
        return log[0] if len(log) == 1 and log[0]["attempts"] else None

    entry: dict[str, Any] = poll(first_attempt_logged, "the first attempt in the log")
    delivery = entry["delivery"]
    [attempt] = entry["attempts"]
    assert attempt["response_status"] == 500 and attempt["error"] is None
    assert attempt["response_excerpt"] == "down for maintenance"
    assert delivery["state"] == "pending" and delivery["attempts"] == 1
    assert delivery["last_response_status"] == 500
    now = time.time() * 1000
    # The default backoff: the retry waits 10 s of wall-clock time, also under the virtual clock.
    assert now < delivery["next_attempt_at"] <= now + 10_000
    assert delivery["url"] == receiver.url and delivery["event"] == "terminal"

    delivery_id = delivery["id"]
    missing = engine_client.get(f"/admin/calls/{sid}/webhooks")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "authentication-failed"
    wrong = {"Authorization": "Bearer wrong-token"}
    assert engine_client.get(f"/admin/calls/{sid}/webhooks", headers=wrong).status_code == 401
    assert engine_client.post(f"/admin/webhooks/{delivery_id}/redeliver").status_code == 401
    assert engine_client.post(f"/admin/webhooks/{delivery_id}/redeliver", headers=wrong).status_code == 401
    assert engine_client.get("/admin/calls/unknown-call/webhooks", headers=ADMIN).status_code == 404
    assert engine_client.post("/admin/webhooks/999999999/redeliver", headers=ADMIN).status_code == 404
    assert len(receiver.received) == 1  # refused admin calls sent nothing

    receiver.default = Reply(200)
    response = engine_client.post(f"/admin/webhooks/{delivery_id}/redeliver", headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.json() == {"delivery_id": delivery_id, "state": "pending"}
    [retried, redelivered] = requests_for(receiver, 2)
    assert form_fields(redelivered) == form_fields(retried)  # the same payload, sent again
    [entry] = delivered_log(engine_client, sid, 1)
    assert entry["delivery"]["id"] == delivery_id
    assert entry["delivery"]["next_attempt_at"] is None
    assert entry["delivery"]["last_response_status"] == 200
    assert [a["response_status"] for a in entry["attempts"]] == [500, 200]
    assert form(redelivered)["Status"] == "busy"


# --- 8. request headers ---


def test_callback_request_headers(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    form_sid = place_with_callback(engine_client, engine_account, receiver, From=ANSWER, To=BUSY)
    json_sid = place_with_callback(
        engine_client, engine_account, receiver, From=ANSWER, To=FAIL, StatusCallbackContentType=JSON
    )
    advance(engine_client, 30)
    delivered_log(engine_client, form_sid, 1)
    delivered_log(engine_client, json_sid, 1)
    requests = requests_for(receiver, 2)
    for request in requests:
        assert_callback_request(request)
        assert int(request.headers["content-length"]) == len(request.body)
    [multipart] = [r for r in requests if r.headers["content-type"].startswith("multipart/form-data")]
    boundary = multipart.headers["content-type"].split("boundary=", 1)[1]
    assert boundary and f"--{boundary}--".encode() in multipart.body
    assert form(multipart)["CallSid"] == form_sid
    [as_json] = [r for r in requests if r is not multipart]
    assert as_json.headers["content-type"] == JSON
    assert json_body(as_json)["CallSid"] == json_sid


# --- 9. the callback and the call record agree ---


def test_details_after_the_terminal_callback_agree_with_it(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid = place_with_callback(
        engine_client,
        engine_account,
        receiver,
        From=ANSWER,
        To=ANSWER,
        Record="true",
        StatusCallbackContentType=JSON,
        **{"StatusCallbackEvents[0]": "terminal"},
    )
    advance(engine_client, 90)
    delivered_log(engine_client, sid, 1)
    callback = json_body(requests_for(receiver, 1)[0])
    done = details(engine_client, engine_account, sid)
    assert done["Sid"] == callback["CallSid"]
    assert done["Status"] == callback["Status"] == "completed"
    assert done["Duration"] == str(int(seconds_between(callback["StartTime"], callback["EndTime"]))) == "62"
    assert done["Details"]["ConversationDuration"] == callback["ConversationDuration"]
    assert [leg["Leg"]["OnCallDuration"] for leg in done["Details"]["Legs"]] == [
        leg["OnCallDuration"] for leg in callback["Legs"]
    ]
    assert [done["Details"]["Leg1Status"], done["Details"]["Leg2Status"]] == [
        leg["Status"] for leg in callback["Legs"]
    ]
    for field in ("DateUpdated", "DateCreated", "StartTime", "EndTime", "To", "From", "PhoneNumberSid"):
        assert done[field] == callback[field], field
    assert done["Direction"] == callback["Direction"]
    assert done["RecordingUrl"] == callback["RecordingUrl"]
