"""The console's Phone on a running clock (scaled 20x): a leg waits for the person in real time and
rings out at its own network time, an answer is taken as it happens, and a hold that no page
renews runs out in wall time, after which the simulated network answers the number again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.phone.test_phone_service import a_number, holder
from tests.support.calls_api import ADMIN, ANSWER, details, place
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer, start_server


@pytest.fixture(scope="module")
def scaled(database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    db = database_factory("sqlite", "phone_scaled")
    live = start_server(db, rate_limit_per_minute=0, clock="real", time_scale=20, phone_hold_seconds=3)
    yield live
    live.stop()


def until(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def status(http: httpx.Client, account: AccountFixture, sid: str) -> str:
    value: str = details(http, account, sid)["Status"]
    return value


def test_a_leg_waits_in_real_time_and_rings_out_on_its_own_timer(scaled: LiveServer) -> None:
    account, number, phone = make_account(scaled.db), a_number(), scaled.services.phone
    phone.hold(account.sid, holder(), number)
    with httpx.Client(base_url=scaled.base_url, timeout=30) as http:
        started = time.monotonic()
        left = place(http, account, From=number, To=ANSWER, TimeOut=40)  # 2 s of wall time at 20x
        answered = place(http, account, From=number, To=ANSWER, TimeOut=40)
        until(lambda: len(phone.legs(account.sid)) == 2)
        phone.answer(account.sid, answered["Sid"], 1)
        until(lambda: status(http, account, left["Sid"]) == "no-answer")
        assert time.monotonic() - started >= 1.5  # not the network's outcome: its own ring timeout
        until(lambda: status(http, account, answered["Sid"]) == "in-progress")


def test_a_hold_nobody_renews_runs_out(scaled: LiveServer) -> None:
    account, number, phone = make_account(scaled.db), a_number(), scaled.services.phone
    phone.hold(account.sid, holder(), number)
    rules = [{"match": number, "answer": 0, "busy": 1, "no_answer": 0, "fail": 0}]
    with httpx.Client(base_url=scaled.base_url, timeout=30) as http:
        assert http.put("/admin/scenario", json={"rules": rules}, headers=ADMIN).status_code == 200
        time.sleep(3.2)
        assert phone.held(account.sid) == []
        call = place(http, account, From=number, To=ANSWER)
        until(lambda: status(http, account, call["Sid"]) == "busy")
        assert phone.legs(account.sid) == []
