"""A leg ringing the console's Phone survives a restart: a second server over the same SQLite file
still lists it and takes the person's answer, and a leg nobody answers rings out at its own time."""

from __future__ import annotations

import httpx

from tests.phone.test_phone_service import a_number, holder
from tests.support.calls_api import ANSWER, advance, details, place
from tests.support.factories import make_account
from tests.support.live_server import start_server

VIRTUAL = {"clock": "virtual", "settle_delay_seconds": 0, "rate_limit_per_minute": 0}


def test_a_ringing_leg_waits_across_a_restart(database_factory) -> None:  # type: ignore[no-untyped-def]
    db = database_factory("sqlite", "phone_restart")
    account, number = make_account(db), a_number()
    first = start_server(db, **VIRTUAL)
    try:
        first.services.phone.hold(account.sid, holder(), number)
        with httpx.Client(base_url=first.base_url, timeout=30) as client:
            answered = place(client, account, From=number, To=ANSWER, TimeOut=40)
            left = place(client, account, From=number, To=ANSWER, TimeOut=20)
            advance(client, 5)
    finally:
        first.stop()
    second = start_server(db, **VIRTUAL)
    try:
        phone = second.services.phone
        assert sorted(leg.call_sid for leg in phone.legs(account.sid)) == sorted(
            [answered["Sid"], left["Sid"]]
        )
        with httpx.Client(base_url=second.base_url, timeout=30) as client:
            advance(client, 10)
            assert phone.answer(account.sid, answered["Sid"], 1).leg_status == "answered"
            advance(client, 10)  # 25 s after it was placed: the other leg's 20 s ring timeout passed
            assert details(client, account, left["Sid"])["Status"] == "no-answer"
            assert details(client, account, answered["Sid"])["Status"] == "in-progress"
            assert [leg.call_sid for leg in phone.legs(account.sid)] == [answered["Sid"]]
    finally:
        second.stop()
