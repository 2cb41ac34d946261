"""The Phone page in a real browser: hold a number, answer the call that rings it, and press a key
that takes the flow's IVR branch (the call's record then shows that branch)."""

from __future__ import annotations

import httpx

from tests.console.conftest import sign_in_account
from tests.phone.test_phone_service import a_number, applets, flow_url
from tests.support.calls_api import advance, details, place
from tests.support.factories import AccountFixture
from tests.support.live_server import LiveServer


def test_answer_a_call_and_press_a_key_that_takes_an_ivr_branch(  # type: ignore[no-untyped-def]
    page, console_server: LiveServer, console_account: AccountFixture
) -> None:
    base, number = console_server.base_url, a_number()
    sign_in_account(page, base, console_account)
    page.goto(base + "/console/phone")
    page.fill("#hold-number", number)
    page.click("#hold-form button[type=submit]")
    page.locator("#held li", has_text=number).wait_for()
    with httpx.Client(base_url=base, timeout=30) as http:
        call = place(http, console_account, From=number, Url=flow_url(http, console_account))
        advance(http, 1)
        page.click(".phone-leg button.answer")  # waits for the ringing call to show
        page.locator(".phone-leg[data-status=answered]").wait_for()
        advance(http, 4)  # the menu's prompt plays; then it listens for the person's keys
        page.locator(".phone-leg", has_text="is listening for keys").wait_for()
        page.click(".keypad button[aria-label='Press 2']")
        page.locator("#phone-message", has_text="ivr.keys").wait_for()
        advance(http, 5)
        assert applets(http, call["Sid"]) == ["menu", "support", "bye"]
        assert details(http, console_account, call["Sid"])["Status"] == "completed"
    page.locator("#no-calls").wait_for(state="visible")
