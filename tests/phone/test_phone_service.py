"""The console's Phone through its service on live virtual-clock servers (SQLite and PostgreSQL):
calls placed through the v1 API ring a number a person holds, and the person's answer, rejection,
silence, keys and hang-up decide the call — as the v1 API and the admin events then show."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.support.calls_api import ADMIN, ANSWER, STAYS, advance, details, events, place
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer
from trunkline.domain.errors import TrunklineError
from trunkline.services.phone import PhoneService


def a_number() -> str:
    return f"+9170{secrets.randbelow(10**8):08d}"


def holder() -> str:
    return "page-" + secrets.token_hex(8)


def phone_of(server: LiveServer) -> PhoneService:
    return server.services.phone


def code_of(error: pytest.ExceptionInfo[TrunklineError]) -> str:
    return error.value.code


MENU_FLOW: dict[str, Any] = {
    "name": "menu",
    "applets": [
        {
            "id": "menu",
            "type": "ivr",
            "prompt": "Press 1 for sales, 2 for support",
            "duration_seconds": 3,
            "timeout_seconds": 10,
            "attempts": 1,
            "branches": {"1": "sales", "2": "support"},
            "default": "bye",
        },
        {"id": "sales", "type": "greeting", "text": "Sales here", "duration_seconds": 2, "next": "bye"},
        {"id": "support", "type": "greeting", "text": "Support here", "duration_seconds": 2, "next": "bye"},
        {"id": "bye", "type": "hangup"},
    ],
}


def flow_url(client: httpx.Client, account: AccountFixture, flow: dict[str, Any] = MENU_FLOW) -> str:
    response = client.put(f"/admin/accounts/{account.sid}/flows/menu", json=flow, headers=ADMIN)
    assert response.status_code == 200, response.text
    url: str = response.json()["url"]
    return url


def applets(client: httpx.Client, sid: str) -> list[str]:
    response = client.get(f"/admin/calls/{sid}/events", headers=ADMIN)
    return [e["detail"]["applet"] for e in response.json()["events"] if e["name"] == "flow.applet"]


def ringing(phone: PhoneService, account: AccountFixture, sid: str) -> Any:
    legs = [leg for leg in phone.legs(account.sid) if leg.call_sid == sid]
    assert len(legs) == 1, legs
    return legs[0]


def test_answer_talk_and_hang_up(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    held = phone.hold(engine_account.sid, holder(), number)
    assert held.number == number and held.pages == 1
    call = place(engine_client, engine_account, From=number, To=ANSWER)
    advance(engine_client, 1)
    leg = ringing(phone, engine_account, call["Sid"])
    assert (leg.leg, leg.status, leg.direction, leg.number) == (1, "ringing", "incoming", number)
    assert leg.ring_deadline is not None
    advance(engine_client, 25)  # well past the network's own answer time: the person decides
    assert ringing(phone, engine_account, call["Sid"]).status == "ringing"
    outcome = phone.answer(engine_account.sid, call["Sid"], 1)
    assert outcome.leg_status == "answered"
    assert [e["name"] for e in outcome.events][:2] == ["leg1.answered", "leg2.dialing"]
    advance(engine_client, 10)
    assert details(engine_client, engine_account, call["Sid"])["Status"] == "in-progress"
    phone.hang_up(engine_account.sid, call["Sid"], 1)
    advance(engine_client, 1)
    record = details(engine_client, engine_account, call["Sid"])
    assert record["Status"] == "completed"
    assert phone.legs(engine_account.sid) == []


def test_reject_is_busy(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    phone.hold(engine_account.sid, holder(), number)
    call = place(engine_client, engine_account, From=ANSWER, To=number)  # the person is leg 2
    advance(engine_client, 5)
    leg = ringing(phone, engine_account, call["Sid"])
    assert leg.leg == 2
    assert phone.reject(engine_account.sid, call["Sid"], 2).call_status == "busy"
    advance(engine_client, 1)
    assert details(engine_client, engine_account, call["Sid"])["Status"] == "busy"
    assert "leg2.busy" in events(engine_client, call["Sid"])


def test_nobody_acts_and_the_call_rings_out(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    phone.hold(engine_account.sid, holder(), number)
    call = place(engine_client, engine_account, From=number, To=ANSWER, TimeOut=20)
    advance(engine_client, 19)
    assert ringing(phone, engine_account, call["Sid"]).status == "ringing"
    advance(engine_client, 2)
    assert details(engine_client, engine_account, call["Sid"])["Status"] == "no-answer"
    assert "leg1.no-answer" in events(engine_client, call["Sid"])
    with pytest.raises(TrunklineError) as refused:
        phone.answer(engine_account.sid, call["Sid"], 1)
    assert code_of(refused) == "phone.call-ended"


def test_keys_take_the_ivr_branch(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    phone.hold(engine_account.sid, holder(), number)
    call = place(engine_client, engine_account, From=number, Url=flow_url(engine_client, engine_account))
    advance(engine_client, 1)
    with pytest.raises(TrunklineError) as early:
        phone.press(engine_account.sid, call["Sid"], 1, "1")
    assert code_of(early) == "phone.not-answered"
    phone.answer(engine_account.sid, call["Sid"], 1)
    advance(engine_client, 20)  # the prompt plays, the menu waits 10 s for the person, then gives up
    assert "ivr.no-input" in events(engine_client, call["Sid"])
    assert applets(engine_client, call["Sid"]) == ["menu", "bye"]
    # A second call, keys pressed in time.
    call = place(engine_client, engine_account, From=number, Url=flow_url(engine_client, engine_account))
    advance(engine_client, 1)
    phone.answer(engine_account.sid, call["Sid"], 1)
    advance(engine_client, 4)
    assert ringing(phone, engine_account, call["Sid"]).menu == "menu"
    with pytest.raises(TrunklineError) as bad:
        phone.press(engine_account.sid, call["Sid"], 1, "12a")
    assert code_of(bad) == "invalid-parameter"
    outcome = phone.press(engine_account.sid, call["Sid"], 1, "2")
    assert [e["name"] for e in outcome.events][:2] == ["ivr.keys", "flow.applet"]
    advance(engine_client, 5)
    assert applets(engine_client, call["Sid"]) == ["menu", "support", "bye"]
    record = details(engine_client, engine_account, call["Sid"])
    assert record["Status"] == "completed"


def test_two_pages_ring_and_the_first_to_act_wins(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    first, second = holder(), holder()
    phone.hold(engine_account.sid, first, number)
    assert phone.hold(engine_account.sid, second, number).pages == 2
    call = place(engine_client, engine_account, From=number, To=ANSWER)
    advance(engine_client, 1)
    assert ringing(phone, engine_account, call["Sid"]).status == "ringing"  # both pages list it
    phone.answer(engine_account.sid, call["Sid"], 1)
    for late in (phone.answer, phone.reject):
        with pytest.raises(TrunklineError) as refused:
            late(engine_account.sid, call["Sid"], 1)
        assert code_of(refused) == "phone.already-answered"
    phone.release(engine_account.sid, first)
    assert [h.pages for h in phone.held(engine_account.sid) if h.number == number] == [1]
    phone.hang_up(engine_account.sid, call["Sid"], 1)
    with pytest.raises(TrunklineError) as ended:
        phone.hang_up(engine_account.sid, call["Sid"], 1)
    assert code_of(ended) == "phone.call-ended"


def test_accounts_are_isolated(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    other = make_account(engine_server.db)
    phone.hold(engine_account.sid, holder(), number)
    with pytest.raises(TrunklineError) as taken:
        phone.hold(other.sid, holder(), number)
    assert code_of(taken) == "phone.number-taken"
    call = place(engine_client, engine_account, From=number, To=ANSWER)
    advance(engine_client, 1)
    with pytest.raises(TrunklineError) as hidden:
        phone.answer(other.sid, call["Sid"], 1)
    assert code_of(hidden) == "phone.no-such-leg"
    assert phone.legs(other.sid) == []
    # Another account's call to the held number is the network's as usual (a rule: busy at once).
    rules = [{"match": number, "answer": 0, "busy": 1, "no_answer": 0, "fail": 0}]
    assert engine_client.put("/admin/scenario", json={"rules": rules}, headers=ADMIN).status_code == 200
    theirs = place(engine_client, other, From=number, To=ANSWER)
    advance(engine_client, 15)
    assert details(engine_client, other, theirs["Sid"])["Status"] == "busy"
    assert all(leg.call_sid != theirs["Sid"] for leg in phone.legs(engine_account.sid))


def test_a_number_nobody_holds_is_the_networks(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, page = phone_of(engine_server), holder()
    number = phone.suggest(engine_account.sid)
    phone.hold(engine_account.sid, page, number)
    phone.release(engine_account.sid, page, number)
    assert phone.held(engine_account.sid) == []
    rules = [{"match": number, "answer": 0, "busy": 1, "no_answer": 0, "fail": 0}]
    assert engine_client.put("/admin/scenario", json={"rules": rules}, headers=ADMIN).status_code == 200
    call = place(engine_client, engine_account, From=number, To=STAYS)
    advance(engine_client, 30)
    assert phone.legs(engine_account.sid) == []
    assert details(engine_client, engine_account, call["Sid"])["Status"] == "busy"


@pytest.mark.parametrize(
    ("number", "page", "code"),
    [
        ("+919999900001", "page-12345678", "phone.unusable-number"),  # a magic number
        ("not a number", "page-12345678", "phone.unusable-number"),
        ("+917012345678", "short", "invalid-parameter"),
    ],
)
def test_unusable_numbers_and_holders(
    engine_server: LiveServer, engine_account: AccountFixture, number: str, page: str, code: str
) -> None:
    with pytest.raises(TrunklineError) as refused:
        phone_of(engine_server).hold(engine_account.sid, page, number)
    assert code_of(refused) == code
    with pytest.raises(TrunklineError) as exophone:
        phone_of(engine_server).hold(engine_account.sid, holder(), engine_account.exophone)
    assert code_of(exophone) == "phone.unusable-number"
    assert phone_of(engine_server).held(engine_account.sid) == []


def test_dial_an_exophone_and_walk_its_flow(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    phone, number = phone_of(engine_server), a_number()
    url = flow_url(engine_client, engine_account)
    assign = engine_client.put(
        f"/admin/accounts/{engine_account.sid}/exophones/{engine_account.exophone}/flow",
        json={"app_id": "menu"},
        headers=ADMIN,
    )
    assert assign.status_code == 200, (assign.text, url)
    with pytest.raises(TrunklineError) as not_held:
        phone.dial(engine_account.sid, number, engine_account.exophone)
    assert code_of(not_held) == "phone.not-held"
    phone.hold(engine_account.sid, holder(), number)
    call = phone.dial(engine_account.sid, number, engine_account.exophone)
    leg = ringing(phone, engine_account, call.sid)
    assert (leg.direction, leg.status, leg.other_party) == ("outgoing", "ringing", engine_account.exophone)
    with pytest.raises(TrunklineError) as own:
        phone.answer(engine_account.sid, call.sid, 1)
    assert code_of(own) == "phone.not-ringing"
    advance(engine_client, 2)  # Exotel picks up after a second; the menu's prompt plays
    assert ringing(phone, engine_account, call.sid).menu == "menu"
    phone.press(engine_account.sid, call.sid, 1, "1")
    phone.hang_up(engine_account.sid, call.sid, 1)
    advance(engine_client, 1)
    assert applets(engine_client, call.sid) == ["menu", "sales"]
    assert details(engine_client, engine_account, call.sid)["Status"] == "completed"


def test_hanging_up_before_the_exophone_picks_up(
    engine_server: LiveServer, engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    """The person gives up while their call to an ExoPhone still rings: the call is not answered."""
    phone, number = phone_of(engine_server), a_number()
    flow_url(engine_client, engine_account)
    engine_client.put(
        f"/admin/accounts/{engine_account.sid}/exophones/{engine_account.exophone}/flow",
        json={"app_id": "menu"},
        headers=ADMIN,
    )
    phone.hold(engine_account.sid, holder(), number)
    call = phone.dial(engine_account.sid, number, engine_account.exophone)
    assert phone.hang_up(engine_account.sid, call.sid, 1).call_status == "no-answer"
    advance(engine_client, 2)
    assert details(engine_client, engine_account, call.sid)["Status"] == "no-answer"
    assert "leg1.canceled" in events(engine_client, call.sid)
    assert phone.legs(engine_account.sid) == []
