"""Agents and CCM v2 calls through the public HTTP interface (admin API + /v2/accounts/)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture

_numbers = itertools.count(20_000)


def add_agent(
    client: httpx.Client, account: AccountFixture, contact_uri: str | None = None, **fields: Any
) -> dict[str, Any]:
    """An agent of the account; by default on a magic number that answers and stays on the line."""
    body = {"name": "Asha Rao", "contact_uri": contact_uri or "+919999900007", **fields}
    response = client.post(f"/admin/accounts/{account.sid}/users", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    agent: dict[str, Any] = response.json()
    return agent


def long_talker() -> str:
    """A distinct magic number that answers after 2 s and talks for a long time (1 h + n s)."""
    return f"+9199999{10_000 + 3600 + next(_numbers) % 1000:05d}"


def make_call_body(account: AccountFixture, agent: dict[str, Any], to: str, **fields: Any) -> dict[str, Any]:
    return {
        "from": {"user_id": agent["user_id"]},
        "to": {"number": to},
        "virtual_number": account.exophones[0],
        **fields,
    }


def post_call(client: httpx.Client, account: AccountFixture, body: Any, **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("auth", account.auth)
    if isinstance(body, bytes):
        return client.post(f"/v2/accounts/{account.sid}/calls", content=body, **kwargs)
    return client.post(f"/v2/accounts/{account.sid}/calls", json=body, **kwargs)


def make_call(
    client: httpx.Client, account: AccountFixture, agent: dict[str, Any], to: str, **fields: Any
) -> dict[str, Any]:
    response = post_call(client, account, make_call_body(account, agent, to, **fields))
    assert response.status_code == 200, response.text
    envelope: dict[str, Any] = response.json()
    return envelope


def get_details(client: httpx.Client, account: AccountFixture, sid: str) -> dict[str, Any]:
    response = client.get(f"/v2/accounts/{account.sid}/calls/{sid}", auth=account.auth)
    assert response.status_code == 200, response.text
    details: dict[str, Any] = response.json()["response"]["call_details"]
    return details


def error_of(response: httpx.Response) -> tuple[int, int]:
    """(HTTP status, Exotel code) of a CCM failure, after checking the envelope's shape."""
    body = response.json()
    assert list(body) == ["request_id", "method", "http_code", "response"], body
    assert body["http_code"] == response.status_code
    assert len(body["request_id"]) == 32 and int(body["request_id"], 16) >= 0
    failure = body["response"]
    assert list(failure) == ["code", "error_data", "status", "data"], failure
    assert (
        failure["code"] == response.status_code and failure["status"] == "failure" and failure["data"] is None
    )
    assert list(failure["error_data"]) == ["code", "message", "description"]
    assert failure["error_data"]["description"]
    return response.status_code, int(failure["error_data"]["code"])
