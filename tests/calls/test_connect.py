"""``POST Calls/connect`` through HTTP: the response, the call's life on the simulated network
driven by the virtual clock, lenient parsing as real clients send, and every validation rule."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.calls_api import (
    ADMIN,
    ANSWER,
    BUSY,
    FAIL,
    MACHINE,
    NEVER,
    SLOW,
    STAYS,
    advance,
    connect,
    details,
    events,
    place,
)
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer

SEED_KEYS = [
    "Sid", "ParentCallSid", "DateCreated", "DateUpdated", "AccountSid", "To", "From", "PhoneNumberSid",
    "Status", "StartTime", "EndTime", "Duration", "Price", "Direction", "AnsweredBy", "ForwardedFrom",
    "CallerName", "Uri", "RecordingUrl",
]  # fmt: skip


def _listed(client: httpx.Client, account: AccountFixture) -> list[dict]:  # type: ignore[type-arg]
    response = client.get(f"/v1/Accounts/{account.sid}/Calls.json?PageSize=100", auth=account.auth)
    assert response.status_code == 200, response.text
    calls: list[dict] = response.json()["Calls"]  # type: ignore[type-arg]
    return calls


def test_connect_answers_the_initial_call_object(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    call = place(engine_client, engine_account, From=ANSWER, To=MACHINE)
    assert list(call) == SEED_KEYS
    assert call["Status"] == "in-progress"
    assert call["Direction"] == "outbound-api"
    assert call["From"] == "09999900001" and call["To"] == "09999900005"
    assert call["PhoneNumberSid"] == engine_account.exophone_local
    assert call["EndTime"] is None and call["Duration"] is None and call["Price"] is None
    assert call["Uri"] == f"/v1/Accounts/{engine_account.sid}/Calls/{call['Sid']}"
    assert call["DateCreated"] == call["StartTime"]
    # Visible at once in details; not in the bulk list while it is live.
    assert details(engine_client, engine_account, call["Sid"])["Status"] == "in-progress"
    assert _listed(engine_client, engine_account) == []


def test_a_full_call_ends_consistent(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    call = place(engine_client, engine_account, From=ANSWER, To=ANSWER, CustomField="order-1")
    advance(engine_client, 30)
    live = details(engine_client, engine_account, call["Sid"])
    assert live["Status"] == "in-progress"
    assert live["Details"]["Leg1Status"] == "in-progress" and live["Details"]["Leg2Status"] == "in-progress"
    advance(engine_client, 60)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == "completed"
    assert done["Duration"] == "62" and done["Price"] == "1.000"  # two legs, one pulse each at 0.50
    assert done["AnsweredBy"] == "human"
    assert done["Details"] == {
        "ConversationDuration": 58,
        "Leg1Status": "completed",
        "Leg2Status": "completed",
        "Legs": [{"Leg": {"Id": "1", "OnCallDuration": 60}}, {"Leg": {"Id": "2", "OnCallDuration": 58}}],
    }
    assert done["ForwardedFrom"] == "" and done["RecordingUrl"] == ""
    assert [c["Sid"] for c in _listed(engine_client, engine_account)] == [call["Sid"]]
    names = events(engine_client, call["Sid"])
    assert names[0] == "call.created" and names[-2:] == ["call.completed", "call.settled"]


@pytest.mark.parametrize(
    ("leg1", "leg2", "status", "leg2_status"),
    [
        (BUSY, ANSWER, "busy", None),
        (FAIL, ANSWER, "failed", None),
        (NEVER, ANSWER, "no-answer", None),
        (ANSWER, BUSY, "busy", "busy"),
        (ANSWER, NEVER, "no-answer", "no-answer"),
        (ANSWER, FAIL, "failed", "failed"),
        (ANSWER, MACHINE, "completed", "completed"),
    ],
)
def test_every_outcome(
    engine_client: httpx.Client,
    engine_account: AccountFixture,
    leg1: str,
    leg2: str,
    status: str,
    leg2_status: str | None,
) -> None:
    call = place(engine_client, engine_account, From=leg1, To=leg2, TimeOut="20")
    advance(engine_client, 200)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == status
    assert done["Details"]["Leg2Status"] == leg2_status
    if status != "completed":
        assert done["Details"]["ConversationDuration"] == 0


def test_time_limit_and_timeout(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    limited = place(engine_client, engine_account, From=STAYS, To=STAYS, TimeLimit="45")
    slow = place(engine_client, engine_account, From=SLOW, To=ANSWER, TimeOut="10")
    advance(engine_client, 120)
    assert details(engine_client, engine_account, limited["Sid"])["Duration"] == "47"  # 2 s ringing + 45 s
    assert details(engine_client, engine_account, slow["Sid"])["Status"] == "no-answer"


def test_connect_xml_without_suffix(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    response = connect(engine_client, engine_account, suffix="", From=ANSWER, To=ANSWER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<TwilioResponse><Call><Sid>" in response.text and "<EndTime></EndTime>" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "http://my.exotel.com/{sid}/exoml/start_voice/4321",
        "http://my.exotel.com/exoml/start_voice/4321",
        "http://my.exotel.in/exoml/start/4321",
        "https://my.exotel.in/exoml/start/4321",
    ],
)
def test_connect_to_a_flow(engine_client: httpx.Client, engine_account: AccountFixture, url: str) -> None:
    call = place(
        engine_client, engine_account, From="+919999910020", Url=url.format(sid=engine_account.sid), To=ANSWER
    )
    assert (
        call["To"] == engine_account.exophone_local
    )  # the ExoPhone even with To given (docs/api-choices.md §Conflicts)
    advance(engine_client, 60)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == "completed" and done["Details"]["Leg2Status"] is None
    assert "flow.started" in events(engine_client, call["Sid"])


def _post(client: httpx.Client, account: AccountFixture, **kwargs: object) -> httpx.Response:
    return client.post(f"/v1/Accounts/{account.sid}/Calls/connect.json", auth=account.auth, **kwargs)  # type: ignore[arg-type]


def test_lenient_request_forms(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    exo = engine_account.exophones[0]
    forms = [
        _post(
            engine_client,
            engine_account,
            files={"From": (None, ANSWER), "To": (None, ANSWER), "CallerId": (None, exo)},
        ),
        _post(
            engine_client,
            engine_account,
            json={"From": ANSWER, "To": ANSWER, "CallerId": exo, "Record": True},
        ),
        _post(
            engine_client,
            engine_account,
            content=f"From={ANSWER}&To={ANSWER}&CallerId={exo}".replace("+", "%2B"),
        ),
        _post(engine_client, engine_account, params={"From": ANSWER, "To": ANSWER, "CallerId": exo}),
        _post(
            engine_client,
            engine_account,
            data={
                "from": "09999900001",
                "to": "9999900001",
                "Callerid": engine_account.exophone_local,
                "Timelimit": "0",
                "TimeOut": "",
                "StatusCallback": "",
                "CustomField": "",
                "Record": "False",
                "StatusCallbackMethod": "POST",
                "__RequestedServerCode": "x",
            },
        ),  # fmt: skip
        engine_client.post(
            f"/v1/Accounts/{engine_account.sid}//Calls/connect.json/",
            data={"From": ANSWER, "To": ANSWER, "CallerId": exo},
            auth=engine_account.auth,
        ),
    ]
    for response in forms:
        assert response.status_code == 200, response.text
        assert response.json()["Call"]["From"] == "09999900001"


def test_body_wins_over_query(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    response = _post(
        engine_client,
        engine_account,
        params={"To": BUSY},
        data={"From": ANSWER, "To": ANSWER, "CallerId": engine_account.exophones[0]},
    )
    assert response.json()["Call"]["To"] == "09999900001"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"To": ANSWER}, "From is required"),
        ({"From": ANSWER, "To": ANSWER, "CallerId": ""}, "CallerId is required"),
        ({"From": ANSWER}, "either To (a number) or Url (a flow) is required"),
        ({"From": ANSWER, "To": ANSWER, "CallerId": "+918000000000"}, "is not an ExoPhone of account"),
        ({"From": ANSWER, "To": ANSWER, "TimeLimit": "14401"}, "TimeLimit must be a whole number"),
        ({"From": ANSWER, "To": ANSWER, "TimeLimit": "abc"}, "TimeLimit must be a whole number"),
        ({"From": ANSWER, "To": ANSWER, "TimeOut": "-5"}, "TimeOut must be a whole number"),
        ({"From": ANSWER, "To": ANSWER, "CustomField": "x" * 129}, "CustomField must be at most 128"),
        ({"From": ANSWER, "To": ANSWER, "RecordingChannels": "stereo"}, "RecordingChannels must be one of"),
        ({"From": ANSWER, "To": ANSWER, "RecordingFormat": "wav"}, "RecordingFormat must be one of"),
        ({"From": ANSWER, "To": ANSWER, "Record": "maybe"}, "Record must be true or false"),
        ({"From": ANSWER, "To": ANSWER, "CallType": "promo2"}, "CallType must be trans"),
        ({"From": "12", "To": ANSWER}, "From: "),
        ({"From": ANSWER, "To": ANSWER, "TimeLimit": "²"}, "TimeLimit must be a whole number"),
        ({"From": ANSWER, "To": ANSWER, "CustomField": "a\x00b"}, "CustomField contains a control character"),
        ({"From": ANSWER, "To": "sip:a\x00b@x"}, "To contains a control character"),
        ({"From": "sip:" + "a" * 200 + "@x.example", "To": ANSWER}, "From is longer than 100 characters"),
        ({"From": ANSWER, "To": "not a number"}, "To: "),
        ({"From": ANSWER, "Url": "http://example.com/flow"}, "Url must be a flow URL"),
        ({"From": ANSWER, "To": ANSWER, "StatusCallback": "ftp://x/y"}, "StatusCallback"),
        ({"From": ANSWER, "To": ANSWER, "StatusCallbackEvents[0]": "ringing"}, "unknown event 'ringing'"),
        (
            {"From": ANSWER, "To": ANSWER, "StatusCallbackContentType": "text/xml"},
            "StatusCallbackContentType",
        ),
    ],
)
def test_bad_requests_create_nothing(
    engine_client: httpx.Client, engine_account: AccountFixture, params: dict[str, str], message: str
) -> None:
    for suffix in (".json", ""):
        response = connect(engine_client, engine_account, suffix=suffix, **params)
        assert response.status_code == 400, response.text
        if suffix:
            assert response.json()["RestException"]["Status"] == 400
            assert message in response.json()["RestException"]["Message"]
        else:
            assert "<RestException><Status>400</Status>" in response.text
    advance(engine_client, 300)
    assert _listed(engine_client, engine_account) == []


def test_malformed_bodies_are_400(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    bad_json = _post(
        engine_client, engine_account, content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400 and "not valid JSON" in bad_json.json()["RestException"]["Message"]
    array = _post(engine_client, engine_account, content=b"[1]", headers={"content-type": "application/json"})
    assert array.status_code == 400
    binary = _post(
        engine_client,
        engine_account,
        content=b"\xff\xfe",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 400


def test_connect_needs_the_account_credentials(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    other = make_account(engine_server.db)
    response = engine_client.post(
        f"/v1/Accounts/{engine_account.sid}/Calls/connect.json",
        data={"From": ANSWER, "To": ANSWER, "CallerId": engine_account.exophones[0]},
        auth=other.auth,
    )
    assert response.status_code in (401, 403)
    assert _listed(engine_client, engine_account) == []


def test_legacy_sid_auth_and_a_foreign_call_stays_hidden(
    engine_client: httpx.Client, engine_account: AccountFixture, engine_server: LiveServer
) -> None:
    response = engine_client.post(
        f"/v1/Accounts/{engine_account.sid}/Calls/connect.json",
        data={"From": ANSWER, "To": ANSWER, "CallerId": engine_account.exophones[0]},
        auth=(engine_account.sid, engine_account.api_token),
    )
    assert response.status_code == 200
    other = make_account(engine_server.db)
    sid = response.json()["Call"]["Sid"]
    hidden = engine_client.get(f"/v1/Accounts/{other.sid}/Calls/{sid}.json", auth=other.auth)
    assert hidden.status_code == 404


def test_hundreds_of_calls_without_sleeping(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    numbers = [ANSWER, BUSY, NEVER, FAIL, MACHINE]
    placed = [place(engine_client, engine_account, From=ANSWER, To=numbers[i % 5])["Sid"] for i in range(200)]
    advance(engine_client, 400)
    listed = []
    url: str | None = f"/v1/Accounts/{engine_account.sid}/Calls.json?PageSize=100"
    while url:
        page = engine_client.get(url, auth=engine_account.auth).json()
        listed += page["Calls"]
        url = page["Metadata"]["NextPageUri"] or None
    assert sorted(c["Sid"] for c in listed) == sorted(placed)
    statuses = {c["Sid"]: c["Status"] for c in listed}
    expected = ["completed", "busy", "no-answer", "failed", "completed"]
    assert all(statuses[sid] == expected[i % 5] for i, sid in enumerate(placed))


def test_events_feed_needs_the_admin_token(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    call = place(engine_client, engine_account, From=ANSWER, To=ANSWER)
    assert engine_client.get(f"/admin/calls/{call['Sid']}/events").status_code == 401
    wrong = engine_client.get(f"/admin/calls/{call['Sid']}/events", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "authentication-failed"
    assert engine_client.get("/admin/calls/unknown/events", headers=ADMIN).status_code == 404


def test_admin_clock_rules(engine_client: httpx.Client) -> None:
    clock = engine_client.get("/admin/clock", headers=ADMIN).json()
    assert clock["mode"] == "virtual"
    for bad in ({"seconds": -1}, {"seconds": "soon"}, {}):
        response = engine_client.post("/admin/clock/advance", json=bad, headers=ADMIN)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid-parameter"
    after = advance(engine_client, 1.5)
    assert after["now_ms"] >= clock["now_ms"] + 1500


def test_scenarios_drive_outcomes(engine_client: httpx.Client, engine_account: AccountFixture) -> None:
    rules = {"rules": [{"match": "+9198765*", "answer": 0, "busy": 1, "no_answer": 0, "fail": 0}]}
    assert engine_client.put("/admin/scenario", json=rules, headers=ADMIN).status_code == 200
    try:
        call = place(engine_client, engine_account, From="+919876500001", To=ANSWER)
        advance(engine_client, 30)
        assert details(engine_client, engine_account, call["Sid"])["Status"] == "busy"
        bad = engine_client.put(
            "/admin/scenario", json={"rules": [{"match": "+91*", "answr": 1}]}, headers=ADMIN
        )
        assert bad.status_code == 400 and "unknown field 'answr'" in bad.json()["error"]["message"]
        assert engine_client.get("/admin/scenario", headers=ADMIN).json() == rules
    finally:
        engine_client.put("/admin/scenario", json={"rules": []}, headers=ADMIN)


def test_a_call_over_before_it_is_stored_is_counted(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    """Busy at once (no ringing): the call is final when the engine first stores it, and the rollups
    that answer Total for whole hours must count it then."""
    rules = {
        "rules": [
            {"match": "+9198766*", "ring_seconds": [0, 0], "busy": 1, "answer": 0, "no_answer": 0, "fail": 0}
        ]
    }
    assert engine_client.put("/admin/scenario", json=rules, headers=ADMIN).status_code == 200
    try:
        call = place(engine_client, engine_account, From="+919876600001", To=ANSWER)
        assert call["Status"] == "busy"
        advance(engine_client, 3 * 3600)  # the call's hour is now whole: Total comes from the rollup
        page = engine_client.get(
            f"/v1/Accounts/{engine_account.sid}/Calls.json", auth=engine_account.auth
        ).json()
        assert [c["Sid"] for c in page["Calls"]] == [call["Sid"]]
        assert page["Metadata"]["Total"] == 1
        filtered = engine_client.get(
            f"/v1/Accounts/{engine_account.sid}/Calls.json?Duration=lte:10s&Price=lte:5",
            auth=engine_account.auth,
        ).json()
        assert filtered["Metadata"]["Total"] == len(filtered["Calls"]) == 1
    finally:
        engine_client.put("/admin/scenario", json={"rules": []}, headers=ADMIN)


def test_status_callback_event_spellings_are_accepted(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    exo = engine_account.exophones[0]
    base = {"From": ANSWER, "To": ANSWER, "CallerId": exo, "StatusCallback": "http://127.0.0.1:9/cb"}
    spellings: list[dict[str, object]] = [
        {"data": {**base, "StatusCallbackEvents[0]": "terminal", "StatusCallbackEvents[1]": "answered"}},
        {"data": {**base, "StatusCallbackEvents[]": "Terminal"}},
        {"data": {**base, "StatusCallbackEvents": ["terminal", "answered"]}},  # repeated
        {"data": {**base, "StatusCallbackEvents": "terminal,answered"}},
        {"json": {**base, "StatusCallbackEvents": ["terminal", "answered"]}},
        {"data": {**base, "StatusCallbackEvent": "terminal"}},
        {"data": {**base, "StatusCallbackEvents": json.dumps(["answered"])}},
    ]
    for kwargs in spellings:
        response = _post(engine_client, engine_account, **kwargs)
        assert response.status_code == 200, (kwargs, response.text)
