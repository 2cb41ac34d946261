"""v1 number metadata over HTTP (docs/api-choices.md §Number metadata): every spelling, JSON, XML, errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

from tests.support.factories import AccountFixture
from tests.support.live_server import LiveServer
from trunkline.store.numbering import NumberingStore

FIELDS = ["PhoneNumber", "Circle", "CircleName", "Type", "Operator", "OperatorName", "DND"]


@pytest.mark.parametrize("spelling", ["09810012345", "+919810012345", "%2B919810012345", "9810012345"])
def test_given_a_seeded_mobile_series_when_lookup_then_circle_operator_and_type(
    client: httpx.Client, account: AccountFixture, spelling: str
) -> None:
    response = client.get(f"/v1/Accounts/{account.sid}/Numbers/{spelling}.json", auth=account.auth)
    assert response.status_code == 200, response.text
    body = response.json()["Numbers"]
    assert list(body) == FIELDS
    assert body["PhoneNumber"] == "09810012345"
    assert (body["Circle"], body["Type"], body["Operator"], body["OperatorName"]) == (
        "DL",
        "Mobile",
        "A",
        "Airtel",
    )
    assert body["CircleName"].startswith("Delhi")
    assert body["DND"] in ("Yes", "No", "Unavailable")


def test_given_a_literal_plus_and_no_suffix_when_lookup_then_xml(
    client: httpx.Client, account: AccountFixture
) -> None:
    response = client.get(f"/v1/Accounts/{account.sid}/Numbers/+912266123456", auth=account.auth)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    numbers = ET.fromstring(response.content).find("Numbers")
    assert numbers is not None and [child.tag for child in numbers] == FIELDS
    assert numbers.findtext("Type") == "Landline" and numbers.findtext("Circle") == "MU"


def test_given_a_dnd_registry_entry_when_lookup_then_dnd_yes_else_unavailable(
    client: httpx.Client, account: AccountFixture, server: LiveServer, tmp_path: Path
) -> None:
    registry = tmp_path / "dnd.csv"
    registry.write_text("number,dnd\n+919811234567,yes\n09811234568,no\n")
    NumberingStore(server.db).import_dnd(registry)
    answers = [
        client.get(f"/v1/Accounts/{account.sid}/Numbers/{n}.json", auth=account.auth).json()["Numbers"]["DND"]
        for n in ("9811234567", "9811234568", "9811234569")
    ]
    assert answers == ["Yes", "No", "Unavailable"]


@pytest.mark.parametrize("number", ["+14155552671", "12345", "hello", "+91123"])
def test_given_a_foreign_or_invalid_number_when_lookup_then_400_rest_exception(
    client: httpx.Client, account: AccountFixture, number: str
) -> None:
    response = client.get(f"/v1/Accounts/{account.sid}/Numbers/{number}.json", auth=account.auth)
    assert response.status_code == 400
    assert response.json()["RestException"]["Status"] == 400
    assert response.json()["RestException"]["Message"]


def test_given_no_credentials_when_lookup_then_401(client: httpx.Client, account: AccountFixture) -> None:
    assert client.get(f"/v1/Accounts/{account.sid}/Numbers/9810012345.json").status_code == 401
