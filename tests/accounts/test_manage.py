"""Managing accounts after creating them, through the admin API and the CLI (one service behind both):
credentials added, rotated and revoked (refused within seconds by a server that had them cached),
accounts deleted, ExoPhones added and removed, and a number that belongs to one account only."""

from __future__ import annotations

import json
import time

import httpx
from typer.testing import CliRunner

from tests.support.calls_api import ADMIN
from tests.support.factories import AccountFixture, make_account, make_call, new_exophone
from tests.support.fone import buy, create_property
from tests.support.live_server import LiveServer
from trunkline.cli.main import app

runner = CliRunner()


def _calls(client: httpx.Client, sid: str, auth: httpx.BasicAuth) -> int:
    return client.get(f"/v1/Accounts/{sid}/Calls.json", auth=auth).status_code


def _refused_within(client: httpx.Client, sid: str, auth: httpx.BasicAuth, seconds: float = 5.0) -> float:
    """How long until the server answers 401 to ``auth`` (the bound promised in docs/accounts.md)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if _calls(client, sid, auth) == 401:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"still accepted {seconds} s after the change")


def test_admin_api_creates_lists_and_gets_accounts(client: httpx.Client) -> None:
    sid, number = f"made{time.monotonic_ns()}", new_exophone()
    created = client.post("/admin/accounts", json={"sid": sid, "exophones": [number]}, headers=ADMIN)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["sid"] == sid and body["exophones"] == [number] and len(body["api_token"]) >= 40
    assert _calls(client, sid, httpx.BasicAuth(body["api_keys"][0]["api_key"], body["api_token"])) == 200
    listed = client.get("/admin/accounts", headers=ADMIN).json()["accounts"]
    mine = [a for a in listed if a["sid"] == sid]
    assert mine and "api_token" not in mine[0] and mine[0]["exophones"] == [number]
    assert client.get(f"/admin/accounts/{sid}", headers=ADMIN).json()["sid"] == sid
    # The same SID again clashes with what is stored: 409, and the first account is unchanged.
    twice = client.post("/admin/accounts", json={"sid": sid}, headers=ADMIN)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "account-exists", twice.text
    assert client.get(f"/admin/accounts/{sid}", headers=ADMIN).json()["exophones"] == [number]
    missing = client.get("/admin/accounts/nobody-here", headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not-found"
    assert client.get("/admin/accounts", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_a_rotated_token_is_refused_within_seconds_and_the_new_one_works(
    client: httpx.Client, account: AccountFixture
) -> None:
    assert _calls(client, account.sid, account.auth) == 200  # now in the server's credential cache
    rotated = client.post(
        f"/admin/accounts/{account.sid}/credentials/{account.api_key}/rotate", headers=ADMIN
    )
    assert rotated.status_code == 200, rotated.text
    new_token = rotated.json()["api_token"]
    assert new_token != account.api_token
    assert _refused_within(client, account.sid, account.auth) < 5
    assert _calls(client, account.sid, httpx.BasicAuth(account.api_key, new_token)) == 200


def test_a_credential_revoked_by_the_cli_is_refused_by_the_running_server(
    client: httpx.Client, server: LiveServer, account: AccountFixture
) -> None:
    second = client.post(f"/admin/accounts/{account.sid}/credentials", headers=ADMIN)
    assert second.status_code == 201, second.text
    key, token = second.json()["api_key"], second.json()["api_token"]
    assert _calls(client, account.sid, httpx.BasicAuth(key, token)) == 200  # cached
    url = server.db.url
    revoked = runner.invoke(
        app, ["accounts", "revoke-credential", "--sid", account.sid, "--api-key", key, "--database-url", url]
    )
    assert revoked.exit_code == 0, revoked.output
    assert _refused_within(client, account.sid, httpx.BasicAuth(key, token)) < 5
    assert _calls(client, account.sid, account.auth) == 200  # the other credential still works
    last = runner.invoke(
        app,
        [
            "accounts",
            "revoke-credential",
            "--sid",
            account.sid,
            "--api-key",
            account.api_key,
            "--database-url",
            url,
        ],
    )
    assert last.exit_code == 2 and "only credential" in last.output
    listed = json.loads(runner.invoke(app, ["accounts", "list", "--database-url", url]).output)
    [mine] = [a for a in listed["accounts"] if a["sid"] == account.sid]
    assert mine["api_keys"] == [account.api_key]


def test_deleting_an_account_with_calls_needs_force_and_then_takes_everything(
    client: httpx.Client, account: AccountFixture
) -> None:
    account.add_calls(make_call(account))
    assert _calls(client, account.sid, account.auth) == 200
    refused = client.delete(f"/admin/accounts/{account.sid}", headers=ADMIN)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "account-has-data"
    assert "calls" in refused.json()["error"]["message"]
    assert _calls(client, account.sid, account.auth) == 200  # nothing changed
    deleted = client.delete(f"/admin/accounts/{account.sid}", params={"force": "true"}, headers=ADMIN)
    assert deleted.status_code == 200 and deleted.json() == {"deleted": account.sid}
    assert client.get(f"/admin/accounts/{account.sid}", headers=ADMIN).status_code == 404
    assert _refused_within(client, account.sid, account.auth) < 5
    # Its number is free again for another account.
    again = client.post(
        "/admin/accounts", json={"sid": account.sid + "b", "exophones": [account.exophone]}, headers=ADMIN
    )
    assert again.status_code == 201, again.text


def test_an_empty_account_is_deleted_by_the_cli_without_force(server: LiveServer) -> None:
    account = make_account(server.db)
    url = server.db.url
    done = runner.invoke(app, ["accounts", "delete", "--sid", account.sid, "--database-url", url])
    assert done.exit_code == 0 and json.loads(done.output) == {"deleted": account.sid}
    again = runner.invoke(app, ["accounts", "delete", "--sid", account.sid, "--database-url", url])
    assert again.exit_code == 2 and f"no account {account.sid}" in again.output


def test_exophones_are_added_and_removed_and_belong_to_one_account(
    client: httpx.Client, server: LiveServer, account: AccountFixture
) -> None:
    other = make_account(server.db)
    base = f"/admin/accounts/{account.sid}/exophones"
    number = new_exophone()
    added = client.put(f"{base}/{number}", headers=ADMIN)
    assert added.status_code == 200 and added.json()["exophones"] == sorted([account.exophone, number])
    taken = client.put(f"/admin/accounts/{other.sid}/exophones/{number}", headers=ADMIN)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "number-held-by-another-account"
    url = server.db.url
    cli = runner.invoke(app, ["accounts", "add-exophone", "--sid", other.sid, number, "--database-url", url])
    assert cli.exit_code == 2 and "belongs to another account" in cli.output
    created = runner.invoke(
        app, ["accounts", "create", "--sid", other.sid + "c", "--exophone", number, "--database-url", url]
    )
    assert created.exit_code == 2 and "belongs to another account" in created.output
    removed = client.delete(f"{base}/{number}", headers=ADMIN)
    assert removed.status_code == 200 and removed.json()["exophones"] == [account.exophone]
    assert client.delete(f"{base}/{number}", headers=ADMIN).status_code == 404
    moved = runner.invoke(
        app, ["accounts", "add-exophone", "--sid", other.sid, number, "--database-url", url]
    )
    assert moved.exit_code == 0 and number in json.loads(moved.output)["exophones"]
    gone = runner.invoke(
        app, ["accounts", "remove-exophone", "--sid", other.sid, number, "--database-url", url]
    )
    assert gone.exit_code == 0 and number not in json.loads(gone.output)["exophones"]


def test_fone_purchase_refuses_another_accounts_number_and_it_cannot_call_with_it(
    client: httpx.Client, server: LiveServer, account: AccountFixture
) -> None:
    other = make_account(server.db)
    prop = create_property(client, other)
    response = buy(client, other, prop, account.exophone)
    assert response.status_code == 409, response.text
    status = response.json()["ResponseStatus"]
    assert status["ErrorCode"] == "NUMBER_UNAVAILABLE" and "belongs to another account" in status["Message"]
    placed = client.post(
        f"/v1/Accounts/{other.sid}/Calls/connect.json",
        data={"From": "09999900001", "To": "09999900005", "CallerId": account.exophone},
        auth=other.auth,
    )
    assert placed.status_code == 400, placed.text
