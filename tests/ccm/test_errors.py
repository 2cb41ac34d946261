"""Every CCM v2 error in its envelope (docs/api-choices.md §CCM v2), both backends: auth, parsing, each field,
agents' devices, ExoPhones, unknown paths and calls, methods, the rate limit, an unexpected failure;
nothing is stored by a rejected request and no input reaches a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.calls_api import ANSWER, STAYS
from tests.support.ccm import add_agent, error_of, long_talker, make_call_body, post_call
from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import LiveServer, start_server
from trunkline.store.calls import CallStore
from trunkline.store.schema.agents import agent_calls
from trunkline.store.schema.calls import calls


def _stored(account: AccountFixture) -> tuple[int, int]:
    with account.db.engine.connect() as conn:
        placed = conn.execute(select(func.count()).where(calls.c.account_id == account.account_id)).scalar()
        agents = conn.execute(
            select(func.count()).where(agent_calls.c.account_id == account.account_id)
        ).scalar()
    return int(placed or 0), int(agents or 0)


def test_given_no_or_wrong_credentials_when_any_endpoint_then_401_1010(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    for method, path in (
        ("POST", "calls"),
        ("GET", "calls/" + "a" * 32),
        ("GET", "calls/" + "a" * 32 + "/legs"),
    ):
        url = f"/v2/accounts/{engine_account.sid}/{path}"
        for auth in (None, httpx.BasicAuth(engine_account.api_key, "wrong-token")):
            response = engine_client.request(method, url, json={}, auth=auth)
            assert error_of(response) == (401, 1010)
            assert response.json()["method"] == method
            assert response.headers["www-authenticate"].startswith("Basic")


def test_given_another_accounts_credentials_when_make_call_then_403_1003(
    engine_client: httpx.Client, engine_server: LiveServer, engine_account: AccountFixture
) -> None:
    other = make_account(engine_server.db)
    response = engine_client.post(f"/v2/accounts/{engine_account.sid}/calls", json={}, auth=other.auth)
    assert error_of(response) == (403, 1003)


def test_given_a_body_that_is_not_json_when_make_call_then_415_or_400_1007(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    text = post_call(engine_client, engine_account, b"from=x", headers={"Content-Type": "text/plain"})
    assert error_of(text) == (415, 1011)
    assert text.json()["response"]["error_data"]["description"] == "text/plain"
    form = engine_client.post(
        f"/v2/accounts/{engine_account.sid}/calls", data={"from": "x"}, auth=engine_account.auth
    )
    assert error_of(form) == (415, 1011)
    assert form.json()["response"]["error_data"]["description"] == "application/x-www-form-urlencoded"
    for raw in (b"{not json", b"[1, 2]", b"", b'"text"', b"\xff\xfe"):
        response = post_call(engine_client, engine_account, raw, headers={"Content-Type": "application/json"})
        assert error_of(response) == (400, 1007), raw
    assert _stored(engine_account) == (0, 0)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"from": None}, "from"),
        ({"from": {}}, "from"),
        ({"to": None}, "to"),
        ({"to": {}}, "to.number"),
        ({"virtual_number": None}, "virtual_number"),
        ({"status_callback": [{"event": "terminal"}]}, "status_callback[0]"),
    ],
)
def test_given_a_missing_mandatory_field_when_make_call_then_400_1001_naming_it(
    engine_client: httpx.Client, engine_account: AccountFixture, change: dict[str, Any], named: str
) -> None:
    agent = add_agent(engine_client, engine_account, STAYS)
    body = {
        k: v for k, v in {**make_call_body(engine_account, agent, ANSWER), **change}.items() if v is not None
    }
    response = post_call(engine_client, engine_account, body)
    assert error_of(response) == (400, 1001)
    assert named in response.json()["response"]["error_data"]["description"]
    assert _stored(engine_account) == (0, 0)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"from": "agent"}, "from"),
        ({"from": {"user_id": "x", "user_contact_uri": "sip:a@b"}}, "from"),
        ({"from": {"user_id": 42}}, "from.user_id"),
        ({"from": {"user_contact_uri": "not a number"}}, "from.user_contact_uri"),
        ({"to": {"number": "12"}}, "to.number"),
        ({"to": {"number": 919812345678}}, "to.number"),
        ({"to": {"number": "sip:bob@example.com"}}, "to.number"),
        ({"virtual_number": "abc"}, "virtual_number"),
        ({"recording": "maybe"}, "recording"),
        ({"recording_channels": "quad"}, "recording_channels"),
        ({"max_time_limit": 0}, "max_time_limit"),
        ({"max_time_limit": 14401}, "max_time_limit"),
        ({"attempt_time_out": "soon"}, "attempt_time_out"),
        ({"attempt_time_out": True}, "attempt_time_out"),
        ({"custom_field": "x" * 129}, "custom_field"),
        ({"custom_field": {"a": 1}}, "custom_field"),
        ({"wait_audio_url": "ftp://example.com/a.wav"}, "wait_audio_url"),
        ({"status_callback": "http://127.0.0.1/cb"}, "status_callback"),
        (
            {"status_callback": [{"event": "ringing", "url": "http://127.0.0.1/cb"}]},
            "status_callback[0].event",
        ),
        ({"status_callback": [{"event": "terminal", "url": "mailto:a@b"}]}, "status_callback[0].url"),
        (
            {"status_callback": [{"event": "terminal", "url": "http://127.0.0.1/a"}] * 2},
            "status_callback[1].event",
        ),
        ({"status_callback": [{"event": "terminal", "url": "http://exa mple.com/a"}]}, "status_callback"),
    ],
)
def test_given_an_invalid_field_when_make_call_then_400_1002_naming_it(
    engine_client: httpx.Client, engine_account: AccountFixture, change: dict[str, Any], named: str
) -> None:
    agent = add_agent(engine_client, engine_account, STAYS)
    response = post_call(
        engine_client, engine_account, {**make_call_body(engine_account, agent, ANSWER), **change}
    )
    assert error_of(response) == (400, 1002), response.text
    assert named in response.json()["response"]["error_data"]["description"]
    assert _stored(engine_account) == (0, 0)


def test_given_an_unknown_agent_when_make_call_then_404_10731(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    for source in ({"user_id": "nobody"}, {"user_contact_uri": "sip:nobody@example.com"}):
        body = {"from": source, "to": {"number": ANSWER}, "virtual_number": engine_account.exophones[0]}
        assert error_of(post_call(engine_client, engine_account, body)) == (404, 10731)
    assert _stored(engine_account) == (0, 0)


@pytest.mark.parametrize(("state", "code"), [("off", 1012), ("unverified", 10705), ("busy", 10706)])
def test_given_an_agents_device_state_when_make_call_then_409_with_its_code(
    engine_client: httpx.Client, engine_account: AccountFixture, state: str, code: int
) -> None:
    agent = add_agent(engine_client, engine_account, STAYS, device_state=state)
    response = post_call(engine_client, engine_account, make_call_body(engine_account, agent, ANSWER))
    assert error_of(response) == (409, code)
    assert _stored(engine_account) == (0, 0)


def test_given_a_virtual_number_not_of_the_account_when_make_call_then_404_10716(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    agent = add_agent(engine_client, engine_account, STAYS)
    body = make_call_body(engine_account, agent, ANSWER, virtual_number="+918000000001")
    assert error_of(post_call(engine_client, engine_account, body)) == (404, 10716)
    assert _stored(engine_account) == (0, 0)
    # and the agent is not left busy by the rejected call
    assert (
        post_call(engine_client, engine_account, make_call_body(engine_account, agent, ANSWER)).status_code
        == 200
    )


def test_given_unknown_paths_and_calls_when_requested_then_404_1000_and_legs_10744(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    base = f"/v2/accounts/{engine_account.sid}"
    assert error_of(engine_client.get(f"{base}/calls/{'b' * 32}", auth=engine_account.auth)) == (404, 1000)
    assert error_of(engine_client.get(f"{base}/calls/..%2F..", auth=engine_account.auth)) == (404, 1000)
    assert error_of(engine_client.get(f"{base}/calls/{'b' * 32}/legs", auth=engine_account.auth)) == (
        404,
        10744,
    )
    assert error_of(engine_client.get(f"{base}/calls/not-a-sid!/legs", auth=engine_account.auth)) == (
        404,
        10744,
    )
    assert error_of(engine_client.get(f"{base}/users", auth=engine_account.auth)) == (404, 1000)
    assert error_of(engine_client.get(f"/v2/accounts/{engine_account.sid}", auth=engine_account.auth)) == (
        404,
        1000,
    )
    assert error_of(engine_client.get("/v2/accounts", auth=engine_account.auth)) == (404, 1000)
    assert error_of(engine_client.get("/v2/accounts/", auth=engine_account.auth)) == (404, 1000)


def test_given_a_wrong_method_when_requested_then_405(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    base = f"/v2/accounts/{engine_account.sid}/calls"
    assert error_of(engine_client.get(base, auth=engine_account.auth)) == (405, 405)
    assert error_of(engine_client.delete(f"{base}/{'c' * 32}", auth=engine_account.auth)) == (405, 405)
    assert engine_client.delete(f"{base}/{'c' * 32}", auth=engine_account.auth).json()["method"] == "DELETE"


def test_given_a_store_failure_when_details_then_500_1100_without_a_traceback(
    engine_client: httpx.Client,
    engine_server: LiveServer,
    engine_account: AccountFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(CallStore, "get", broken)
    response = engine_client.get(
        f"/v2/accounts/{engine_account.sid}/calls/{'d' * 32}", auth=engine_account.auth
    )
    assert error_of(response) == (500, 1100)
    assert "secret" not in response.text and "Traceback" not in response.text


BAD_VALUES: list[Any] = [
    None, 0, -1, 1.5, True, [], {}, "", " ", "x" * 3000, "\u0000", "a\u0000b", "²", {"number": []}, [{}],
]  # fmt: skip


def test_given_any_wrong_value_in_any_field_when_make_call_then_never_a_500(
    engine_client: httpx.Client, engine_account: AccountFixture
) -> None:
    """Each value goes to a free agent: a value that is accepted places a call and keeps its agent
    busy, and a busy agent would answer 409 before the next value reached the engine or the store."""

    def fresh() -> dict[str, Any]:
        return make_call_body(
            engine_account,
            add_agent(engine_client, engine_account, long_talker()),
            ANSWER,
            attempt_time_out=5,
        )

    good = fresh()
    fields = [*good, "recording", "recording_channels", "wait_audio_url", "max_time_limit", "custom_field"]
    fields += ["status_callback"]
    changes: list[dict[str, Any]] = [{field: value} for field in fields for value in BAD_VALUES]
    changes += [
        {"from": {"user_id": "agent\u0000"}},
        {"from": {"user_contact_uri": "sip:a\u0000b@example.com"}},
        {"to": {"number": "+9199999\u000000001"}},
    ]
    for change in changes:
        response = post_call(engine_client, engine_account, {**good, **change})
        assert response.status_code in (200, 400, 404), (change, response.text)
        error_data = response.json()["response"].get("error_data")
        assert response.status_code == 200 or error_data["description"]
        if response.status_code == 200:
            good = fresh()  # the call keeps its agent busy
    nul = post_call(engine_client, engine_account, {**fresh(), "custom_field": "order\u00001"})
    assert error_of(nul)[0] == 400 and "control character" in nul.text


@pytest.fixture(scope="module")
def limited_server(database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    live = start_server(database_factory("sqlite", "ccm_rate_limited"), rate_limit_per_minute=3)
    yield live
    live.stop()


def test_given_limit_3_when_fourth_request_then_429_10724_with_retry_after(
    limited_server: LiveServer,
) -> None:
    noisy, quiet = make_account(limited_server.db), make_account(limited_server.db)
    with httpx.Client(base_url=limited_server.base_url) as client:
        url = f"/v2/accounts/{noisy.sid}/calls/{'e' * 32}"
        remaining = [client.get(url, auth=noisy.auth).headers["X-RateLimit-Remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        limited = client.get(url, auth=noisy.auth)
        assert error_of(limited) == (429, 10724)
        assert int(limited.headers["Retry-After"]) >= 1
        assert client.get(f"/v2/accounts/{quiet.sid}/calls/{'e' * 32}", auth=quiet.auth).status_code == 404
