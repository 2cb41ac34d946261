"""Inbound calls through HTTP: one at a time to an ExoPhone with a flow, and traffic generators at a
given rate on the virtual clock; they are stored as ``inbound`` calls and listed like any other."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.calls_api import ADMIN, STAYS, advance, details, events
from tests.support.factories import AccountFixture, make_account, new_exophone
from tests.support.live_server import LiveServer
from trunkline.domain.clock import ist_to_ms

EXOPHONE, OTHER_EXOPHONE = "<exophone>", "<other exophone>"
"""Stand for ``desk_account``'s two numbers in parameters (``ours``): a number belongs to one account,
so each test's account has numbers of its own."""


def ours(document: dict[str, Any], account: AccountFixture) -> dict[str, Any]:
    """``document`` with the placeholders replaced by the account's numbers."""
    numbers = dict(zip((EXOPHONE, OTHER_EXOPHONE), account.exophones, strict=True))

    def swap(value: Any) -> Any:
        if isinstance(value, list):
            return [swap(item) for item in value]
        return numbers.get(value, value) if isinstance(value, str) else value

    return {key: swap(value) for key, value in document.items()}


@pytest.fixture
def desk_account(engine_server: LiveServer, engine_client: httpx.Client) -> AccountFixture:
    """An account whose two ExoPhones both run the flow ``desk``: inbound calls need a flow to ring."""
    made = make_account(engine_server.db, exophones=(new_exophone(), new_exophone()))
    applets = [
        {"id": "menu", "type": "ivr", "duration_seconds": 2, "branches": {"1": "bye"}, "attempts": 1},
        {"id": "bye", "type": "greeting", "text": "Thank you", "duration_seconds": 2},
    ]
    base = f"/admin/accounts/{made.sid}"
    assert (
        engine_client.put(f"{base}/flows/desk", json={"applets": applets}, headers=ADMIN).status_code == 200
    )
    for number in made.exophones:
        assert (
            engine_client.put(
                f"{base}/exophones/{number}/flow", json={"app_id": "desk"}, headers=ADMIN
            ).status_code
            == 200
        )
    return made


def listed(client: httpx.Client, account: AccountFixture, **params: str) -> list[dict[str, Any]]:
    response = client.get(
        f"/v1/Accounts/{account.sid}/Calls.json", params={"PageSize": "100", **params}, auth=account.auth
    )
    assert response.status_code == 200, response.text
    calls: list[dict[str, Any]] = response.json()["Calls"]
    return calls


def test_one_inbound_call_runs_the_exophones_flow(
    engine_client: httpx.Client, desk_account: AccountFixture
) -> None:
    rules = [{"match": STAYS, "press": ["1"], "think_seconds": [1, 1]}]
    engine_client.put("/admin/scenario", json={"rules": rules}, headers=ADMIN)
    response = engine_client.post(
        f"/admin/accounts/{desk_account.sid}/inbound",
        json={"from": "09999900007", "to": desk_account.exophone_local},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["direction"] == "inbound" and placed["flow_app_id"] == "desk"
    live = details(engine_client, desk_account, placed["sid"])
    assert live["Direction"] == "inbound" and live["Status"] == "in-progress"
    assert (
        live["From"] == "09999900007"
        and live["To"] == desk_account.exophone_local
        and live["PhoneNumberSid"] == desk_account.exophone_local
    )

    advance(engine_client, 30)
    done = details(engine_client, desk_account, placed["sid"])
    # Exotel picks up after 1 s; prompt 2 s; the key 1 s later; "Thank you" 2 s; the flow ends.
    assert done["Status"] == "completed" and done["Duration"] == "6"
    assert done["Details"]["Legs"] == [{"Leg": {"Id": "1", "OnCallDuration": 5}}]
    names = events(engine_client, placed["sid"])
    assert names[:3] == ["call.created", "leg1.ringing", "leg1.answered"] and "ivr.keys" in names
    assert [c["Sid"] for c in listed(engine_client, desk_account, Direction="inbound")] == [placed["sid"]]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"from": "09999900007", "to": "+919999900001"}, 404, "is not an ExoPhone"),
        ({"from": "12", "to": EXOPHONE}, 400, "from:"),
        ({"from": "sip:" + "a" * 200 + "@example.com", "to": EXOPHONE}, 400, "is not a phone number"),
        ({"to": EXOPHONE}, 400, "from"),
    ],
)
def test_bad_inbound_calls(
    engine_client: httpx.Client, desk_account: AccountFixture, body: dict[str, str], status: int, message: str
) -> None:
    response = engine_client.post(
        f"/admin/accounts/{desk_account.sid}/inbound", json=ours(body, desk_account), headers=ADMIN
    )
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]


