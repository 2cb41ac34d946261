"""Flows through HTTP: defined with the admin API, run by ``Calls/connect`` with a flow Url on the
virtual clock — greetings, IVR menus (keys from scenario rules), Passthru against a real local
HTTP server, Connect trying numbers in order, voicemail — and every validation rule."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import miniaudio
import pytest

from tests.support.calls_api import ADMIN, ANSWER, BUSY, NEVER, STAYS, advance, details, events, place
from tests.support.factories import AccountFixture, make_account
from tests.support.receiver import Receiver, Reply

CALLER = "+919999910900"  # answers after 2 s, hangs up 900 s later: long enough for any flow here


def put_flow(
    client: httpx.Client, account: AccountFixture, app_id: str, flow: dict[str, Any]
) -> httpx.Response:
    return client.put(f"/admin/accounts/{account.sid}/flows/{app_id}", json=flow, headers=ADMIN)


def define(client: httpx.Client, account: AccountFixture, app_id: str, applets: list[dict[str, Any]]) -> str:
    response = put_flow(client, account, app_id, {"name": app_id, "applets": applets})
    assert response.status_code == 200, response.text
    return f"http://my.exotel.com/{account.sid}/exoml/start_voice/{app_id}"


def test_the_admin_api_hands_out_the_flow_url_with_the_account_sid(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    """The URL the admin API returns is the documented form, and connecting to it runs the flow."""
    response = put_flow(
        engine_client, engine_account, "hello", {"applets": [{"id": "hi", "type": "greeting", "text": "Hi"}]}
    )
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert url == f"http://my.exotel.com/{engine_account.sid}/exoml/start_voice/hello"
    listed = engine_client.get(f"/admin/accounts/{engine_account.sid}/flows", headers=ADMIN).json()
    assert [flow["url"] for flow in listed["flows"]] == [url]
    call = place(engine_client, engine_account, From=CALLER, Url=url)
    assert call["Sid"]


def callers_press(client: httpx.Client, number: str, keys: list[str]) -> None:
    rules = [{"match": number, "press": keys, "think_seconds": [1, 1]}]
    assert client.put("/admin/scenario", json={"rules": rules}, headers=ADMIN).status_code == 200


def support_flow(receiver: Receiver, agent: str = ANSWER) -> list[dict[str, Any]]:
    return [
        {"id": "welcome", "type": "greeting", "text": "Welcome to Acme", "duration_seconds": 3},
        {
            "id": "menu",
            "type": "ivr",
            "prompt": "Press 1 for sales, 2 for support",
            "duration_seconds": 4,
            "timeout_seconds": 5,
            "branches": {"1": "check", "2": "support"},
            "default": "bye",
        },
        {"id": "check", "type": "passthru", "url": receiver.url, "on_success": "sales", "on_failure": "vm"},
        {"id": "sales", "type": "connect", "numbers": [agent], "record": True, "next": "bye"},
        {
            "id": "support",
            "type": "connect",
            "numbers": [BUSY, NEVER, agent],
            "ring_timeout_seconds": 10,
            "next": "bye",
        },
        {"id": "vm", "type": "voicemail", "max_seconds": 20, "next": "bye"},
        {"id": "bye", "type": "hangup"},
    ]


def test_ivr_passthru_and_connect(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    url = define(engine_client, engine_account, "support", support_flow(receiver))
    callers_press(engine_client, CALLER, ["1"])
    call = place(engine_client, engine_account, From=CALLER, Url=url, CustomField="ticket-9")
    advance(engine_client, 100)

    [request] = receiver.received
    assert request.method == "GET" and request.path.startswith("/callback?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query, keep_blank_values=True).items()}
    assert query["CallSid"] == call["Sid"] and query["digits"] == '"1"'
    assert query["CallFrom"] == "09999910900" and query["CallTo"] == engine_account.exophone_local
    assert query["Direction"] == "outbound-dial" and query["CallType"] == "call-attempt"
    assert query["CustomField"] == "ticket-9" and query["flow_id"] == "support"
    assert query["tenant_id"] == engine_account.sid and query["EndTime"] == "1970-01-01 05:30:00"
    assert query["CurrentTime"] >= query["StartTime"] >= query["Created"]

    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == "completed" and done["To"] == engine_account.exophone_local
    # Leg 1 answers at 2 s; greeting 3 s; prompt 4 s; key at 10 s; Passthru answers at once; the
    # agent answers 2 s later (12 s) and hangs up after 60 s (72 s): then the flow hangs up.
    assert done["Details"]["Legs"] == [
        {"Leg": {"Id": "1", "OnCallDuration": 70}},
        {"Leg": {"Id": "2", "OnCallDuration": 60}},
    ]
    assert done["Details"]["ConversationDuration"] == 60 and done["Duration"] == "72"
    assert done["RecordingUrl"].endswith(f"/exotelrecordings/{engine_account.sid}/{call['Sid']}.mp3")
    names = events(engine_client, call["Sid"])
    order = ["flow.started", "ivr.prompt", "ivr.keys", "passthru.reply", "leg2.dialing", "call.bridged"]
    assert [n for n in names if n in order] == order
    assert names.count("flow.applet") == 5  # welcome, menu, check, sales, bye

    log = engine_client.get(f"/admin/calls/{call['Sid']}/flow-requests", headers=ADMIN).json()["requests"]
    assert [(r["applet"], r["state"], r["response_status"]) for r in log] == [("check", "done", 200)]


def test_passthru_302_leads_to_voicemail_which_is_recorded(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    receiver.default = Reply(302)
    url = define(engine_client, engine_account, "vm302", support_flow(receiver))
    callers_press(engine_client, CALLER, ["1"])
    call = place(engine_client, engine_account, From=CALLER, Url=url)
    advance(engine_client, 120)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == "completed" and done["Details"]["Leg2Status"] is None
    names = events(engine_client, call["Sid"])
    assert "voicemail.recorded" in names and "leg2.dialing" not in names
    assert done["RecordingUrl"].endswith(f"{call['Sid']}.mp3")

    # The file holds the message: from entering the voicemail applet to the caller finishing.
    timeline = engine_client.get(f"/admin/calls/{call['Sid']}/events", headers=ADMIN).json()["events"]
    began = next(e["at_ms"] for e in timeline if e["detail"].get("applet") == "vm")
    ended = next(e["at_ms"] for e in timeline if e["name"] == "voicemail.recorded")
    audio = engine_client.get(urlsplit(done["RecordingUrl"]).path, auth=engine_account.auth)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    decoded = miniaudio.mp3_read_s16(audio.content)
    assert decoded.nchannels == 1
    assert abs(decoded.num_frames / decoded.sample_rate - (ended - began) / 1000) < 0.3


@pytest.mark.parametrize(
    ("reply", "error"),
    [(Reply(200, delay_s=3), "timeout"), (Reply(500), None)],
)
def test_passthru_timeout_or_error_takes_the_failure_branch(
    engine_client: httpx.Client,
    engine_account: AccountFixture,
    receiver: Receiver,
    reply: Reply,
    error: str | None,
) -> None:
    receiver.default = reply
    applets = support_flow(receiver)
    applets[2]["timeout_seconds"] = 1
    url = define(engine_client, engine_account, "slow", applets)
    callers_press(engine_client, CALLER, ["1"])
    call = place(engine_client, engine_account, From=CALLER, Url=url)
    advance(engine_client, 120)
    assert "voicemail.recorded" in events(engine_client, call["Sid"])
    [logged] = engine_client.get(f"/admin/calls/{call['Sid']}/flow-requests", headers=ADMIN).json()[
        "requests"
    ]
    if error:
        assert logged["response_status"] is None and logged["error"].startswith(error)
    else:
        assert logged["response_status"] == 500


def test_connect_tries_each_number_in_order(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    url = define(engine_client, engine_account, "support2", support_flow(receiver))
    callers_press(engine_client, CALLER, ["2"])
    call = place(engine_client, engine_account, From=CALLER, Url=url)
    advance(engine_client, 150)
    done = details(engine_client, engine_account, call["Sid"])
    legs = done["Details"]["Legs"]
    assert [leg["Leg"]["Id"] for leg in legs] == ["1", "2", "3", "4"]
    assert done["Details"]["Leg2Status"] == "busy"
    assert [leg["Leg"]["OnCallDuration"] for leg in legs[1:]] == [0, 0, 60]
    assert done["Details"]["ConversationDuration"] == 60
    assert done["RecordingUrl"] == ""  # the support Connect does not record
    assert receiver.received == []


def test_no_input_replays_the_prompt_then_takes_the_default(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    url = define(engine_client, engine_account, "silent", support_flow(receiver))
    callers_press(engine_client, CALLER, ["", "9"])  # silence, then a key the menu does not offer
    call = place(engine_client, engine_account, From=CALLER, Url=url)
    advance(engine_client, 60)
    names = events(engine_client, call["Sid"])
    assert names.count("ivr.prompt") == 2
    assert "ivr.no-input" in names and "ivr.invalid" in names and "ivr.keys" not in names
    done = details(engine_client, engine_account, call["Sid"])
    # 2 s ring + 3 s greeting + (4 s prompt + 5 s timeout) + 4 s prompt + 1 s to the wrong key.
    assert done["Status"] == "completed" and done["Duration"] == "19"


def test_caller_hanging_up_ends_the_flow(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    url = define(engine_client, engine_account, "impatient", support_flow(receiver))
    call = place(engine_client, engine_account, From="+919999910004", Url=url)  # hangs up 4 s after answering
    advance(engine_client, 60)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == "completed" and done["Duration"] == "6"
    assert done["Details"]["Legs"] == [{"Leg": {"Id": "1", "OnCallDuration": 4}}]
    assert receiver.received == [] and "ivr.prompt" in events(engine_client, call["Sid"])


def test_keys_from_weighted_rules_are_deterministic(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    applets = [
        {"id": "menu", "type": "ivr", "duration_seconds": 1, "branches": {"1": "a", "2": "b"}, "attempts": 1},
        {"id": "a", "type": "hangup"},
        {"id": "b", "type": "hangup"},
    ]
    url = define(engine_client, engine_account, "coin", applets)
    rules = [{"match": STAYS, "keys": {"1": 1, "2": 1}}]
    assert engine_client.put("/admin/scenario", json={"rules": rules}, headers=ADMIN).status_code == 200
    sids = [place(engine_client, engine_account, From=STAYS, Url=url)["Sid"] for _ in range(30)]
    advance(engine_client, 30)
    pressed = [[n for n in events(engine_client, sid) if n == "ivr.keys"] for sid in sids]
    assert all(p == ["ivr.keys"] for p in pressed)  # every caller pressed 1 or 2
    keys = [
        e["detail"]["keys"]
        for sid in sids
        for e in engine_client.get(f"/admin/calls/{sid}/events", headers=ADMIN).json()["events"]
        if e["name"] == "ivr.keys"
    ]
    assert set(keys) == {"1", "2"}  # 30 fair coins: both sides come up


def test_an_undefined_flow_keeps_the_caller_until_they_hang_up(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    call = place(
        engine_client,
        engine_account,
        From="+919999910020",
        Url=f"http://my.exotel.com/{engine_account.sid}/exoml/start_voice/nope",
    )
    advance(engine_client, 60)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Status"] == "completed" and done["Details"]["Legs"] == [
        {"Leg": {"Id": "1", "OnCallDuration": 20}}
    ]


def test_a_running_call_keeps_the_flow_it_started_with(
    engine_client: httpx.Client, engine_account: AccountFixture, receiver: Receiver
) -> None:
    url = define(
        engine_client,
        engine_account,
        "edit",
        [{"id": "hello", "type": "greeting", "text": "hi", "duration_seconds": 30}],
    )
    call = place(engine_client, engine_account, From=STAYS, Url=url)
    advance(engine_client, 5)
    define(engine_client, engine_account, "edit", [{"id": "other", "type": "hangup"}])
    advance(engine_client, 60)
    done = details(engine_client, engine_account, call["Sid"])
    assert done["Details"]["Legs"] == [{"Leg": {"Id": "1", "OnCallDuration": 30}}]


# --- the admin API for flows ---


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"applets": []}, "applets must be a list of 1 to 100 applets"),
        ({"applets": [{"id": "a", "type": "dance"}]}, "applet 'a': type must be one of"),
        ({"applets": [{"id": "a", "type": "hangup", "colour": 1}]}, "unknown field 'colour'"),
        (
            {"applets": [{"id": "a", "type": "ivr", "branches": {"1": "zz"}}]},
            "names 'zz', which is not an applet",
        ),
        ({"applets": [{"id": "a", "type": "ivr", "branches": {"x": "a"}}]}, "branch key 'x'"),
        ({"applets": [{"id": "a", "type": "passthru", "url": "ftp://x"}]}, "url must be an http(s) URL"),
        ({"applets": [{"id": "a", "type": "connect", "numbers": ["12"]}]}, "is not a possible phone number"),
        ({"applets": [{"id": "a", "type": "greeting"}]}, "a greeting needs text or audio_url"),
        ({"applets": [{"id": "a", "type": "hangup"}, {"id": "a", "type": "hangup"}]}, "'a' is used twice"),
        ({"applets": [{"id": "a", "type": "voicemail", "max_seconds": 0}]}, "max_seconds must be between"),
        ([1, 2], "a flow must be an object"),
    ],
)
def test_bad_flows_are_400_naming_the_applet(
    engine_client: httpx.Client, engine_account: AccountFixture, document: Any, message: str
) -> None:
    response = engine_client.put(
        f"/admin/accounts/{engine_account.sid}/flows/f1", json=document, headers=ADMIN
    )
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]
    assert (
        engine_client.get(f"/admin/accounts/{engine_account.sid}/flows/f1", headers=ADMIN).status_code == 404
    )


def test_flows_in_yaml_listed_assigned_and_deleted(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    body = "name: Hello\napplets:\n  - id: hi\n    type: greeting\n    text: Hello there\n"
    base = f"/admin/accounts/{engine_account.sid}"
    local, e164 = engine_account.exophone_local, engine_account.exophone
    put = engine_client.put(
        f"{base}/flows/yml", content=body, headers={**ADMIN, "Content-Type": "application/yaml"}
    )
    assert put.status_code == 200 and put.json()["created"] is True
    assert put.json()["applets"] == [{"id": "hi", "type": "greeting", "text": "Hello there"}]
    bad = engine_client.put(
        f"{base}/flows/yml", content="applets: [", headers={**ADMIN, "Content-Type": "text/yaml"}
    )
    assert bad.status_code == 400 and "not valid YAML" in bad.json()["error"]["message"]
    assert [f["app_id"] for f in engine_client.get(f"{base}/flows", headers=ADMIN).json()["flows"]] == ["yml"]

    assign = engine_client.put(f"{base}/exophones/{local}/flow", json={"app_id": "yml"}, headers=ADMIN)
    assert assign.status_code == 200 and assign.json()["exophone"] == e164
    assert engine_client.get(f"{base}/flows/yml", headers=ADMIN).json()["exophones"] == [e164]
    in_use = engine_client.delete(f"{base}/flows/yml", headers=ADMIN)
    assert in_use.status_code == 409 and e164 in in_use.json()["error"]["message"]
    not_ours = engine_client.put(
        f"{base}/exophones/+919999900001/flow", json={"app_id": "yml"}, headers=ADMIN
    )
    assert not_ours.status_code == 404
    no_flow = engine_client.put(f"{base}/exophones/{local}/flow", json={"app_id": "nope"}, headers=ADMIN)
    assert no_flow.status_code == 404

    engine_client.put(f"{base}/exophones/{local}/flow", json={"app_id": None}, headers=ADMIN)
    assert engine_client.delete(f"{base}/flows/yml", headers=ADMIN).status_code == 200
    assert engine_client.get(f"{base}/flows", headers=ADMIN).json()["flows"] == []


def test_flows_are_per_account_and_need_the_admin_token(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    other = make_account(engine_account.db)
    define(engine_client, engine_account, "mine", [{"id": "a", "type": "hangup"}])
    assert engine_client.get(f"/admin/accounts/{other.sid}/flows/mine", headers=ADMIN).status_code == 404
    assert engine_client.get(f"/admin/accounts/{engine_account.sid}/flows").status_code == 401
    assert engine_client.get("/admin/accounts/nobody/flows", headers=ADMIN).status_code == 404
