"""Fone Dynamics Get Calls through HTTP on both backends: tracked inbound calls placed on the
virtual clock, every filter against a hand-computed expectation, pagination, and the same call
read through v1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.calls_api import ADMIN, ANSWER, BUSY, advance
from tests.support.factories import AccountFixture, make_account, new_exophone
from tests.support.fone import CALL_FIELDS, auth, buy, calls, configure, create_property, inbound
from tests.support.live_server import LiveServer
from trunkline.domain.calls.bulk_filters import DAY_MS
from trunkline.domain.clock import ist_to_ms
from trunkline.store.schema.tracking import tracked_call_counts, tracked_call_summary
from trunkline.store.tracking.rollups import rebuild_rollup

N1, N2 = "<N1>", "<N2>"
"""Stand for the two numbers of ``tracked`` in parameters (``Tracked.real``)."""
A, B, C = "+919999910501", "+919999910502", "+918022334455"  # C: a Bangalore landline
MENU = [
    {
        "id": "menu",
        "type": "ivr",
        "duration_seconds": 2,
        "branches": {"1": "sub", "3": "thanks"},
        "attempts": 1,
        "default": "thanks",
        "timeout_seconds": 3,
    },
    {
        "id": "sub",
        "type": "ivr",
        "duration_seconds": 2,
        "branches": {"2": "dial"},
        "attempts": 1,
        "default": "thanks",
        "timeout_seconds": 3,
    },
    {"id": "dial", "type": "connect", "numbers": [BUSY], "next": "thanks"},
    {"id": "thanks", "type": "greeting", "text": "Thank you", "duration_seconds": 2},
]
RULES = [
    {"match": A, "press": ["1", "2"], "think_seconds": [1, 1]},
    {"match": B, "press": ["3"], "think_seconds": [1, 1]},
    {"match": C, "press": ["1", "9"], "think_seconds": [1, 1], "talk_seconds": {"mean": 14000, "max": 14400}},
]


@dataclass
class Tracked:
    account: AccountFixture
    property_sid: str
    sids: list[str]
    """Calls 1..5 in the order placed: A→N1, B→N2, A→N2, C→N2, B→N1."""
    numbers: dict[str, str]

    def real(self, text: str) -> str:
        """``text`` with the placeholders N1 and N2 replaced by this account's numbers."""
        for placeholder, number in self.numbers.items():
            text = text.replace(placeholder, number)
        return text


@pytest.fixture
def tracked(engine_server: LiveServer, engine_client: httpx.Client) -> Tracked:
    n1, n2 = new_exophone(), new_exophone()  # a number belongs to one account: each test's own
    account = make_account(engine_server.db)
    prop = create_property(engine_client, account)
    for number in (n1, n2):
        response = buy(engine_client, account, prop, number)
        assert response.status_code == 200 and response.json() == {"Number": number, "Status": "Active"}
    assert engine_client.put(
        f"/admin/accounts/{account.sid}/flows/menu", json={"applets": MENU}, headers=ADMIN
    ).is_success
    configure(
        engine_client,
        account,
        n1,
        Friendly="Google Ads",
        Attribution_Source="google",
        Attribution_Medium="cpc",
        Attribution_Campaign="spring",
        Attribution_Content="ad1",
        RoutingMethod="Endpoint",
        EndpointNumber=ANSWER,
        Recording="Call",
    )
    configure(
        engine_client,
        account,
        n2,
        Friendly="Organic",
        Attribution_Source="bing",
        Attribution_Medium="organic",
        RoutingMethod="Flow",
        Flow="menu",
    )
    assert engine_client.put("/admin/scenario", json={"rules": RULES}, headers=ADMIN).is_success
    sids = []
    for caller, to in ((A, n1), (B, n2), (A, n2), (C, n2), (B, n1)):
        sids.append(inbound(engine_client, account, caller, to))
        advance(engine_client, 200)
    return Tracked(account, prop, sids, {N1: n1, N2: n2})


