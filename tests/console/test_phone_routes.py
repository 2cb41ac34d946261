"""The Phone page's routes over HTTP: every POST needs the CSRF token, errors come back as JSON with
a stable code (never a traceback), and an account's session reaches only its own calls."""

from __future__ import annotations

import re
from contextlib import closing

import httpx

from tests.console.conftest import csrf_of, http_sign_in
from tests.phone.test_phone_service import a_number
from tests.support.calls_api import ANSWER, advance, place
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer

HOLDER = re.compile(r'data-holder="([0-9a-f]+)"')


def signed_in(server: LiveServer, account: AccountFixture) -> tuple[httpx.Client, str, str]:
    http = httpx.Client(base_url=server.base_url, timeout=30)
    http_sign_in(http, account=account)
    page = http.get("/console/phone")
    assert page.status_code == 200, page.text
    match = HOLDER.search(page.text)
    assert match is not None
    return http, csrf_of(page.text), match.group(1)


def test_holding_answering_and_refusals(console_server: LiveServer, console_account: AccountFixture) -> None:
    http, csrf, holder = signed_in(console_server, console_account)
    number = a_number()
    with closing(http):
        no_token = http.post("/console/phone/hold", data={"holder": holder, "number": number})
        assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "console.refused"
        bad = http.post("/console/phone/hold", data={"csrf": csrf, "holder": holder, "number": "<script>"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "phone.unusable-number"
        held = http.post("/console/phone/hold", data={"csrf": csrf, "holder": holder, "number": number})
        assert held.status_code == 200, held.text
        assert held.json()["held"]["number"] == number
        renewed = http.post(
            "/console/phone/renew", data={"csrf": csrf, "holder": holder, "number": [number, "+919999900001"]}
        )
        assert renewed.json()["refused"].keys() == {"+919999900001"}
        call = place(http, console_account, From=number, To=ANSWER)
        advance(http, 1)
        state = http.get("/console/phone/state").json()
        assert [(leg["call_sid"], leg["status"]) for leg in state["legs"]] == [(call["Sid"], "ringing")]
        # Another account signed in to the console cannot see or answer it.
        other = make_account(console_server.db)
        them, their_csrf, _ = signed_in(console_server, other)
        with closing(them):
            assert them.get("/console/phone/state").json()["legs"] == []
            form = {"csrf": their_csrf, "call": call["Sid"], "leg": "1", "action": "answer"}
            stolen = them.post("/console/phone/act", data=form)
            assert stolen.status_code == 404 and stolen.json()["error"]["code"] == "phone.no-such-leg"
        form = {"csrf": csrf, "call": call["Sid"], "leg": "1", "action": "answer"}
        answered = http.post("/console/phone/act", data=form)
        assert answered.json()["outcome"]["leg_status"] == "answered"
        again = http.post("/console/phone/act", data=form)
        assert again.status_code == 409 and again.json()["error"]["code"] == "phone.already-answered"
        odd = http.post("/console/phone/act", data={**form, "action": "explode", "leg": "x"})
        assert odd.status_code == 400 and odd.json()["error"]["code"] == "invalid-parameter"
        hung = http.post("/console/phone/act", data={**form, "action": "hangup"})
        assert hung.json()["outcome"]["call_status"] == "no-answer"  # leg 2 was still ringing
        released = http.post("/console/phone/release", data={"csrf": csrf, "holder": holder})
        assert released.json()["held"] == []
