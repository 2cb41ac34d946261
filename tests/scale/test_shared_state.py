"""Two server processes on one PostgreSQL behave as one: one rate limit, one agent rung once, one
clock and scenario seen by both as soon as an admin change answers."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.scale.conftest import StartProcesses
from tests.support.calls_api import ADMIN, ANSWER
from tests.support.ccm import add_agent, error_of, long_talker, make_call_body, post_call
from tests.support.factories import make_account
from trunkline.store.database import Database


def test_two_processes_share_one_rate_limit(processes: StartProcesses, shared_store: Database) -> None:
    """60 a minute is 60 in total: requests alternating between the two processes are served until
    the one shared bucket is empty (plus what refills meanwhile), not 60 by each."""
    a, b = processes(2, TRUNKLINE_RATE_LIMIT_PER_MINUTE="60")
    account = make_account(shared_store)
    path = f"/v1/Accounts/{account.sid}/Calls.json"
    served = {a.port: 0, b.port: 0}
    refused_in_a_row = 0
    started = time.monotonic()
    with httpx.Client(timeout=10, auth=account.auth) as http:
        for n in range(300):
            process = (a, b)[n % 2]
            response = http.get(process.base_url + path)
            if response.status_code == 200:
                served[process.port] += 1
                refused_in_a_row = 0
                continue
            assert response.status_code == 429, response.text
            assert int(response.headers["Retry-After"]) >= 1
            refused_in_a_row += 1
            if refused_in_a_row == 4:
                break
    elapsed = time.monotonic() - started
    total = sum(served.values())
    assert refused_in_a_row == 4, served
    assert all(served.values()), served  # both processes served the account
    # At most the bucket plus its refill (1 a second); at least the bucket, less one reservation a
    # process may have dropped unspent (services/rate_limits.py: HOLD_S).
    assert 60 - 6 <= total <= 60 + int(elapsed) + 1, (total, elapsed)


def test_two_make_calls_for_one_free_agent_ring_it_once_across_processes(
    processes: StartProcesses, shared_store: Database
) -> None:
    a, b = processes(2, args=("--clock", "virtual"))
    account = make_account(shared_store)
    with httpx.Client(base_url=a.base_url, timeout=30) as http:
        agent = add_agent(http, account, ANSWER)
    bodies = [make_call_body(account, agent, long_talker()) for _ in range(8)]

    def post(n_body: tuple[int, dict[str, Any]]) -> httpx.Response:
        n, body = n_body
        with httpx.Client(base_url=(a, b)[n % 2].base_url, timeout=30) as http:
            return post_call(http, account, body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        answers = list(pool.map(post, enumerate(bodies)))
    assert sorted(answer.status_code for answer in answers) == [200] + [409] * (len(bodies) - 1)
    assert {error_of(answer) for answer in answers if answer.status_code == 409} == {(409, 10706)}


def test_a_clock_advance_and_a_scenario_are_seen_by_both_processes_when_the_request_answers(
    processes: StartProcesses,
) -> None:
    a, b = processes(2, args=("--clock", "virtual"))
    with httpx.Client(timeout=10, headers=ADMIN) as http:
        for _ in range(3):
            moved = http.post(a.base_url + "/admin/clock/advance", json={"seconds": 90})
            assert moved.status_code == 200, moved.text
            seen = http.get(b.base_url + "/admin/clock").json()
            assert seen["now_ms"] == moved.json()["now_ms"]
        rules = {"rules": [{"match": "+9198*", "busy": 1.0}]}
        put = http.put(a.base_url + "/admin/scenario", json=rules)
        assert put.status_code == 200, put.text
        assert http.get(b.base_url + "/admin/scenario").json() == put.json()
        reset = http.post(a.base_url + "/admin/reset", json={})
        assert reset.status_code == 200, reset.text
        assert http.get(b.base_url + "/admin/clock").json()["now_ms"] == reset.json()["clock"]["now_ms"]

        # Both list the same two live processes, each marking itself, both up to the reset's change.
        pids = {a.process.pid, b.process.pid}
        for served in (a, b):
            listed = http.get(served.base_url + "/admin/processes").json()
            assert listed["registry"] is True
            assert {p["pid"] for p in listed["processes"]} == pids
            (me,) = [p for p in listed["processes"] if p["this_process"]]
            assert me["pid"] == served.process.pid
            gone_ms = listed["gone_after_seconds"] * 1000
            assert all(p["heartbeat_age_ms"] < gone_ms for p in listed["processes"])
            assert len({p["generation"] for p in listed["processes"]}) == 1