def listed(client: httpx.Client, tracked: Tracked, **params: str) -> list[int]:
    """The 1-based numbers of the calls listed, in order (through the account and the property)."""
    account_path = f"/v2/Accounts/{tracked.account.sid}/Calls"
    by_account = calls(client, account_path, tracked.account, **params)
    by_property = calls(client, f"/v2/Properties/{tracked.property_sid}/Calls", tracked.account, **params)
    assert by_account == by_property
    found = [tracked.sids.index(c["CallSid"]) + 1 for c in by_account["Calls"]]
    return found


def test_every_call_lists_every_field_of_the_seed_in_order(
    engine_client: httpx.Client, tracked: Tracked
) -> None:
    body = calls(engine_client, f"/v2/Accounts/{tracked.account.sid}/Calls", tracked.account)
    assert list(body) == ["Calls", "TotalCount"] and body["TotalCount"] == 5
    assert [c["CallSid"] for c in body["Calls"]] == tracked.sids
    first, second, third, fourth, fifth = body["Calls"]
    assert all(list(c) == CALL_FIELDS for c in body["Calls"])
    starts = [int(c["Date_Start"]) for c in body["Calls"]]
    assert starts == sorted(starts) and all(isinstance(c["Date_Start"], str) for c in body["Calls"])
    assert (
        first["PropertySid"] == tracked.property_sid
        and first["From"] == A
        and first["To"] == tracked.real(N1)
    )
    assert (first["Disposition"], first["Endpoint"], first["To_Friendly"]) == (
        "Answered",
        ANSWER,
        "Google Ads",
    )
    assert first["Recording_Uri"].endswith(f"/exotelrecordings/{tracked.account.sid}/{first['CallSid']}.mp3")
    assert (first["Attribution_Source"], first["Attribution_Medium"]) == ("google", "cpc")
    assert (first["Attribution_Campaign"], first["Attribution_Content"]) == ("spring", "ad1")
    assert first["From_CountryCode"] == "IN" and first["Prompts_Keys"] is None
    # Exotel picks up after 1 s, the endpoint answers 2 s after it is dialled and hangs up 60 s later.
    assert first["Duration"] == 63
    assert (second["Disposition"], second["Prompts_Keys"], second["Endpoint"]) == ("IVR", "3", None)
    assert second["Recording_Uri"] is None and second["Attribution_Source"] == "bing"
    assert (third["Disposition"], third["Prompts_Keys"], third["Endpoint"]) == ("Busy", "1,2", BUSY)
    assert (fourth["Disposition"], fourth["Prompts_Keys"]) == ("IVR", "1")
    assert (fourth["From_CountryCode"], fourth["From_Region"], fourth["From_City"]) == (
        "IN",
        "Karnataka",
        "Bangalore",
    )
    assert fifth["Disposition"] == "Answered" and fifth["Session_Traffic_Type"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [1, 2, 3, 4, 5]),
        ({"Disposition": "Answered"}, [1, 5]),
        ({"disposition": "busy,ivr"}, [2, 3, 4]),
        ({"Disposition": "NoAnswer,Failed"}, []),
        ({"To": N1}, [1, 5]),
        ({"To": f"{N2},{N1}"}, [1, 2, 3, 4, 5]),
        ({"Endpoint": BUSY}, [3]),
        ({"Endpoint": ANSWER}, [1, 5]),
        ({"Attribution_Source": "google"}, [1, 5]),
        ({"Attribution_Medium": "organic,cpc"}, [1, 2, 3, 4, 5]),
        ({"Attribution_Campaign": "spring"}, [1, 5]),
        ({"ATTRIBUTION_CONTENT": "ad1"}, [1, 5]),
        ({"Attribution_Source": "yahoo"}, []),
        ({"Prompts_keys": "1"}, [3, 4]),
        ({"Prompts_keys": "1,2"}, [3]),
        ({"prompts_Keys": "3;1,2"}, [2, 3]),
        ({"Prompts_keys": "2"}, []),
        ({"Unique": "All"}, [1, 2, 3, 4, 5]),
        ({"Unique": "Unique"}, [1, 2, 4]),
        ({"unique": "repeat"}, [3, 5]),
        ({"Unique": "Repeat", "Disposition": "Busy"}, [3]),
        ({"Unique": "Unique", "To": N2}, [2, 4]),
        ({"Unique": "Repeat", "Prompts_keys": "1"}, [3]),
    ],
)
def test_each_filter_lists_the_calls_it_names(
    engine_client: httpx.Client, tracked: Tracked, params: dict[str, str], expected: list[int]
) -> None:
    real = {name: tracked.real(value) for name, value in params.items()}
    assert listed(engine_client, tracked, **real) == expected
    body = calls(engine_client, f"/v2/Accounts/{tracked.account.sid}/Calls", tracked.account, **real)
    assert body["TotalCount"] == len(expected)


