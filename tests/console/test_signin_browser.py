"""Signing in to the console in a real browser."""

from __future__ import annotations

from tests.console.conftest import sign_in_account, sign_in_admin
from tests.support.factories import AccountFixture
from tests.support.live_server import LiveServer


def test_admin_signs_in_and_out(page, console_server: LiveServer, console_account: AccountFixture) -> None:  # type: ignore[no-untyped-def]
    sign_in_admin(page, console_server.base_url)
    assert page.locator(".who .label").inner_text() == "admin"
    assert page.locator("nav a", has_text="Calls").count() == 1
    page.click("text=Sign out")
    page.wait_for_url("**/console/login")
    page.goto(console_server.base_url + "/console/calls")
    assert page.url.endswith("/console/login")


def test_account_signs_in(page, console_server: LiveServer, console_account: AccountFixture) -> None:  # type: ignore[no-untyped-def]
    sign_in_account(page, console_server.base_url, console_account)
    assert console_account.sid in page.locator(".who .label").inner_text()
    assert console_account.api_token not in page.content()
    assert console_account.api_token not in page.url


def test_wrong_token_is_refused_on_the_form(page, console_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(console_server.base_url + "/console/login")
    page.fill("#token", "not-the-token")
    page.click("#admin-signin button[type=submit]")
    assert page.locator("#signin-error").inner_text() == "The admin token is wrong."
    assert "not-the-token" not in page.url
