"""Placing and following calls through the public HTTP interface (v1 + admin API)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.factories import AccountFixture
from tests.support.live_server import ADMIN_TOKEN

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ANSWER, BUSY, NEVER, FAIL, MACHINE, SLOW, STAYS = (f"+9199999{n:05d}" for n in range(1, 8))


def connect(
    client: httpx.Client, account: AccountFixture, suffix: str = ".json", **params: Any
) -> httpx.Response:
    data = {"CallerId": account.exophones[0], **params}
    return client.post(f"/v1/Accounts/{account.sid}/Calls/connect{suffix}", data=data, auth=account.auth)


def place(client: httpx.Client, account: AccountFixture, **params: Any) -> dict[str, Any]:
    response = connect(client, account, **params)
    assert response.status_code == 200, response.text
    call: dict[str, Any] = response.json()["Call"]
    return call


def advance(client: httpx.Client, seconds: float) -> dict[str, Any]:
    response = client.post("/admin/clock/advance", json={"seconds": seconds}, headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def details(client: httpx.Client, account: AccountFixture, sid: str) -> dict[str, Any]:
    response = client.get(f"/v1/Accounts/{account.sid}/Calls/{sid}.json?details=true", auth=account.auth)
    assert response.status_code == 200, response.text
    call: dict[str, Any] = response.json()["Call"]
    return call


def events(client: httpx.Client, sid: str) -> list[str]:
    response = client.get(f"/admin/calls/{sid}/events", headers=ADMIN)
    assert response.status_code == 200, response.text
    return [event["name"] for event in response.json()["events"]]