def test_dates_are_inclusive_from_and_exclusive_to(engine_client: httpx.Client, tracked: Tracked) -> None:
    body = calls(engine_client, f"/v2/Accounts/{tracked.account.sid}/Calls", tracked.account)
    starts = [c["Date_Start"] for c in body["Calls"]]
    assert listed(engine_client, tracked, Date_From=starts[1]) == [2, 3, 4, 5]
    assert listed(engine_client, tracked, Date_To=starts[3]) == [1, 2, 3]
    assert listed(engine_client, tracked, date_from=starts[1], DATE_TO=starts[3]) == [2, 3]
    assert listed(engine_client, tracked, Date_From=starts[3], Date_To=starts[1]) == []
    assert listed(engine_client, tracked, Date_From=str(int(starts[4]) + 1)) == []


def test_results_count_and_skip_page_through_the_calls(engine_client: httpx.Client, tracked: Tracked) -> None:
    path = f"/v2/Accounts/{tracked.account.sid}/Calls"
    assert listed(engine_client, tracked, Results_Count="2") == [1, 2]
    assert listed(engine_client, tracked, Results_Count="2", Results_Skip="2") == [3, 4]
    assert listed(engine_client, tracked, Results_Count="2", Results_Skip="4") == [5]
    assert listed(engine_client, tracked, Results_Skip="5") == []
    assert calls(engine_client, path, tracked.account, Results_Skip="9", Results_Count="1")["TotalCount"] == 5
    assert listed(engine_client, tracked, Unique="Repeat", Results_Skip="1") == [5]
    assert listed(engine_client, tracked, Prompts_keys="1;3", Results_Skip="1", Results_Count="1") == [3]
    starts = [c["Date_Start"] for c in calls(engine_client, path, tracked.account)["Calls"]]
    assert listed(engine_client, tracked, Date_From=starts[1], Results_Skip="2") == [4, 5]
    pages = [listed(engine_client, tracked, Results_Count="1", Results_Skip=str(skip)) for skip in range(6)]
    assert pages == [[1], [2], [3], [4], [5], []]


def test_one_call_reads_as_it_lists_and_as_v1_shows_it(engine_client: httpx.Client, tracked: Tracked) -> None:
    body = calls(engine_client, f"/v2/Accounts/{tracked.account.sid}/Calls", tracked.account)
    for listed_call in body["Calls"]:
        response = engine_client.get(f"/v2/Calls/{listed_call['CallSid']}", auth=auth(tracked.account))
        assert response.status_code == 200
        assert response.json() == {"Call": listed_call}
        v1 = engine_client.get(
            f"/v1/Accounts/{tracked.account.sid}/Calls/{listed_call['CallSid']}.json",
            auth=tracked.account.auth,
        ).json()["Call"]
        assert v1["From"] == "0" + listed_call["From"][3:] and v1["To"] == "0" + listed_call["To"][3:]
        assert v1["Duration"] == str(listed_call["Duration"])
        assert ist_to_ms(v1["DateCreated"]) // 1000 == int(listed_call["Date_Start"])
        assert ist_to_ms(v1["StartTime"]) // 1000 == int(listed_call["Date_Start"])
        if listed_call["Recording_Uri"]:
            assert v1["RecordingUrl"] == listed_call["Recording_Uri"]