def test_an_exophone_without_a_flow_takes_no_inbound_calls(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    bare = make_account(engine_server.db)
    response = engine_client.post(
        f"/admin/accounts/{bare.sid}/inbound", json={"from": STAYS, "to": bare.exophones[0]}, headers=ADMIN
    )
    assert response.status_code == 400 and "has no flow" in response.json()["error"]["message"]
    traffic = engine_client.post(
        f"/admin/accounts/{bare.sid}/traffic",
        json={"exophones": [bare.exophones[0]], "rate_per_minute": 60, "count": 5},
        headers=ADMIN,
    )
    assert traffic.status_code == 400 and "has no flow" in traffic.json()["error"]["message"]


def test_uniform_traffic_places_calls_at_the_rate(
    engine_client: httpx.Client, desk_account: AccountFixture
) -> None:
    spec = {"exophones": [EXOPHONE, OTHER_EXOPHONE], "rate_per_minute": 30, "count": 10, "arrival": "uniform",
            "callers": 3, "seed": 5}  # fmt: skip
    started = engine_client.post(
        f"/admin/accounts/{desk_account.sid}/traffic", json=ours(spec, desk_account), headers=ADMIN
    )
    assert started.status_code == 201, started.text
    generator = started.json()
    assert generator["state"] == "running" and generator["placed"] == 0

    advance(engine_client, 9)  # arrivals at 0, 2, 4, 6, 8 s
    assert engine_client.get(f"/admin/traffic/{generator['id']}", headers=ADMIN).json()["placed"] == 5
    advance(engine_client, 20 + 600)  # the rest arrive, and every caller's flow has ended
    finished = engine_client.get(f"/admin/traffic/{generator['id']}", headers=ADMIN).json()
    assert finished["state"] == "finished" and finished["placed"] == 10 and finished["next_at"] is None

    calls = sorted(listed(engine_client, desk_account, Direction="inbound"), key=lambda c: c["DateCreated"])
    assert len(calls) == 10
    times = [ist_to_ms(c["DateCreated"]) for c in calls]
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {2000}
    assert len({c["From"] for c in calls}) <= 3  # three customers, calling back
    assert {c["PhoneNumberSid"] for c in calls} <= {
        "0" + n.removeprefix("+91") for n in desk_account.exophones
    }
    assert all(c["Direction"] == "inbound" and c["Status"] == "completed" for c in calls)


def test_poisson_traffic_is_deterministic_and_near_its_rate(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    def run() -> list[int]:
        acct = make_account(engine_server.db)
        base = f"/admin/accounts/{acct.sid}"
        engine_client.put(f"{base}/flows/f", json={"applets": [{"id": "h", "type": "hangup"}]}, headers=ADMIN)
        engine_client.put(f"{base}/exophones/{acct.exophones[0]}/flow", json={"app_id": "f"}, headers=ADMIN)
        spec = {"exophones": [acct.exophones[0]], "rate_per_minute": 600, "duration_seconds": 30, "seed": 11}
        gid = engine_client.post(f"{base}/traffic", json=spec, headers=ADMIN).json()["id"]
        advance(engine_client, 40)
        assert engine_client.get(f"/admin/traffic/{gid}", headers=ADMIN).json()["state"] == "finished"
        calls = listed(engine_client, acct)
        total = engine_client.get(f"/v1/Accounts/{acct.sid}/Calls.json", auth=acct.auth).json()["Metadata"][
            "Total"
        ]
        assert len(calls) == 100 and total > 200  # the first page
        start = min(ist_to_ms(c["DateCreated"]) for c in calls)
        return sorted(ist_to_ms(c["DateCreated"]) - start for c in calls) + [total]

    first, second = run(), run()
    assert first == second  # same spec and seed: the same arrivals
    assert 300 * 0.75 <= first[-1] <= 300 * 1.25  # 10 a second for 30 s


def test_a_stopped_generator_places_no_more_calls(
    engine_client: httpx.Client, desk_account: AccountFixture
) -> None:
    spec = {"exophones": [EXOPHONE], "rate_per_minute": 60, "count": 100, "arrival": "uniform"}
    gid = engine_client.post(
        f"/admin/accounts/{desk_account.sid}/traffic", json=ours(spec, desk_account), headers=ADMIN
    ).json()["id"]
    advance(engine_client, 2.5)
    stopped = engine_client.delete(f"/admin/traffic/{gid}", headers=ADMIN).json()
    assert stopped["state"] == "stopped" and stopped["placed"] == 3
    advance(engine_client, 600)
    assert engine_client.get(f"/admin/traffic/{gid}", headers=ADMIN).json()["placed"] == 3
    assert [
        g["id"]
        for g in engine_client.get(f"/admin/accounts/{desk_account.sid}/traffic", headers=ADMIN).json()[
            "generators"
        ]
    ] == [gid]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"exophones": [EXOPHONE], "rate_per_minute": 0, "count": 1}, "rate_per_minute must be from 0.01"),
        (
            {"exophones": [EXOPHONE], "rate_per_minute": 1e-300, "count": 1},
            "rate_per_minute must be from 0.01",
        ),
        (
            {"exophones": [EXOPHONE], "rate_per_minute": 5, "count": 1, "numbers": ["sip:x@y"]},
            "not a phone number",
        ),
        ({"exophones": [EXOPHONE], "rate_per_minute": 5}, "give count or duration_seconds"),
        ({"exophones": [], "rate_per_minute": 5, "count": 1}, "at least one"),
        (
            {"exophones": [EXOPHONE], "rate_per_minute": 5, "count": 1, "arrival": "bursty"},
            "poisson or uniform",
        ),
        ({"exophones": [EXOPHONE], "rate_per_minute": 5, "count": 1, "speed": 1}, "unknown field 'speed'"),
        ({"exophones": ["+919999900001"], "rate_per_minute": 5, "count": 1}, "is not an ExoPhone"),
    ],
)
def test_bad_traffic_specs(
    engine_client: httpx.Client, desk_account: AccountFixture, spec: dict[str, Any], message: str
) -> None:
    response = engine_client.post(
        f"/admin/accounts/{desk_account.sid}/traffic", json=ours(spec, desk_account), headers=ADMIN
    )
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]


def test_reset_of_an_account_stops_its_traffic(
    engine_client: httpx.Client, desk_account: AccountFixture
) -> None:
    spec = {"exophones": [EXOPHONE], "rate_per_minute": 60, "count": 100, "arrival": "uniform"}
    gid = engine_client.post(
        f"/admin/accounts/{desk_account.sid}/traffic", json=ours(spec, desk_account), headers=ADMIN
    ).json()["id"]
    advance(engine_client, 1.5)
    reset = engine_client.post("/admin/reset", json={"account_sid": desk_account.sid}, headers=ADMIN).json()
    assert reset["generators_stopped"] == 1 and reset["calls_deleted"] == 2
    advance(engine_client, 30)
    assert engine_client.get(f"/admin/traffic/{gid}", headers=ADMIN).json()["state"] == "stopped"
    assert listed(engine_client, desk_account) == []
