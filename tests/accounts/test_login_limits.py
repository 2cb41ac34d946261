"""Nobody can stall logins: unknown API keys cost no hash, failures are limited per client address
and per key (429 in the dialect's envelope, with Retry-After), a forwarded address counts only from a
trusted proxy, and a valid login does not queue behind failing ones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer, start_server

BAD_REQUESTS = 60


@pytest.fixture
def strict(database_factory, request: pytest.FixtureRequest) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A SQLite server allowing 3 failed logins a minute (a token back every 20 s: the test is done
    before one comes back), with no trusted proxy."""
    db = database_factory("sqlite", f"logins_{request.node.name[:40]}")
    live = start_server(db, rate_limit_per_minute=0, login_failures_per_minute=3)
    yield live
    live.stop()


def _calls(
    http: httpx.Client, account: AccountFixture, auth: httpx.BasicAuth, **headers: str
) -> httpx.Response:
    return http.get(f"/v1/Accounts/{account.sid}/Calls.json", auth=auth, headers=headers)


def test_unknown_keys_cost_no_hash_and_answer_like_a_wrong_token(server: LiveServer) -> None:
    """60 logins at once with unknown keys, then 60 with wrong tokens for a real key. Both were hashed
    two at a time (unknown keys against a dummy hash) and took as long; now an unknown key costs one
    read and the floor every failure waits out, so its batch is much the quicker, with the same 401."""
    account = make_account(server.db)

    def batch(auths: list[httpx.BasicAuth]) -> tuple[float, set[int], set[str]]:
        with httpx.Client(base_url=server.base_url, timeout=60) as http, ThreadPoolExecutor(30) as pool:
            started = time.monotonic()
            answers = list(pool.map(lambda auth: _calls(http, account, auth), auths))
            return time.monotonic() - started, {a.status_code for a in answers}, {a.text for a in answers}

    unknown = batch([httpx.BasicAuth(f"nokey{i}", "whatever") for i in range(BAD_REQUESTS)])
    wrong = batch([httpx.BasicAuth(account.api_key, f"wrong{i}") for i in range(BAD_REQUESTS)])
    assert unknown[1:] == wrong[1:] == ({401}, wrong[2]) and len(wrong[2]) == 1
    # Hashed, the two batches would take about as long; a margin for a busy machine (0.54 seen).
    assert unknown[0] < wrong[0] * 0.75, (unknown[0], wrong[0])


def test_failures_per_key_and_address_get_a_429_but_a_cached_login_still_works(strict: LiveServer) -> None:
    account = make_account(strict.db)
    with httpx.Client(base_url=strict.base_url, timeout=30) as http:
        assert _calls(http, account, account.auth).status_code == 200  # verified, now cached
        statuses: list[int] = []
        while 429 not in statuses and len(statuses) < 30:
            statuses.append(_calls(http, account, httpx.BasicAuth(account.api_key, "wrong")).status_code)
        assert statuses[-1] == 429 and set(statuses[:-1]) == {401} and 3 <= len(statuses) - 1 < 30
        refused = _calls(http, account, httpx.BasicAuth(account.api_key, "wrong"))
        body = refused.json()["RestException"]
        assert (
            refused.status_code == 429
            and body["Status"] == 429
            and "Too many failed logins" in body["Message"]
        )
        assert int(refused.headers["Retry-After"]) >= 1
        assert _calls(http, account, account.auth).status_code == 200  # in the cache: no check needed
        # The address is limited too: another account's uncached, valid login from it waits.
        other = make_account(strict.db)
        assert _calls(http, other, other.auth).status_code == 429
        # A forwarded address from an untrusted peer changes nothing.
        assert _calls(http, other, other.auth, **{"X-Forwarded-For": "203.0.113.9"}).status_code == 429


def test_a_forwarded_address_counts_only_from_a_trusted_proxy(database_factory) -> None:  # type: ignore[no-untyped-def]
    live = start_server(
        database_factory("sqlite", "logins_proxied"),
        rate_limit_per_minute=0,
        login_failures_per_minute=5,
        trusted_proxies="127.0.0.1, 10.0.0.0/8",
    )
    try:
        account, other = make_account(live.db), make_account(live.db)
        attacker = {"X-Forwarded-For": "198.51.100.7, 10.1.2.3"}  # the client, then an inner proxy
        with httpx.Client(base_url=live.base_url, timeout=30) as http:
            statuses = [
                _calls(http, account, httpx.BasicAuth(f"guess{i}", "x"), **attacker).status_code
                for i in range(7)
            ]
            assert statuses == [401] * 5 + [429] * 2
            # Another client behind the same proxy is not charged for the attacker's failures.
            user = {"X-Forwarded-For": "198.51.100.8"}
            assert _calls(http, other, other.auth, **user).status_code == 200
    finally:
        live.stop()


def test_a_valid_login_does_not_queue_behind_a_flood_of_wrong_tokens(server: LiveServer) -> None:
    """Wrong tokens for one key, 60 at once, from one address: they hash in the lane of keys that
    failed lately, two at a time; a valid, uncached login for another key hashes in its own lane and
    answers long before the flood is through (before, it waited behind the whole queue)."""
    victim, user = make_account(server.db), make_account(server.db)
    with httpx.Client(base_url=server.base_url, timeout=60) as http, ThreadPoolExecutor(20) as pool:
        started = time.monotonic()

        def wrong(i: int) -> float:
            assert _calls(http, victim, httpx.BasicAuth(victim.api_key, f"wrong{i}")).status_code == 401
            return time.monotonic() - started

        flood = [pool.submit(wrong, i) for i in range(60)]
        time.sleep(0.3)  # the flood is queued
        with httpx.Client(base_url=server.base_url, timeout=60) as own:
            asked = time.monotonic()
            assert _calls(own, user, user.auth).status_code == 200
            valid = time.monotonic() - asked
        flood_took = max(f.result() for f in flood)
    assert valid < flood_took / 2, (valid, flood_took)