def test_a_live_call_reads_without_an_outcome_and_is_not_listed(
    engine_client: httpx.Client, tracked: Tracked
) -> None:
    sid = inbound(engine_client, tracked.account, A, tracked.real(N1))
    live = engine_client.get(f"/v2/Calls/{sid}", auth=auth(tracked.account)).json()["Call"]
    assert live["Disposition"] is None and live["Duration"] is None and live["Endpoint"] is None
    assert listed(engine_client, tracked) == [1, 2, 3, 4, 5]
    advance(engine_client, 200)
    assert (
        calls(engine_client, f"/v2/Accounts/{tracked.account.sid}/Calls", tracked.account)["TotalCount"] == 6
    )
    tracked.sids.append(sid)
    assert listed(engine_client, tracked, Unique="Repeat") == [3, 5, 6]


def test_a_session_given_with_an_inbound_call_comes_back(
    engine_client: httpx.Client, tracked: Tracked
) -> None:
    session: dict[str, Any] = {
        "traffic_type": "Campaign",
        "keywords": "emergency plumber",
        "landing_uri": "/services",
        "conversion_uri": "/contact",
        "ga_client_id": "1234567890.1700000000",
        "ads_click_id": "EAIaIQabc",
    }
    sid = inbound(engine_client, tracked.account, "+61298765432", tracked.real(N1), session)
    advance(engine_client, 200)
    call = engine_client.get(f"/v2/Calls/{sid}", auth=auth(tracked.account)).json()["Call"]
    assert (call["Session_Traffic_Type"], call["Session_Keywords"]) == ("Campaign", "emergency plumber")
    assert (call["Session_LandingUri"], call["Session_ConversionUri"]) == ("/services", "/contact")
    assert call["Google_Analytics_ClientId"] == "1234567890.1700000000"
    assert call["Google_Adwords_ClickId"] == "EAIaIQabc"
    assert (call["From"], call["From_CountryCode"], call["From_Region"]) == ("+61298765432", "AU", None)
    bad = engine_client.post(
        f"/admin/accounts/{tracked.account.sid}/inbound",
        json={"from": A, "to": tracked.real(N1), "session": {"traffic_type": "Paid"}},
        headers=ADMIN,
    )
    assert bad.status_code == 400 and "traffic_type" in bad.text


def test_the_rollups_kept_as_calls_end_match_a_rebuild(engine_server: LiveServer, tracked: Tracked) -> None:
    """``tracked_call_counts`` and ``tracked_call_summary`` are kept call by call as outcomes land;
    recounting them from ``tracked_calls`` must give the same rows."""
    db, account_id = engine_server.db, tracked.account.account_id

    def rows() -> dict[str, set[tuple[object, ...]]]:
        with db.engine.connect() as conn:
            return {
                table.name: {
                    tuple(row) for row in conn.execute(select(table).where(table.c.account_id == account_id))
                }
                for table in (tracked_call_counts, tracked_call_summary)
            }

    kept = rows()
    assert sum(row[-1] for row in kept["tracked_call_summary"] if row[1] == DAY_MS) == 5
    with db.write() as conn:
        rebuild_rollup(conn, account_id)
    assert rows() == kept


def test_deleting_the_property_takes_its_calls_out_of_every_list(
    engine_server: LiveServer, engine_client: httpx.Client, tracked: Tracked
) -> None:
    path = f"/v2/Accounts/{tracked.account.sid}/Calls"
    for params in ({}, {"Unique": "Repeat"}, {"Prompts_keys": "1"}, {"Attribution_Source": "google"}):
        assert calls(engine_client, path, tracked.account, **params)["TotalCount"] > 0, params
    deleted = engine_client.delete(
        f"/admin/accounts/{tracked.account.sid}/properties/{tracked.property_sid}", headers=ADMIN
    )
    assert deleted.status_code == 200, deleted.text
    for params in ({}, {"Unique": "Repeat"}, {"Prompts_keys": "1"}, {"Attribution_Source": "google"}):
        assert calls(engine_client, path, tracked.account, **params) == {"Calls": [], "TotalCount": 0}, params
