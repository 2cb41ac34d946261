"""v1 call details through real HTTP, on SQLite and PostgreSQL (docs/api-choices.md §Call details)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import httpx
from sqlalchemy import delete, update

from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.live_server import LiveServer
from trunkline.domain.calls.model import Leg
from trunkline.domain.clock import ms_to_ist
from trunkline.store.schema.calls import calls as calls_table

SEED_001_FIELDS = [
    "Sid",
    "ParentCallSid",
    "DateCreated",
    "DateUpdated",
    "AccountSid",
    "To",
    "From",
    "PhoneNumberSid",
    "Status",
    "StartTime",
    "EndTime",
    "Duration",
    "Price",
    "Direction",
    "AnsweredBy",
    "ForwardedFrom",
    "CallerName",
    "Uri",
    "RecordingUrl",
]


def test_given_a_finished_call_when_get_json_then_fields_order_and_types_match_seed_001(
    client: httpx.Client, account: AccountFixture, server: LiveServer
) -> None:
    (call,) = account.add_calls(make_call(account, recording_path=f"exotelrecordings/{account.sid}/x.mp3"))
    response = client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", auth=account.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()["Call"]
    assert list(body) == SEED_001_FIELDS
    assert body["Sid"] == call.sid
    assert body["ParentCallSid"] == ""
    assert body["AccountSid"] == account.sid
    assert body["From"] == "09876543210"
    assert body["To"] == "09812345678"
    assert body["PhoneNumberSid"] == account.exophone_local
    assert body["Duration"] == "21"
    assert body["Price"] == "1.500"
    assert body["DateCreated"] == ms_to_ist(call.date_created)
    assert body["StartTime"] == ms_to_ist(call.date_created + 1000)
    assert body["AnsweredBy"] == "human"
    assert body["Uri"] == f"/v1/Accounts/{account.sid}/Calls/{call.sid}"
    assert (
        body["RecordingUrl"] == f"{server.services.settings.public_url}/exotelrecordings/{account.sid}/x.mp3"
    )


def test_given_no_suffix_when_get_call_then_answer_is_twilio_response_xml_in_the_same_order(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(make_call(account, caller_name="A & B <co>"))
    response = client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}", auth=account.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "TwilioResponse"
    element = root.find("Call")
    assert element is not None
    assert [child.tag for child in element] == SEED_001_FIELDS
    assert element.findtext("CallerName") == "A & B <co>"
    assert element.findtext("Duration") == "21"
    assert element.findtext("RecordingUrl") == ""


def test_given_details_true_when_get_call_then_details_carry_legs_in_json_and_xml(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(make_call(account))
    body = client.get(
        f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json?details=true", auth=account.auth
    ).json()
    assert list(body["Call"])[-1] == "Details"
    assert body["Call"]["Details"] == {
        "ConversationDuration": 8,
        "Leg1Status": "completed",
        "Leg2Status": "completed",
        "Legs": [{"Leg": {"Id": "1", "OnCallDuration": 21}}, {"Leg": {"Id": "2", "OnCallDuration": 8}}],
    }
    xml = ET.fromstring(
        client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}?details=TRUE", auth=account.auth).content
    )
    legs = xml.findall("Call/Details/Legs/Leg")
    assert [(leg.findtext("Id"), leg.findtext("OnCallDuration")) for leg in legs] == [("1", "21"), ("2", "8")]


def test_given_a_call_without_second_leg_when_details_then_leg2_status_is_null(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(
        make_call(
            account,
            status="no-answer",
            duration=30,
            price_micros=None,
            answered_by=None,
            conversation_duration=0,
            legs=[Leg(1, "+919876543210", "no-answer", 0)],
        )
    )
    body = client.get(
        f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json?details=true", auth=account.auth
    ).json()
    assert body["Call"]["Details"]["Leg2Status"] is None
    assert body["Call"]["Details"]["Leg1Status"] == "no-answer"
    assert body["Call"]["AnsweredBy"] == ""
    assert body["Call"]["Price"] is None  # not settled: stays null (docs/api-choices.md §Conflicts)


def test_given_a_live_call_when_get_then_empty_fields_are_null(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(
        make_call(
            account,
            status="in-progress",
            end_time=None,
            duration=None,
            price_micros=None,
            answered_by=None,
            conversation_duration=None,
        )
    )
    body = client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", auth=account.auth).json()["Call"]
    assert body["Status"] == "in-progress"
    for name in (
        "ParentCallSid",
        "EndTime",
        "Duration",
        "Price",
        "AnsweredBy",
        "ForwardedFrom",
        "RecordingUrl",
    ):
        assert body[name] is None, name


def test_given_an_unknown_sid_when_get_then_404_no_matching_results_in_both_formats(
    client: httpx.Client, account: AccountFixture
) -> None:
    response = client.get(
        f"/v1/Accounts/{account.sid}/Calls/ffffffffffffffffffffffffffffffff.json", auth=account.auth
    )
    assert response.status_code == 404
    assert response.json() == {"RestException": {"Status": 404, "Message": "No matching results"}}
    response = client.get(f"/v1/Accounts/{account.sid}/Calls/ffff", auth=account.auth)
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.findtext("RestException/Status") == "404"
    assert root.findtext("RestException/Message") == "No matching results"


def test_given_another_accounts_call_when_get_with_own_credentials_then_404(
    client: httpx.Client, account: AccountFixture, server: LiveServer
) -> None:
    other = make_account(server.db)
    (call,) = other.add_calls(make_call(other))
    response = client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", auth=account.auth)
    assert response.status_code == 404


def test_given_credentials_of_another_account_when_get_then_403_rest_exception(
    client: httpx.Client, account: AccountFixture, server: LiveServer
) -> None:
    other = make_account(server.db)
    (call,) = other.add_calls(make_call(other))
    response = client.get(f"/v1/Accounts/{other.sid}/Calls/{call.sid}.json", auth=account.auth)
    assert response.status_code == 403
    assert response.json()["RestException"]["Status"] == 403


def test_given_legacy_account_sid_auth_when_get_then_200(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(make_call(account))
    response = client.get(
        f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json",
        auth=httpx.BasicAuth(account.sid, account.api_token),
    )
    assert response.status_code == 200


def test_given_bad_or_missing_credentials_when_get_then_401_with_www_authenticate(
    client: httpx.Client, account: AccountFixture
) -> None:
    url = f"/v1/Accounts/{account.sid}/Calls/abc.json"
    for auth in (
        None,
        httpx.BasicAuth(account.api_key, "wrong"),
        httpx.BasicAuth(account.sid, "wrong"),
        httpx.BasicAuth("nobody", "x"),
    ):
        response = client.get(url, auth=auth)
        assert response.status_code == 401, auth
        assert response.json() == {"RestException": {"Status": 401, "Message": "Authentication failed"}}
        assert response.headers["www-authenticate"].startswith("Basic")
    garbage = {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}
    assert client.get(url, headers=garbage).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer abc"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Basic %%%"}).status_code == 401


def test_given_double_slash_or_trailing_slash_when_get_then_same_call(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(make_call(account))
    for path in (
        f"/v1/Accounts/{account.sid}//Calls/{call.sid}.json",
        f"/v1//Accounts/{account.sid}/Calls/{call.sid}/",
    ):
        response = client.get(path, auth=account.auth)
        assert response.status_code == 200, path


def test_given_the_calls_json_alias_when_get_then_json(client: httpx.Client, account: AccountFixture) -> None:
    (call,) = account.add_calls(make_call(account))
    response = client.get(f"/v1/Accounts/{account.sid}/Calls.json/{call.sid}", auth=account.auth)
    assert response.status_code == 200
    assert response.json()["Call"]["Sid"] == call.sid


def test_given_recording_url_validity_when_get_then_presigned_url_or_400(
    client: httpx.Client, account: AccountFixture
) -> None:
    (call,) = account.add_calls(make_call(account, recording_path=f"exotelrecordings/{account.sid}/r.mp3"))
    url = f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json"
    body = client.get(url, params={"RecordingUrlValidity": "10"}, auth=account.auth).json()["Call"]
    assert "Expires=" in body["PreSignedRecordingUrl"] and "Signature=" in body["PreSignedRecordingUrl"]
    for bad in ("4", "61", "ten"):
        response = client.get(url, params={"RecordingUrlValidity": bad}, auth=account.auth)
        assert response.status_code == 400
        assert "RecordingUrlValidity" in response.json()["RestException"]["Message"]


def test_given_bad_details_flag_when_get_then_400(client: httpx.Client, account: AccountFixture) -> None:
    response = client.get(f"/v1/Accounts/{account.sid}/Calls/abc.json?details=maybe", auth=account.auth)
    assert response.status_code == 400
    assert "details" in response.json()["RestException"]["Message"]


def test_given_a_wrong_method_or_unknown_path_when_request_then_rest_exception(
    client: httpx.Client, account: AccountFixture
) -> None:
    response = client.delete(f"/v1/Accounts/{account.sid}/Calls/abc.json", auth=account.auth)
    assert response.status_code == 405
    assert response.json()["RestException"]["Status"] == 405
    response = client.get(f"/v1/Accounts/{account.sid}/Nothing", auth=account.auth)
    assert response.status_code == 404
    assert ET.fromstring(response.content).findtext("RestException/Status") == "404"


def _full_app_answer(client: httpx.Client, path: str, auth: httpx.BasicAuth) -> httpx.Response:
    """The same request, answered by the Starlette route: a query string (an unknown parameter, which
    the route ignores) keeps it off the raw fast path."""
    return client.get(path, params={"Ignored": "1"}, auth=auth)


def test_the_fast_path_answers_byte_for_byte_as_the_route(
    client: httpx.Client, account: AccountFixture
) -> None:
    """Plain details requests are answered by ``fast_details.py`` without Starlette's routing; every
    shape of call, in both formats, must come out exactly as the route renders it."""
    calls = account.add_calls(
        make_call(account),
        make_call(account, recording_path=f"exotelrecordings/{account.sid}/y.mp3", caller_name="A & B <co>"),
        make_call(account, status="in-progress", end_time=None, duration=None, price_micros=None),
        make_call(account, status="no-answer", to_number=None, answered_by=None, parent_call_sid="p1"),
        make_call(account, from_number="+14155550100", forwarded_from="+919800000000", price_micros=0),
    )
    for call in calls:
        for suffix in (".json", ""):
            path = f"/v1/Accounts/{account.sid}/Calls/{call.sid}{suffix}"
            fast, full = client.get(path, auth=account.auth), _full_app_answer(client, path, account.auth)
            assert fast.status_code == full.status_code == 200
            assert fast.content == full.content, path
            assert fast.headers["content-type"] == full.headers["content-type"]
            assert fast.headers["content-length"] == full.headers["content-length"]


def test_the_fast_path_reads_the_row_every_time(
    client: httpx.Client, account: AccountFixture, server: LiveServer
) -> None:
    """No rendered body is kept between requests: a live call that the engine updates (status, times,
    price) is shown as stored at the moment of the request, and a deleted call is gone at once."""
    (call,) = account.add_calls(
        make_call(account, status="in-progress", end_time=None, duration=None, price_micros=None)
    )
    path = f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json"
    assert client.get(path, auth=account.auth).json()["Call"]["Status"] == "in-progress"
    with server.db.engine.begin() as conn:
        conn.execute(
            update(calls_table)
            .where(calls_table.c.sid == call.sid)
            .values(
                status="completed",
                date_updated=call.date_updated + 1000,
                end_time=call.date_created + 30_000,
                duration=29,
                price_micros=750_000,
            )
        )
    body = client.get(path, auth=account.auth).json()["Call"]
    assert (body["Status"], body["Duration"], body["Price"]) == ("completed", "29", "0.750")
    assert body["DateUpdated"] == ms_to_ist(call.date_updated + 1000)
    with server.db.engine.begin() as conn:
        conn.execute(delete(calls_table).where(calls_table.c.sid == call.sid))
    assert client.get(path, auth=account.auth).status_code == 404


def test_the_fast_path_gives_way_on_first_use_of_a_credential_and_on_errors(
    client: httpx.Client, account: AccountFixture, server: LiveServer
) -> None:
    """A credential not yet verified, a wrong one, another account's, an unknown call: each answered as
    the route answers it."""
    (call,) = account.add_calls(make_call(account))
    server.services.credentials.forget()
    path = f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json"
    assert client.get(path, auth=account.auth).status_code == 200  # verified by the route, then cached
    assert client.get(path, auth=httpx.BasicAuth(account.api_key, "wrong")).status_code == 401
    other = make_account(server.db)
    response = client.get(f"/v1/Accounts/{other.sid}/Calls/{call.sid}.json", auth=account.auth)
    assert response.status_code == 403
    missing = client.get(f"/v1/Accounts/{account.sid}/Calls/{'f' * 32}.json", auth=account.auth)
    assert missing.status_code == 404
    assert missing.json() == {"RestException": {"Status": 404, "Message": "No matching results"}}
    assert missing.content == _full_app_answer(client, missing.request.url.path, account.auth).content
