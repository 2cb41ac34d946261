"""v1 status callbacks end to end, continued (see test_status_callbacks.py for the setting): machine
answers and recordings, flow calls, a failing receiver with the delivery log and redelivery, the
request headers, and the callback agreeing with the call record."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.support.calls_api import (
    ADMIN,
    ANSWER,
    BUSY,
    FAIL,
    MACHINE,
    advance,
    details,
)
from tests.support.factories import AccountFixture
from tests.support.receiver import Receiver, Reply, form_fields
from tests.support.status_callbacks import (
    BOTH_EVENTS,
    DEFAULT_FIELDS,
    JSON,
    assert_callback_request,
    delivered_log,
    form,
    json_body,
    place_with_callback,
    poll,
    requests_for,
    seconds_between,
    the_one_callback,
    webhook_log,
)

# --- 5. machine answers, recordings ---


def test_a_machine_on_leg_two_is_answered_by_machine(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    sid, request = the_one_callback(
        engine_client,
        engine_account,
        receiver,
        90,
        From=ANSWER,
        To=MACHINE,
        **{"StatusCallbackEvents[0]": "terminal"},
    )
    body = form(request)
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
    sid, request = the_one_callback(
        engine_client,
        engine_account,
        receiver,
        90,
        From=ANSWER,
        To=ANSWER,
        Record="true",
        StatusCallbackContentType=content_type,
    )
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
    sid, request = the_one_callback(
        engine_client,
        engine_account,
        receiver,
        90,
        From=ANSWER,
        To=ANSWER,
        Record="true",
        StatusCallbackContentType=JSON,
        **{"StatusCallbackEvents[0]": "terminal"},
    )
    callback = json_body(request)
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
