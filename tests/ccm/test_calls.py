"""CCM v2 calls end to end on both backends with a virtual network clock: make-call, call details in
Exotel's order, every v2 status driven by magic numbers, the legs link, the same call in v1, and
account isolation (docs/api-choices.md §CCM v2)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.support.calls_api import ANSWER, BUSY, FAIL, NEVER, STAYS, advance
from tests.support.ccm import add_agent, error_of, get_details, make_call, make_call_body, post_call
from tests.support.factories import make_account
from tests.support.factories import make_call as make_v1_call
from tests.support.live_server import LiveServer

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DETAIL_FIELDS = [
    "sid", "direction", "virtual_number", "state", "status", "assigned_agent_details", "customer_details",
    "created_time", "updated_time", "start_time", "end_time", "total_duration", "total_talk_time",
    "recording", "custom_field", "legs",
]  # fmt: skip
HANGS_UP_AFTER_5S = "+919999910005"
TALKS_45S = "+919999910045"


def test_given_an_agent_when_make_call_then_the_envelope_shows_an_active_call(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, "sip:asha@example.com")
    body = make_call(engine_client, account, agent, "09812345678", recording=True, custom_field="ticket_1")
    assert list(body) == ["request_id", "method", "http_code", "response"]
    assert body["method"] == "POST" and body["http_code"] == 200 and len(body["request_id"]) == 32
    made = body["response"]
    assert list(made) == [
        "call_sid", "call_state", "call_status", "assigned_agent_details", "customer_details",
        "virtual_number", "recording", "created_time",
    ]  # fmt: skip
    assert made["call_state"] == "active" and made["call_status"] is None
    assert made["assigned_agent_details"] == {
        "user_id": agent["user_id"],
        "contact_uri": "sip:asha@example.com",
    }
    assert made["customer_details"] == {"number": "+919812345678"}
    assert made["virtual_number"] == account.exophone and made["recording"] is True
    assert ISO.match(made["created_time"])


def test_given_a_completed_recorded_call_when_details_then_seed_004_fields_in_order(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, ANSWER)
    sid = make_call(engine_client, account, agent, TALKS_45S, recording=True, custom_field="ticket_12345")[
        "response"
    ]["call_sid"]
    live = get_details(engine_client, account, sid)
    assert list(live) == DETAIL_FIELDS
    assert live["state"] == "active" and live["status"] is None and live["end_time"] is None
    assert live["total_duration"] is None and live["recording"] == {"available": False, "url": None}
    advance(engine_client, 120)
    details = get_details(engine_client, account, sid)
    assert list(details) == DETAIL_FIELDS
    assert details["sid"] == sid and details["direction"] == "outbound-api"
    assert details["virtual_number"] == account.exophone
    assert (details["state"], details["status"]) == ("terminal", "completed")
    assert details["assigned_agent_details"] == {"user_id": agent["user_id"], "contact_uri": ANSWER}
    assert details["customer_details"] == {"number": TALKS_45S}
    for name in ("created_time", "updated_time", "start_time", "end_time"):
        assert ISO.match(details[name]), name
    assert (
        details["total_duration"] == 49
    )  # the agent answers after 2 s, the customer 2 s later, 45 s of talk
    assert details["total_talk_time"] == 45
    assert details["recording"]["available"] is True
    assert details["recording"]["url"].endswith(f"/exotelrecordings/{account.sid}/{sid}.mp3")
    assert details["custom_field"] == "ticket_12345"
    assert details["legs"] == f"/v2/accounts/{account.sid}/calls/{sid}/legs"


@pytest.mark.parametrize(
    ("agent_number", "customer", "expected"),
    [
        (ANSWER, TALKS_45S, "completed"),
        (BUSY, ANSWER, "agent_unanswered"),
        (NEVER, ANSWER, "agent_unanswered"),
        (FAIL, ANSWER, "agent_no_dial"),
        (STAYS, BUSY, "customer_unanswered"),
        (STAYS, NEVER, "customer_unanswered"),
        (STAYS, FAIL, "customer_no_dial"),
        (HANGS_UP_AFTER_5S, NEVER, "agent_canceled"),
    ],
)
def test_given_each_outcome_when_the_call_ends_then_its_v2_status(
    engine_client: httpx.Client, engine_server: LiveServer, agent_number: str, customer: str, expected: str
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, agent_number)
    sid = make_call(engine_client, account, agent, customer, attempt_time_out=20)["response"]["call_sid"]
    advance(engine_client, 120)
    details = get_details(engine_client, account, sid)
    assert (details["state"], details["status"]) == ("terminal", expected)
    if expected != "completed":
        assert details["total_talk_time"] == 0


def test_given_a_ccm_call_when_read_through_v1_then_from_is_the_agent_and_to_the_customer(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, ANSWER)
    sid = make_call(engine_client, account, agent, TALKS_45S, custom_field="crm-7")["response"]["call_sid"]
    advance(engine_client, 120)
    v1 = engine_client.get(f"/v1/Accounts/{account.sid}/Calls/{sid}.json", auth=account.auth).json()["Call"]
    assert (v1["From"], v1["To"], v1["PhoneNumberSid"]) == (
        "09999900001",
        "09999910045",
        account.exophone_local,
    )
    assert v1["Status"] == "completed" and v1["Direction"] == "outbound-api" and v1["Duration"] == "49"
    listed = engine_client.get(f"/v1/Accounts/{account.sid}/Calls.json", auth=account.auth).json()["Calls"]
    assert [(c["Sid"], c["From"], c["To"], c["PhoneNumber"]) for c in listed] == [
        (sid, "09999900001", "09999910045", account.exophone_local)
    ]


def test_given_a_ccm_call_when_legs_then_agent_legs_in_from_and_customer_legs_in_to(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, ANSWER, name="Asha Rao")
    sid = make_call(engine_client, account, agent, BUSY)["response"]["call_sid"]
    ringing = engine_client.get(f"/v2/accounts/{account.sid}/calls/{sid}/legs", auth=account.auth).json()
    assert [leg["status"] for leg in ringing["response"]["leg_details"]["from"]] == ["in-progress"]
    advance(engine_client, 60)
    body = engine_client.get(f"/v2/accounts/{account.sid}/calls/{sid}/legs", auth=account.auth).json()
    assert list(body) == ["request_id", "method", "http_code", "metadata", "response"]
    assert body["metadata"] is None and body["http_code"] == 200
    response = body["response"]
    assert (response["code"], response["error_data"], response["status"]) == (200, None, "success")
    legs = response["leg_details"]
    assert (legs["call_sid"], legs["account_sid"]) == (sid, account.sid)
    (agent_leg,) = legs["from"]
    (customer_leg,) = legs["to"]
    assert list(agent_leg) == ["sid", "name", "contact_uri", "date_created", "date_updated", "status"]
    assert (agent_leg["name"], agent_leg["contact_uri"], agent_leg["status"]) == (
        "Asha Rao",
        ANSWER,
        "completed",
    )
    assert list(customer_leg) == [*agent_leg, "group_id", "group_name"]
    assert (customer_leg["name"], customer_leg["contact_uri"], customer_leg["status"]) == (
        "Customer",
        BUSY,
        "no-answer",
    )
    assert customer_leg["date_created"] > agent_leg["date_created"]  # the customer is dialled on the answer
    assert ISO.match(customer_leg["date_updated"]) and agent_leg["sid"] != customer_leg["sid"]


def test_given_a_v1_call_when_read_through_ccm_then_agent_details_only_for_an_agents_number(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    stranger, agents_call = make_v1_call(account), make_v1_call(account, from_number="+919876500001")
    account.add_calls(stranger, agents_call)
    agent = add_agent(engine_client, account, "09876500001")
    plain = get_details(engine_client, account, stranger.sid)
    assert plain["assigned_agent_details"] is None
    assert (plain["state"], plain["status"], plain["total_duration"]) == ("terminal", "completed", 21)
    assert plain["customer_details"] == {"number": "+919812345678"}
    assert get_details(engine_client, account, agents_call.sid)["assigned_agent_details"] == {
        "user_id": agent["user_id"], "contact_uri": "+919876500001"
    }  # fmt: skip
    legs = engine_client.get(
        f"/v2/accounts/{account.sid}/calls/{stranger.sid}/legs", auth=account.auth
    ).json()
    assert [leg["status"] for leg in legs["response"]["leg_details"]["to"]] == ["completed"]


def test_given_another_accounts_call_when_details_or_legs_then_404(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    owner, other = make_account(engine_server.db), make_account(engine_server.db)
    agent = add_agent(engine_client, owner, ANSWER)
    sid = make_call(engine_client, owner, agent, ANSWER)["response"]["call_sid"]
    details = engine_client.get(f"/v2/accounts/{other.sid}/calls/{sid}", auth=other.auth)
    assert details.status_code == 404 and details.json()["response"]["error_data"]["code"] == 1000
    legs = engine_client.get(f"/v2/accounts/{other.sid}/calls/{sid}/legs", auth=other.auth)
    assert legs.status_code == 404 and legs.json()["response"]["error_data"]["code"] == 10744
    # another account's agent cannot be named either
    body = {
        "from": {"user_id": agent["user_id"]},
        "to": {"number": ANSWER},
        "virtual_number": other.exophones[0],
    }
    stolen = engine_client.post(f"/v2/accounts/{other.sid}/calls", json=body, auth=other.auth)
    assert stolen.status_code == 404 and stolen.json()["response"]["error_data"]["code"] == 10731


def test_given_an_agent_on_a_call_when_it_ends_then_the_agent_can_be_called_again(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, ANSWER)
    make_call(engine_client, account, agent, TALKS_45S)
    busy = engine_client.post(
        f"/v2/accounts/{account.sid}/calls",
        json={
            "from": {"user_contact_uri": "09999900001"},
            "to": {"number": ANSWER},
            "virtual_number": account.exophones[0],
        },
        auth=account.auth,
    )
    assert busy.status_code == 409 and busy.json()["response"]["error_data"]["code"] == 10706
    advance(engine_client, 120)
    again = make_call(engine_client, account, agent, TALKS_45S)
    assert again["response"]["call_state"] == "active"


def test_given_one_free_agent_when_many_make_calls_at_once_then_exactly_one_rings_it(
    engine_server: LiveServer,
) -> None:
    """The busy check and the stored call are one step per agent: requests at the same moment,
    naming the agent by user_id and by contact_uri, cannot both find it free."""
    account = make_account(engine_server.db)
    with httpx.Client(base_url=engine_server.base_url, timeout=30) as http:
        agent = add_agent(http, account, ANSWER)
        other = add_agent(http, account, "sip:ravi@example.com")
    bodies = [make_call_body(account, agent, TALKS_45S) for _ in range(6)]
    bodies += [{**body, "from": {"user_contact_uri": ANSWER}} for body in bodies[:2]]

    def post(body: dict[str, Any]) -> httpx.Response:
        with httpx.Client(base_url=engine_server.base_url, timeout=30) as http:
            return post_call(http, account, body)

    with ThreadPoolExecutor(len(bodies) + 1) as pool:
        answers = list(pool.map(post, [*bodies, make_call_body(account, other, TALKS_45S)]))
    *for_agent, for_other = answers
    assert sorted(answer.status_code for answer in for_agent) == [200] + [409] * (len(bodies) - 1)
    assert {error_of(answer) for answer in for_agent if answer.status_code == 409} == {(409, 10706)}
    assert for_other.status_code == 200  # another agent does not wait its turn behind this one


def test_given_user_contact_uri_in_any_spelling_when_make_call_then_the_agent_is_found(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, "+919999910030")
    body = {
        "from": {"user_contact_uri": "09999910030"},
        "to": {"number": "9812345678"},
        "virtual_number": account.exophone_local,
    }
    response = engine_client.post(f"/v2/accounts/{account.sid}/calls", json=body, auth=account.auth)
    assert response.status_code == 200, response.text
    made = response.json()["response"]
    assert made["assigned_agent_details"]["user_id"] == agent["user_id"]
    assert made["customer_details"] == {"number": "+919812345678"}


def test_the_envelope_request_id_is_the_answers_x_request_id(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    """One id per request (docs/api-choices.md, CCM v2): a client that logs the envelope's
    request_id finds the same id in the header, on a success, on a failure, and when it sent
    its own."""
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, "sip:ravi@example.com")
    sid = make_call(engine_client, account, agent, "09812345679")["response"]["call_sid"]
    made = engine_client.get(f"/v2/accounts/{account.sid}/calls/{sid}", auth=account.auth)
    missing = engine_client.get(f"/v2/accounts/{account.sid}/calls/{'f' * 32}", auth=account.auth)
    assert (made.status_code, missing.status_code) == (200, 404)
    for response in (made, missing):
        rid = response.json()["request_id"]
        assert len(rid) == 32 and int(rid, 16) >= 0
        assert rid == response.headers["X-Request-Id"]
    assert made.json()["request_id"] != missing.json()["request_id"]
    given = engine_client.get(
        f"/v2/accounts/{account.sid}/calls/{sid}", auth=account.auth, headers={"X-Request-Id": "trace-7.a:b"}
    )
    assert given.headers["X-Request-Id"] == given.json()["request_id"] == "trace-7.a:b"
