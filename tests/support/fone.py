"""Call tracking through HTTP: a property with tracking numbers bought and configured through the
Fone Dynamics API, and reading its calls back."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture

CALL_FIELDS = [
    "CallSid", "PropertySid", "Date_Start", "From", "From_CountryCode", "From_Region", "From_City", "To",
    "To_Friendly", "Duration", "Disposition", "Recording_Uri", "Endpoint", "Attribution_Source",
    "Attribution_Medium", "Attribution_Campaign", "Attribution_Content", "Session_Traffic_Type",
    "Session_Keywords", "Session_ConversionUri", "Session_LandingUri", "Survey_Type", "Survey_Value",
    "Survey_Custom1", "Survey_Custom2", "Survey_Custom3", "Survey_UniqueCode", "Prompts_Keys", "Notes",
    "CallType", "Google_Analytics_ClientId", "Google_Adwords_ClickId",
]  # fmt: skip
"""Every response field (docs/api-choices.md §Fone Dynamics), in its order."""


def auth(account: AccountFixture) -> httpx.BasicAuth:
    """Fone's Basic AccountSid:Token."""
    return httpx.BasicAuth(account.sid, account.api_token)


def create_property(client: httpx.Client, account: AccountFixture, name: str = "Website") -> str:
    response = client.post(f"/admin/accounts/{account.sid}/properties", json={"name": name}, headers=ADMIN)
    assert response.status_code == 201, response.text
    sid: str = response.json()["sid"]
    return sid


def buy(client: httpx.Client, account: AccountFixture, property_sid: str, number: str) -> httpx.Response:
    return client.post(f"/v2/Properties/{property_sid}/Numbers", data={"Number": number}, auth=auth(account))


def configure(client: httpx.Client, account: AccountFixture, number: str, **params: str) -> dict[str, Any]:
    response = client.post(f"/v2/Numbers/{number.lstrip('+')}", data=params, auth=auth(account))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def calls(client: httpx.Client, path: str, account: AccountFixture, **params: str) -> dict[str, Any]:
    response = client.get(path, params=params, auth=auth(account))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def inbound(
    client: httpx.Client, account: AccountFixture, caller: str, to: str, session: dict[str, Any] | None = None
) -> str:
    body: dict[str, Any] = {"from": caller, "to": to}
    if session is not None:
        body["session"] = session
    response = client.post(f"/admin/accounts/{account.sid}/inbound", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    sid: str = response.json()["sid"]
    return sid


def error(response: httpx.Response, status: int, code: str, field: str | None = None) -> str:
    """Check a Fone error envelope; returns its message."""
    assert response.status_code == status, response.text
    status_body = response.json()["ResponseStatus"]
    assert status_body["ErrorCode"] == code, status_body
    assert status_body["Message"]
    if field is None:
        assert status_body["Errors"] == []
    else:
        assert [(e["FieldName"], e["ErrorCode"]) for e in status_body["Errors"]] == [(field, code)]
    message: str = status_body["Message"]
    return message
