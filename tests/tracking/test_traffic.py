"""A traffic generator with visitor sessions places tracked calls whose sessions, attribution and
repeat flags come back through Get Calls (both backends, virtual clock)."""

from __future__ import annotations

from dataclasses import asdict

import httpx
import pytest

from tests.support.calls_api import ADMIN, ANSWER, advance
from tests.support.factories import make_account, new_exophone
from tests.support.fone import auth, buy, calls, configure, create_property
from tests.support.live_server import LiveServer
from trunkline.domain.tracking.sessions import draw_session, parse_session_spec


@pytest.fixture
def number() -> str:
    """A number of this test's own: a number belongs to one account."""
    return new_exophone()


SESSIONS = {
    "share": 0.75,
    "traffic_types": {"Campaign": 2, "Organic": 1, "Direct": 1},
    "keywords": ["plumber", "drain"],
    "landing_uris": ["/", "/offers"],
    "conversion_uris": ["/contact"],
    "analytics_share": 0.5,
}


def test_generator_sessions_and_repeat_callers_come_back_through_get_calls(
    number: str, engine_server: LiveServer, engine_client: httpx.Client
) -> None:
    account = make_account(engine_server.db)
    prop = create_property(engine_client, account)
    assert buy(engine_client, account, prop, number).status_code == 200
    configure(
        engine_client,
        account,
        number,
        Attribution_Source="google",
        RoutingMethod="Endpoint",
        EndpointNumber=ANSWER,
    )
    spec = {
        "exophones": [number], "rate_per_minute": 60, "count": 12, "arrival": "uniform", "callers": 3,
        "seed": 11, "sessions": SESSIONS,
    }  # fmt: skip
    response = engine_client.post(f"/admin/accounts/{account.sid}/traffic", json=spec, headers=ADMIN)
    assert response.status_code == 201, response.text
    assert response.json()["spec"]["sessions"]["share"] == 0.75
    advance(engine_client, 300)

    body = calls(engine_client, f"/v2/Properties/{prop}/Calls", account)
    assert body["TotalCount"] == 12
    session_spec = parse_session_spec(SESSIONS)
    assert session_spec is not None
    seen: set[str] = set()
    with_sessions = 0
    for index, call in enumerate(body["Calls"]):
        expected = draw_session(session_spec, 11, index, int(call["Date_Start"]) * 1000)
        got = {
            "traffic_type": call["Session_Traffic_Type"],
            "keywords": call["Session_Keywords"],
            "landing_uri": call["Session_LandingUri"],
            "conversion_uri": call["Session_ConversionUri"],
            "ga_client_id": call["Google_Analytics_ClientId"],
            "ads_click_id": call["Google_Adwords_ClickId"],
        }
        if expected is None:
            assert set(got.values()) == {None}
        else:
            with_sessions += 1
            assert got == asdict(expected)
            assert (got["ads_click_id"] is not None) == (got["traffic_type"] == "Campaign")
            assert (got["keywords"] is not None) == (got["traffic_type"] in ("Campaign", "Organic"))
        assert call["Attribution_Source"] == "google" and call["Disposition"] == "Answered"
        repeat = call["From"] in seen
        seen.add(call["From"])
        listed_as = calls(
            engine_client, f"/v2/Properties/{prop}/Calls", account, Unique="Repeat" if repeat else "Unique"
        )
        assert call["CallSid"] in [c["CallSid"] for c in listed_as["Calls"]]
    assert 0 < with_sessions < 12 and len(seen) <= 3
    repeats = calls(engine_client, f"/v2/Accounts/{account.sid}/Calls", account, Unique="Repeat")[
        "TotalCount"
    ]
    assert repeats == 12 - len(seen)
    other = make_account(engine_server.db)
    assert calls(engine_client, f"/v2/Accounts/{other.sid}/Calls", other)["TotalCount"] == 0
    bad = dict(spec, sessions={"traffic_types": {"Paid": 1}})
    response = engine_client.post(f"/admin/accounts/{account.sid}/traffic", json=bad, headers=ADMIN)
    assert response.status_code == 400 and "Paid" in response.text
    assert auth(account)  # (Fone auth and the admin token are separate)
