"""The console over plain HTTP: the session cookie's flags, CSRF refusals, sign-out, isolation
between accounts, filters that cannot be read, and stored markup shown as text."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.console.conftest import csrf_of, http_sign_in
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def http(console_server: LiveServer):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=console_server.base_url, timeout=30) as client:
        yield client


def _place(server: LiveServer, account: AccountFixture, **extra: str) -> str:
    data = {"From": "+919876543210", "CallerId": account.exophone, "To": "+919812345678", **extra}
    answer = httpx.post(
        f"{server.base_url}/v1/Accounts/{account.sid}/Calls/connect.json", auth=account.auth, data=data
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["Call"]["Sid"])


def _finish(server: LiveServer) -> None:
    httpx.post(
        f"{server.base_url}/admin/clock/advance",
        json={"seconds": 600},
        headers={"Authorization": "Bearer test-admin-token"},
    ).raise_for_status()


def test_root_redirects_to_the_console(http: httpx.Client) -> None:
    assert http.get("/").headers["location"] == "/console"
    assert http.get("/console").headers["location"] == "/console/login"


def test_session_cookie_is_signed_httponly_strict_and_scoped(http: httpx.Client) -> None:
    answer = http_sign_in(http)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("trunkline_console=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "test-admin-token" not in cookie
    value = http.cookies["trunkline_console"]
    http.cookies.set(
        "trunkline_console", value[:-2] + ("AA" if not value.endswith("AA") else "BB"), path="/console"
    )
    assert http.get("/console/calls").headers["location"] == "/console/login"


def test_sign_in_without_the_csrf_token_is_refused(http: httpx.Client) -> None:
    http.get("/console/login")
    answer = http.post("/console/login", data={"mode": "admin", "token": "test-admin-token"})
    assert answer.status_code == 403
    assert "trunkline_console=" not in answer.headers.get("set-cookie", "")


def test_a_post_without_the_token_changes_nothing(
    http: httpx.Client, console_server: LiveServer, console_account: AccountFixture
) -> None:
    http_sign_in(http)
    before = http.get("/console/live", params={"account": console_account.sid})
    answer = http.post(
        f"/console/live/calls?account={console_account.sid}",
        data={"from": "+919876543210", "caller_id": console_account.exophone, "to": "+919812345678"},
    )
    assert answer.status_code == 403
    assert "No call is in progress." in before.text
    assert (
        "No call is in progress." in http.get("/console/live", params={"account": console_account.sid}).text
    )
    wrong = http.post(
        f"/console/live/calls?account={console_account.sid}",
        data={
            "csrf": "0" * 64,
            "from": "+919876543210",
            "caller_id": console_account.exophone,
            "to": "+91981",
        },
    )
    assert wrong.status_code == 403


def test_sign_out_ends_the_session(http: httpx.Client) -> None:
    http_sign_in(http)
    page = http.get("/console/calls")
    assert page.status_code in (200, 404)  # 404 page when no account exists yet
    answer = http.post("/console/logout", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    assert (
        'trunkline_console=""' in answer.headers["set-cookie"] or "Max-Age=0" in answer.headers["set-cookie"]
    )
    assert http.get("/console/calls").headers["location"] == "/console/login"


def test_wrong_account_token_is_refused(http: httpx.Client, console_account: AccountFixture) -> None:
    wrong = AccountFixture(
        console_account.sid, console_account.account_id, console_account.api_key, "nope", console_account.db
    )
    answer = http_sign_in(http, account=wrong)
    assert answer.status_code == 401
    assert "The API key or token is wrong." in answer.text


def test_an_account_cannot_open_another_accounts_call(
    http: httpx.Client, console_server: LiveServer, console_account: AccountFixture
) -> None:
    other = make_account(console_server.db)
    sid = _place(console_server, other)
    http_sign_in(http, account=console_account)
    answer = http.get(f"/console/calls/{sid}")
    assert answer.status_code == 404
    assert "There is no such call in this account." in answer.text
    # ?account= is the admin's choice only: an account's own account wins.
    listed = http.get("/console/calls", params={"account": other.sid})
    assert sid not in listed.text
    assert http.get(f"/console/calls/{sid}/recording").status_code == 404


def test_unreadable_filters_are_a_400_page(http: httpx.Client, console_account: AccountFixture) -> None:
    http_sign_in(http, account=console_account)
    for params in (
        {"duration_min": "ten"},
        {"price_max": "x"},
        {"date_from": "yesterday"},
        {"after": "bogus"},
    ):
        answer = http.get("/console/calls", params=params)
        assert answer.status_code == 400, params
        assert 'id="filter-error"' in answer.text


def test_stored_markup_is_shown_as_text(
    http: httpx.Client, console_server: LiveServer, console_account: AccountFixture
) -> None:
    sid = _place(console_server, console_account, CustomField=SCRIPT)
    _finish(console_server)
    http_sign_in(http, account=console_account)
    page = http.get(f"/console/calls/{sid}")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_filters_select_calls(
    http: httpx.Client, console_server: LiveServer, console_account: AccountFixture
) -> None:
    first = _place(console_server, console_account, To="+919811111111")
    second = _place(console_server, console_account, To="+919822222222")
    _finish(console_server)
    http_sign_in(http, account=console_account)
    every = http.get("/console/calls")
    assert first in every.text and second in every.text
    assert re.search(r'id="total">2<', every.text)
    only = http.get("/console/calls", params={"to": "09822222222"})
    assert second in only.text and first not in only.text
    assert re.search(r'id="total">1<', only.text)


def test_the_call_page_shows_the_call_as_each_dialect_answers_for_it(
    http: httpx.Client, console_server: LiveServer, console_account: AccountFixture
) -> None:
    from tests.support.ccm import add_agent, make_call

    plain = _place(console_server, console_account, CustomField=SCRIPT)
    with httpx.Client(base_url=console_server.base_url, timeout=30) as api:
        agent = add_agent(api, console_account)
        ccm_sid = make_call(api, console_account, agent, "+919812345678")["response"]["call_sid"]
        _finish(console_server)
        v1_json = api.get(
            f"/v1/Accounts/{console_account.sid}/Calls/{plain}.json?details=true", auth=console_account.auth
        ).json()
    http_sign_in(http, account=console_account)

    page = http.get(f"/console/calls/{plain}").text
    views = re.findall(r'data-view="([^"]+)"', page)
    assert views == ["v1 JSON", "v1 XML", "CCM v2"]  # CCM answers for any call; Fone only for tracked ones
    assert "&lt;script&gt;" in page and SCRIPT not in page
    assert f"/v1/Accounts/{console_account.sid}/Calls/{plain}.json?details=true" in page
    assert "&lt;TwilioResponse&gt;" in page
    assert f"&#34;Sid&#34;: &#34;{v1_json['Call']['Sid']}&#34;" in page
    assert console_account.api_token not in page

    agent_page = http.get(f"/console/calls/{ccm_sid}").text
    assert re.findall(r'data-view="([^"]+)"', agent_page) == ["v1 JSON", "v1 XML", "CCM v2"]
    assert f"/v2/accounts/{console_account.sid}/calls/{ccm_sid}" in agent_page
    assert f"&#34;user_id&#34;: &#34;{agent['user_id']}&#34;" in agent_page


@pytest.mark.parametrize("change", ["rotate", "revoke"])
def test_a_rotated_or_revoked_credential_ends_its_console_session(
    http: httpx.Client, console_server: LiveServer, console_account: AccountFixture, change: str
) -> None:
    assert http_sign_in(http, account=console_account).status_code == 303
    assert http.get("/console/calls").status_code == 200
    admin = {"Authorization": "Bearer test-admin-token"}
    credential = f"/admin/accounts/{console_account.sid}/credentials/{console_account.api_key}"
    if change == "rotate":
        httpx.post(f"{console_server.base_url}{credential}/rotate", headers=admin).raise_for_status()
    else:
        httpx.post(
            f"{console_server.base_url}/admin/accounts/{console_account.sid}/credentials", headers=admin
        )
        httpx.delete(f"{console_server.base_url}{credential}", headers=admin).raise_for_status()
    answer = http.get("/console/calls")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login"
