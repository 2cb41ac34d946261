"""Retries and backoff, on a local httpx MockTransport (no server, no sleeping: waits are recorded)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from trunkline_client import (
    AsyncTrunkline,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    Trunkline,
)
from trunkline_client.connection import Api, Connection
from trunkline_client.transport import ApiRequest

CALL = {"Call": {"Sid": "a" * 32, "Status": "completed", "Duration": "17", "Price": "1.500"}}
Handler = Callable[[httpx.Request], httpx.Response]


def _sync(handler: Handler, **policy: float) -> tuple[Trunkline, list[float]]:
    """A client on a MockTransport whose waits are recorded instead of slept."""
    waits: list[float] = []
    client = Trunkline(
        "acme",
        "key",
        "token",
        base_url="http://trunkline.test",
        retry_policy=RetryPolicy(jitter=lambda: 0.0, **policy),  # type: ignore[arg-type]
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    client._transport._sleep = waits.append
    return client, waits


def _answers(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def test_429_is_retried_after_retry_after() -> None:
    handler, seen = _answers(
        httpx.Response(429, headers={"Retry-After": "3"}, json={"RestException": {"Status": 429}}),
        httpx.Response(200, json=CALL),
    )
    client, waits = _sync(handler)
    call = client.calls.get("a" * 32)
    assert call.duration == 17 and len(seen) == 2 and waits == [3.0]
    assert seen[0].headers["authorization"].startswith("Basic ")


def test_429_beyond_the_longest_wait_is_raised_with_retry_after() -> None:
    handler, seen = _answers(
        httpx.Response(
            429, headers={"Retry-After": "120"}, json={"RestException": {"Status": 429, "Message": "slow"}}
        )
    )
    client, waits = _sync(handler)
    with pytest.raises(RateLimitedError) as refused:
        client.calls.get("a" * 32)
    assert refused.value.retry_after == 120 and refused.value.message == "slow" and waits == []


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=5.0, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    low = RetryPolicy(backoff_base=1.0, backoff_cap=5.0, jitter=lambda: 0.0)
    assert [low.backoff(n) for n in range(3)] == [0.5, 1.0, 2.0]


def test_get_is_retried_after_a_broken_connection_until_max_retries() -> None:
    broken = httpx.ReadError("reset")
    handler, seen = _answers(broken, broken, httpx.Response(200, json=CALL))
    client, waits = _sync(handler)
    assert client.calls.get("a" * 32).sid == "a" * 32
    assert len(seen) == 3 and waits == [0.25, 0.5]

    handler, seen = _answers(broken, broken, broken)
    client, _ = _sync(handler)
    with pytest.raises(TransportError):
        client.calls.get("a" * 32)
    assert len(seen) == 3


def test_connect_is_never_resent_once_it_may_have_been_sent() -> None:
    handler, seen = _answers(httpx.ReadError("reset"))
    client, _ = _sync(handler)
    with pytest.raises(TransportError):
        client.calls.connect(from_="+919999900001", to="+919999900002", caller_id="+918047112233")
    assert len(seen) == 1


def test_connect_is_retried_when_the_connection_never_opened() -> None:
    handler, seen = _answers(httpx.ConnectError("refused"), httpx.Response(200, json=CALL))
    client, _ = _sync(handler)
    client.calls.connect(from_="+919999900001", to="+919999900002", caller_id="+918047112233")
    assert len(seen) == 2
    assert seen[1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert seen[1].content == b"From=%2B919999900001&To=%2B919999900002&CallerId=%2B918047112233"


def test_server_errors_are_retried_for_gets_only() -> None:
    failing = httpx.Response(503, json={"RestException": {"Status": 503, "Message": "Service Unavailable; "}})
    handler, seen = _answers(failing, httpx.Response(200, json=CALL))
    client, _ = _sync(handler)
    client.calls.get("a" * 32)
    assert len(seen) == 2
    handler, seen = _answers(failing)
    client, _ = _sync(handler)
    with pytest.raises(ServerError) as failed:
        client.calls.connect(from_="+919999900001", to="+919999900002", caller_id="+918047112233")
    assert failed.value.status == 503 and len(seen) == 1


def test_async_client_retries_the_same_way() -> None:
    handler, seen = _answers(
        httpx.Response(429, headers={"Retry-After": "2"}, json={}),
        httpx.ConnectError("refused"),
        httpx.Response(200, json=CALL),
    )
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def main() -> None:
        async with AsyncTrunkline(
            "acme",
            "key",
            "token",
            base_url="http://trunkline.test",
            retry_policy=RetryPolicy(jitter=lambda: 0.0),
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        ) as client:
            client._transport._sleep = sleep
            call = await client.calls.get("a" * 32)
            assert call.sid == "a" * 32

    asyncio.run(main())
    assert len(seen) == 3 and waits == [2.0, 0.5]


def test_requests_go_to_each_apis_host() -> None:
    connection = Connection("acme", "key", "token", "https://api.in.exotel.com")
    assert connection.base(Api.V1) == "https://api.in.exotel.com"
    assert connection.base(Api.CCM) == "https://ccm-api.in.exotel.com"
    assert connection.base(Api.FONE) == "https://api.fonedynamics.com"
    local = Connection("acme", "key", "token", "http://127.0.0.1:8000/")
    assert {local.base(api) for api in Api} == {"http://127.0.0.1:8000"}
    assert connection.auth_header(Api.FONE) != connection.auth_header(Api.V1)  # AccountSid:Token
    request = ApiRequest("GET", Api.V1, "/v1/Accounts/acme/Calls.json")
    assert request.form is None
