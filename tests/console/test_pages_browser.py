"""The Calls, Call and Live pages in a real browser: live updates, callback attempts and Redeliver,
isolation between accounts, and stored markup shown as text with no script run."""

from __future__ import annotations

import re

import httpx

from tests.console.conftest import sign_in_account, sign_in_admin
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import ADMIN_TOKEN, LiveServer
from tests.support.receiver import Receiver, Reply

SCRIPT = "<script>window.__pwned = 1</script>"


def _place(server: LiveServer, account: AccountFixture, **extra: str) -> str:
    data = {"From": "+919876543210", "CallerId": account.exophone, "To": "+919812345678", **extra}
    answer = httpx.post(
        f"{server.base_url}/v1/Accounts/{account.sid}/Calls/connect.json", auth=account.auth, data=data
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["Call"]["Sid"])


def _advance(server: LiveServer, seconds: float = 600) -> None:
    httpx.post(
        f"{server.base_url}/admin/clock/advance",
        json={"seconds": seconds},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    ).raise_for_status()


def test_a_call_placed_through_the_api_appears_within_two_seconds(  # type: ignore[no-untyped-def]
    page, console_server: LiveServer, console_account: AccountFixture
) -> None:
    sign_in_account(page, console_server.base_url, console_account)
    page.goto(console_server.base_url + "/console/calls")
    page.wait_for_timeout(300)  # the event stream is open
    sid = _place(console_server, console_account)
    _advance(console_server)
    page.locator(f'tr[data-sid="{sid}"]').wait_for(timeout=2000)
    assert page.locator("#total").inner_text() == "1"


def test_account_sees_404_for_another_accounts_call(  # type: ignore[no-untyped-def]
    page, console_server: LiveServer, console_account: AccountFixture
) -> None:
    other = make_account(console_server.db)
    sid = _place(console_server, other)
    sign_in_account(page, console_server.base_url, console_account)
    answer = page.goto(f"{console_server.base_url}/console/calls/{sid}")
    assert answer is not None and answer.status == 404
    assert "There is no such call in this account." in page.inner_text("main")


def test_filters_in_the_browser(page, console_server: LiveServer, console_account: AccountFixture) -> None:  # type: ignore[no-untyped-def]
    kept = _place(console_server, console_account, To="+919833333333")
    dropped = _place(console_server, console_account, To="+919844444444")
    _advance(console_server)
    sign_in_account(page, console_server.base_url, console_account)
    page.goto(console_server.base_url + "/console/calls")
    page.fill("#f-to", "+919833333333")
    page.click("#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*to=%2B919833333333.*"))
    assert page.locator(f'tr[data-sid="{kept}"]').count() == 1
    assert page.locator(f'tr[data-sid="{dropped}"]').count() == 0
    assert page.locator("#total").inner_text() == "1"


def test_callback_attempts_and_redeliver(  # type: ignore[no-untyped-def]
    page, console_server: LiveServer, console_account: AccountFixture
) -> None:
    with Receiver() as receiver:
        receiver.default = Reply(status=200, body=SCRIPT.encode())
        sid = _place(console_server, console_account, StatusCallback=receiver.url, CustomField=SCRIPT)
        _advance(console_server)
        receiver.wait_for(1)
        sign_in_admin(page, console_server.base_url)
        page.goto(f"{console_server.base_url}/console/calls/{sid}?account={console_account.sid}")
        attempts = page.locator("article.delivery tr.attempt")
        attempts.first.wait_for()
        before = attempts.count()
        assert before >= 1
        assert SCRIPT in page.inner_text("article.delivery")  # the webhook's answer, as text
        assert page.locator("#custom-field").inner_text() == SCRIPT
        page.click("article.delivery button[type=submit]")
        page.wait_for_url(re.compile(r".*redelivered=.*"))
        for _ in range(50):  # bounded: 50 reloads, about 5 s
            if page.locator("article.delivery tr.attempt").count() > before:
                break
            page.wait_for_timeout(100)
            page.reload()
        assert page.locator("article.delivery tr.attempt").count() > before
        assert page.evaluate("window.__pwned") is None


def test_live_page_places_a_call(page, console_server: LiveServer, console_account: AccountFixture) -> None:  # type: ignore[no-untyped-def]
    sign_in_account(page, console_server.base_url, console_account)
    page.goto(console_server.base_url + "/console/live")
    page.fill("#p-from", "+919876543210")
    page.fill("#p-to", "+919812345678")
    page.fill("#p-custom", SCRIPT)
    page.click("#place button[type=submit]")
    page.wait_for_url(re.compile(r".*placed=.*"))
    row = page.locator("#live-rows tr[data-sid]")
    row.first.wait_for()
    assert page.locator(".timer").first.inner_text() != ""
    assert page.evaluate("window.__pwned") is None
