"""The Overview, Network and Flows pages in a real browser (Debian's chromium): the charts drawn, a
scenario error shown inline, a flow's diagram, and an account refused the Network page."""

from __future__ import annotations

import httpx

from tests.console.conftest import sign_in_account, sign_in_admin
from tests.support.calls_api import ANSWER, BUSY, NEVER, advance, place
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer
from trunkline.domain.flows.definition import parse_flow

MENU = {
    "name": "Menu",
    "applets": [
        {"id": "menu", "type": "ivr", "prompt": "Press 1", "branches": {"1": "sales"}, "default": "menu"},
        {"id": "sales", "type": "connect", "numbers": ["+919999900001"], "on_no_answer": "bye"},
        {"id": "bye", "type": "hangup"},
    ],
}


def test_the_overview_draws_a_bar_segment_per_status_of_each_hour(  # type: ignore[no-untyped-def]
    page, console_server: LiveServer, console_account: AccountFixture
) -> None:
    with httpx.Client(base_url=console_server.base_url, timeout=30) as api:
        for to in (ANSWER, BUSY, NEVER, ANSWER):
            place(api, console_account, From=ANSWER, To=to)
        advance(api, 400)
    overview = console_server.services.overview.read(
        console_account.sid, console_server.services.overview.window("24h", "hour")
    )
    sign_in_account(page, console_server.base_url, console_account)
    page.goto(console_server.base_url + "/console/overview?window=24h&step=hour")
    bars = page.locator("svg.bars g.bar")
    assert bars.count() == len(overview.bars) == 24
    segments = page.locator("svg.bars rect.seg")
    expected = sum(1 for bar in overview.bars for n in bar.by_status.values() if n)
    assert segments.count() == expected >= 2
    drawn = sum(int(segments.nth(i).get_attribute("data-calls") or 0) for i in range(segments.count()))
    assert drawn == overview.total == 4
    box = segments.first.bounding_box()
    assert box is not None and box["height"] > 0 and box["width"] > 0
    assert (page.locator("svg.bars title").first.text_content() or "").startswith("Calls per hour")
    assert page.locator("#kpi-total").inner_text() == "4"
    # The window picker is a plain form.
    page.select_option("#window", "7d")
    page.select_option("#step", "day")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**window=7d**")
    assert page.locator("svg.bars g.bar").count() == 7


def test_a_scenario_error_is_shown_inline(page, console_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    sign_in_admin(page, console_server.base_url)
    page.goto(console_server.base_url + "/console/network")
    page.fill("#scenario", '{"rules": [{"match": "+9198*", "ring_seconds": [9, 3]}]}')
    page.click("section[aria-labelledby=scenario-h] button[type=submit]")
    error = page.locator("#scenario-error")
    assert "ring_seconds must be [min, max] with min <= max" in error.inner_text()
    assert page.locator("#scenario").input_value().startswith('{"rules": [{"match": "+9198*"')
    assert page.locator("#scenario").get_attribute("aria-invalid") == "true"
    assert console_server.services.sandbox.scenario().document == {"rules": []}


def test_a_flow_is_drawn_as_boxes_and_arrows(page, console_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    account = make_account(console_server.db)
    console_server.services.flows.put(account.sid, parse_flow("menu", MENU))
    sign_in_admin(page, console_server.base_url)
    page.goto(console_server.base_url + f"/console/flows?account={account.sid}")
    page.click("text=menu")
    page.wait_for_url("**/console/flows/menu**")
    assert page.locator("svg.flow a.box").count() == 3
    arrows = {
        (e.get_attribute("data-from"), e.get_attribute("data-to"))
        for e in page.locator("svg.flow g.edge").all()
    }
    assert arrows == {("menu", "sales"), ("menu", "menu"), ("sales", "bye")}
    start = page.locator("svg.flow a.box.start")
    assert start.get_attribute("data-applet") == "menu"
    page.locator("svg.flow a.box[data-applet=bye]").click()
    assert page.url.endswith("#applet-bye")


def test_an_account_is_refused_the_network_page(  # type: ignore[no-untyped-def]
    page, console_server: LiveServer, console_account: AccountFixture
) -> None:
    sign_in_account(page, console_server.base_url, console_account)
    assert page.locator("header nav a", has_text="Network").count() == 0
    response = page.goto(console_server.base_url + "/console/network")
    assert response is not None and response.status == 403
    assert "Only the admin" in page.locator("main").inner_text()
