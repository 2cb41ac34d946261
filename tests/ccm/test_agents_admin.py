"""Admin API for agents: create, list, get, update and delete under /admin/accounts/<sid>/users,
Bearer auth, JSON errors, duplicates 409, accounts isolated (both backends)."""

from __future__ import annotations

import httpx

from tests.support.calls_api import ADMIN
from tests.support.factories import make_account
from tests.support.live_server import LiveServer


def test_given_an_account_when_agents_are_managed_then_every_step_answers_as_documented(
    client: httpx.Client, server: LiveServer
) -> None:
    account = make_account(server.db)
    base = f"/admin/accounts/{account.sid}/users"
    created = client.post(
        base, json={"user_id": "u-1", "name": " Asha ", "contact_uri": "098765 43210"}, headers=ADMIN
    )
    assert created.status_code == 201, created.text
    agent = created.json()
    assert list(agent) == ["user_id", "name", "contact_uri", "device_state", "created_at", "updated_at"]
    assert (agent["user_id"], agent["name"], agent["contact_uri"], agent["device_state"]) == (
        "u-1", "Asha", "+919876543210", "on"
    )  # fmt: skip
    sip = client.post(
        base, json={"name": "Ravi", "contact_uri": "SIP:ravi@pbx.example"}, headers=ADMIN
    ).json()
    assert sip["contact_uri"] == "sip:ravi@pbx.example" and len(sip["user_id"]) == 36

    listed = client.get(base, headers=ADMIN).json()["users"]
    assert [a["user_id"] for a in listed] == ["u-1", sip["user_id"]]
    assert client.get(f"{base}/u-1", headers=ADMIN).json() == agent

    changed = client.patch(f"{base}/u-1", json={"device_state": "OFF", "name": "Asha R"}, headers=ADMIN)
    assert changed.status_code == 200
    assert (changed.json()["device_state"], changed.json()["name"]) == ("off", "Asha R")
    assert client.patch(f"{base}/u-1", json={}, headers=ADMIN).status_code == 400

    assert client.delete(f"{base}/u-1", headers=ADMIN).status_code == 204
    gone = client.get(f"{base}/u-1", headers=ADMIN)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not-found"
    assert client.delete(f"{base}/u-1", headers=ADMIN).status_code == 404
    assert client.patch(f"{base}/u-1", json={"name": "X"}, headers=ADMIN).status_code == 404


def test_given_a_duplicate_user_id_or_contact_uri_when_created_or_changed_then_409(
    client: httpx.Client, server: LiveServer
) -> None:
    account, other = make_account(server.db), make_account(server.db)
    base = f"/admin/accounts/{account.sid}/users"
    client.post(base, json={"user_id": "a", "name": "A", "contact_uri": "+919876543210"}, headers=ADMIN)
    client.post(base, json={"user_id": "b", "name": "B", "contact_uri": "+919876543211"}, headers=ADMIN)
    same_id = client.post(base, json={"user_id": "a", "name": "A2", "contact_uri": "sip:a2@x"}, headers=ADMIN)
    assert same_id.status_code == 409 and same_id.json()["error"]["code"] == "conflict"
    assert "user_id" in same_id.json()["error"]["message"]
    same_uri = client.post(base, json={"name": "C", "contact_uri": "09876543210"}, headers=ADMIN)
    assert same_uri.status_code == 409 and "contact_uri" in same_uri.json()["error"]["message"]
    moved = client.patch(f"{base}/b", json={"contact_uri": "9876543210"}, headers=ADMIN)
    assert moved.status_code == 409
    # another account may use the same user_id and number: agents are per account
    theirs = {"user_id": "a", "name": "A", "contact_uri": "+919876543210"}
    assert client.post(f"/admin/accounts/{other.sid}/users", json=theirs, headers=ADMIN).status_code == 201
    assert [a["name"] for a in client.get(base, headers=ADMIN).json()["users"]] == ["A", "B"]


def test_given_bad_input_when_creating_agents_then_400_never_500(
    client: httpx.Client, server: LiveServer
) -> None:
    account = make_account(server.db)
    base = f"/admin/accounts/{account.sid}/users"
    for body in (
        {},
        {"name": "A"},
        {"name": "", "contact_uri": "+919876543210"},
        {"name": "A", "contact_uri": "12"},
        {"name": "A", "contact_uri": "sip:"},
        {"name": "A", "contact_uri": "+919876543210", "device_state": "away"},
        {"name": "A", "contact_uri": "+919876543210", "user_id": "bad id!"},
        {"name": "A" * 201, "contact_uri": "+919876543210"},
        {"name": ["A"], "contact_uri": 9876543210},
    ):
        response = client.post(base, json=body, headers=ADMIN)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["code"] == "invalid-parameter"
    assert client.get(base, headers=ADMIN).json() == {"users": []}


def test_given_no_admin_token_or_unknown_account_when_agents_then_401_or_404(
    client: httpx.Client, server: LiveServer
) -> None:
    account = make_account(server.db)
    base = f"/admin/accounts/{account.sid}/users"
    assert client.get(base).status_code == 401
    assert client.get(base, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post(base, json={"name": "A", "contact_uri": "sip:a@b"}).status_code == 401
    assert client.get("/admin/accounts/nosuch/users", headers=ADMIN).status_code == 404


def test_given_control_characters_when_agents_are_managed_then_400_or_404_never_500(
    client: httpx.Client, server: LiveServer
) -> None:
    """PostgreSQL refuses NUL in text: such a value must be turned away before the store."""
    account = make_account(server.db)
    base = f"/admin/accounts/{account.sid}/users"
    bad_uri = client.post(
        base, json={"name": "Ravi", "contact_uri": "sip:a\u0000b@pbx.example"}, headers=ADMIN
    )
    assert bad_uri.status_code == 400, bad_uri.text
    assert client.get(f"{base}/u%00x", headers=ADMIN).status_code == 404
    assert client.patch(f"{base}/u%00x", json={"name": "X"}, headers=ADMIN).status_code == 404
    assert client.delete(f"{base}/u%00x", headers=ADMIN).status_code == 404
    assert client.get("/admin/accounts/a%00b/users", headers=ADMIN).status_code == 404
