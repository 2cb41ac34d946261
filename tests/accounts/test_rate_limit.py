"""The per-account rate limit: 429 with Retry-After in RestException form, other accounts unaffected."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.factories import make_account, make_call
from tests.support.live_server import LiveServer, start_server


@pytest.fixture(scope="module")
def limited_server(database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    live = start_server(database_factory("sqlite", "rate_limited"), rate_limit_per_minute=5)
    yield live
    live.stop()


def test_given_limit_5_when_sixth_request_in_a_minute_then_429_with_retry_after(
    limited_server: LiveServer,
) -> None:
    noisy, quiet = make_account(limited_server.db), make_account(limited_server.db)
    with httpx.Client(base_url=limited_server.base_url) as client:
        url = f"/v1/Accounts/{noisy.sid}/Calls.json"
        remaining = [client.get(url, auth=noisy.auth).headers["X-RateLimit-Remaining"] for _ in range(5)]
        assert remaining == ["4", "3", "2", "1", "0"]
        limited = client.get(url, auth=noisy.auth)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["RestException"]["Status"] == 429
        assert "Rate limit exceeded" in limited.json()["RestException"]["Message"]
        xml = client.get(f"/v1/Accounts/{noisy.sid}/Calls", auth=noisy.auth)
        assert xml.status_code == 429 and b"<RestException>" in xml.content
        assert client.get(f"/v1/Accounts/{quiet.sid}/Calls.json", auth=quiet.auth).status_code == 200


def test_given_limit_5_when_call_details_then_the_fast_path_spends_and_reports_the_same_tokens(
    limited_server: LiveServer,
) -> None:
    """Plain call-details requests are answered by the raw ASGI path (``fast_details.py``); they must
    count against the limit and carry the same headers as every other v1 request."""
    account = make_account(limited_server.db)
    (call,) = account.add_calls(make_call(account))
    with httpx.Client(base_url=limited_server.base_url) as client:
        url = f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json"
        responses = [client.get(url, auth=account.auth) for _ in range(5)]
        assert [r.status_code for r in responses] == [200] * 5
        assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["4", "3", "2", "1", "0"]
        assert {r.headers["X-RateLimit-Limit"] for r in responses} == {"5"}
        limited = client.get(url, auth=account.auth)
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["RestException"]["Status"] == 429
        xml = client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}", auth=account.auth)
        assert xml.status_code == 429 and b"<RestException>" in xml.content


def test_given_the_fast_path_gives_way_after_spending_when_the_route_answers_then_one_token_is_spent(
    limited_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw path spends a token before it reads; if the read fails there, the route answers in
    full and spends its own, so the raw path's must go back."""
    account = make_account(limited_server.db)
    (call,) = account.add_calls(make_call(account))
    calls = limited_server.services.calls
    read = calls.details
    failures = iter([RuntimeError("the fast path's read fails once")])

    async def first_read_fails(*args, **kwargs):  # type: ignore[no-untyped-def]
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return await read(*args, **kwargs)

    with httpx.Client(base_url=limited_server.base_url) as client:
        url = f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json"
        assert client.get(url, auth=account.auth).headers["X-RateLimit-Remaining"] == "4"  # auth cached
        monkeypatch.setattr(calls, "details", first_read_fails)
        answer = client.get(url, auth=account.auth)
        assert answer.status_code == 200 and answer.json()["Call"]["Sid"] == call.sid
        assert next(failures, None) is None  # the fast path did try, and failed
        assert answer.headers["X-RateLimit-Remaining"] == "3"
