"""`POST /admin/reset` with `everything`: one account back to a clean state (calls with their
callbacks, flows, agents, properties, traffic, the scenario and the clock), other accounts untouched;
without it, today's reset (calls and traffic only)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS
from tests.support.calls_api import ADMIN, ANSWER, advance, details, place
from tests.support.ccm import add_agent
from tests.support.factories import AccountFixture, make_account
from tests.support.fone import create_property
from tests.support.live_server import LiveServer, start_server
from tests.support.receiver import Receiver

_servers = itertools.count()
GREETING = {"applets": [{"id": "hello", "type": "greeting", "text": "Hello", "duration_seconds": 2}]}


@pytest.fixture(params=BACKENDS)
def own_server(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A server of its own: a full reset moves the server-wide clock and scenario."""
    db = database_factory(request.param, f"reset_{request.param}_{next(_servers)}")
    live = start_server(
        db, clock="virtual", settle_delay_seconds=0, rate_limit_per_minute=0, webhook_allow_private=True
    )
    yield live
    live.stop()


def set_up(client: httpx.Client, account: AccountFixture, receiver: Receiver) -> dict[str, Any]:
    """A flow answering the ExoPhone, an agent, a property, running traffic, and a finished call."""
    base = f"/admin/accounts/{account.sid}"
    assert client.put(f"{base}/flows/desk", json=GREETING, headers=ADMIN).status_code == 200
    number = account.exophones[0]
    assert client.put(f"{base}/exophones/{number}/flow", json={"app_id": "desk"}, headers=ADMIN).is_success
    add_agent(client, account)
    create_property(client, account)
    spec = {"exophones": [number], "rate_per_minute": 1, "count": 100}
    assert client.post(f"{base}/traffic", json=spec, headers=ADMIN).status_code == 201
    call = place(client, account, From=ANSWER, To=ANSWER, StatusCallback=receiver.url)
    advance(client, 200)
    receiver.wait_for(1)
    return call


def listed(client: httpx.Client, account: AccountFixture, what: str) -> list[Any]:
    response = client.get(f"/admin/accounts/{account.sid}/{what}", headers=ADMIN)
    assert response.status_code == 200, response.text
    body = response.json()
    items: list[Any] = next(value for value in body.values() if isinstance(value, list))
    return items


def test_everything_returns_one_account_to_a_clean_state(own_server: LiveServer) -> None:
    mine, other = make_account(own_server.db), make_account(own_server.db)
    with Receiver() as receiver, httpx.Client(base_url=own_server.base_url, timeout=30) as client:
        gone = set_up(client, mine, receiver)
        kept = set_up(client, other, receiver)
        rules = {"rules": [{"match": "+91981*", "busy": 1, "answer": 0, "no_answer": 0, "fail": 0}]}
        assert client.put("/admin/scenario", json=rules, headers=ADMIN).status_code == 200
        before = client.get("/admin/clock", headers=ADMIN).json()["now_ms"]

        response = client.post(
            "/admin/reset", json={"account_sid": mine.sid, "everything": True}, headers=ADMIN
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["calls_deleted"] >= 1 and body["generators_stopped"] == 1
        assert (body["flows_deleted"], body["agents_deleted"], body["properties_deleted"]) == (1, 1, 1)
        assert body["generators_deleted"] == 1 and body["scenario_cleared"] is True
        assert body["clock"]["now_ms"] < before  # back to the wall clock, from 400 s ahead
        for what in ("flows", "users", "properties", "traffic"):
            assert listed(client, mine, what) == [], what
            assert len(listed(client, other, what)) == 1, what
        assert (
            client.get(f"/v1/Accounts/{mine.sid}/Calls/{gone['Sid']}.json", auth=mine.auth).status_code == 404
        )
        assert client.get(f"/admin/calls/{gone['Sid']}/webhooks", headers=ADMIN).status_code == 404
        assert client.get("/admin/scenario", headers=ADMIN).json() == {"rules": []}
        assert details(client, other, kept["Sid"])["Status"] == "completed"
        # The ExoPhone stays the account's, answered by no flow: an inbound call to it is refused.
        inbound = client.post(
            f"/admin/accounts/{mine.sid}/inbound",
            json={"from": ANSWER, "to": mine.exophones[0]},
            headers=ADMIN,
        )
        assert inbound.status_code == 400 and "has no flow" in inbound.json()["error"]["message"]
        # The account and its credentials stay: it places calls at once.
        assert place(client, mine, From=ANSWER, To=ANSWER)["Status"] == "in-progress"


def test_without_everything_only_calls_and_traffic_go(own_server: LiveServer) -> None:
    mine = make_account(own_server.db)
    with Receiver() as receiver, httpx.Client(base_url=own_server.base_url, timeout=30) as client:
        set_up(client, mine, receiver)
        before = client.get("/admin/clock", headers=ADMIN).json()["now_ms"]
        body = client.post("/admin/reset", json={"account_sid": mine.sid}, headers=ADMIN).json()
        assert set(body) == {"calls_deleted", "generators_stopped", "clock"}
        assert body["clock"]["now_ms"] >= before  # one account's reset leaves the clock alone
        assert [len(listed(client, mine, what)) for what in ("flows", "users", "properties")] == [1, 1, 1]
        assert listed(client, mine, "traffic")[0]["state"] == "stopped"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"everything": True}, 400, "invalid-parameter"),
        ({"account_sid": "SID", "everything": "maybe"}, 400, "invalid-parameter"),
        ({"account_sid": "nobody", "everything": True}, 404, "not-found"),
    ],
)
def test_bad_full_resets_are_refused_and_change_nothing(
    own_server: LiveServer, payload: dict[str, Any], status: int, code: str
) -> None:
    mine = make_account(own_server.db)
    with httpx.Client(base_url=own_server.base_url, timeout=30) as client:
        base = f"/admin/accounts/{mine.sid}"
        assert client.put(f"{base}/flows/desk", json=GREETING, headers=ADMIN).status_code == 200
        call = place(client, mine, From=ANSWER, To=ANSWER)
        payload = {k: (mine.sid if v == "SID" else v) for k, v in payload.items()}
        response = client.post("/admin/reset", json=payload, headers=ADMIN)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["message"] and error["code"] == code
        assert len(listed(client, mine, "flows")) == 1
        assert details(client, mine, call["Sid"])["Status"] == "in-progress"
