"""``/metrics`` (issue 16): requests and latency per dialect and route *template* (bounded series,
whatever paths clients send), calls by status, the engine's lag, webhook outcomes and queue depth,
the connection pool; and the bearer token that guards it when one is set."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import BACKENDS
from tests.support.calls_api import ADMIN, ANSWER, advance, place
from tests.support.factories import make_account, make_call
from tests.support.fone import auth as fone_auth
from tests.support.live_server import LiveServer, start_server
from tests.support.receiver import Receiver

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base_url: str, **headers: str) -> Samples:
    answer = httpx.get(f"{base_url}/metrics", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (n, labels) in samples if n == name]


def test_requests_are_counted_per_dialect_and_route_template(server: LiveServer) -> None:
    account = make_account(server.db)
    (call,) = account.add_calls(make_call(account))
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        before = scrape(server.base_url)
        for _ in range(3):  # the fast path (a plain details request) and the router count alike
            assert (
                client.get(f"/v1/Accounts/{account.sid}/Calls/{call.sid}.json", auth=account.auth).status_code
                == 200
            )
        assert (
            client.get(
                f"/v1/Accounts/{account.sid}/Calls/{call.sid}", auth=account.auth, params={"details": "true"}
            ).status_code
            == 200
        )
        assert (
            client.get(f"/v2/accounts/{account.sid}/calls/{call.sid}", auth=account.auth).status_code == 200
        )
        fone = client.get(f"/v2/Calls/{call.sid}", auth=fone_auth(account))
        assert client.get("/admin/clock", headers=ADMIN).status_code == 200
        assert (
            client.get(f"/v1/Accounts/{account.sid}/Calls/{'f' * 32}.json", auth=account.auth).status_code
            == 404
        )
        for n in range(20):  # twenty unknown paths: one series, not twenty
            assert client.get(f"/v1/nowhere/{n}").status_code == 404
        assert client.delete(f"/v1/Accounts/{account.sid}/Calls.json", auth=account.auth).status_code == 405
        assert client.request("BREW", "/admin/clock", headers=ADMIN).status_code in (400, 405)
    after = scrape(server.base_url)

    def grew(**labels: str) -> float:
        return value(after, "trunkline_http_requests_total", **labels) - value(
            before, "trunkline_http_requests_total", **labels
        )

    details = "/v1/Accounts/{account_sid}/Calls/{call_sid}"
    assert grew(dialect="exotel_v1", route=details, method="GET", status="200") == 4
    assert grew(dialect="exotel_v1", route=details, method="GET", status="404") == 1
    assert (
        grew(
            dialect="exotel_ccm_v2",
            route="/v2/accounts/{account_sid}/calls/{call_sid}",
            method="GET",
            status="200",
        )
        == 1
    )
    assert (
        grew(
            dialect="fone_dynamics", route="/v2/Calls/{call_sid}", method="GET", status=str(fone.status_code)
        )
        == 1
    )
    assert grew(dialect="admin", route="/admin/clock", method="GET", status="200") == 1
    assert grew(dialect="exotel_v1", route="(unmatched)", method="GET", status="404") == 20
    assert (
        grew(
            dialect="exotel_v1", route="/v1/Accounts/{account_sid}/Calls.json", method="DELETE", status="405"
        )
        == 1
    )
    requests = series(after, "trunkline_http_requests_total")
    assert all(account.sid not in s["route"] and call.sid not in s["route"] for s in requests)
    assert {s["method"] for s in requests} <= {
        "GET",
        "HEAD",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "OPTIONS",
        "other",
    }
    latency = value(
        after,
        "trunkline_http_request_duration_seconds_count",
        dialect="exotel_v1",
        route=details,
        method="GET",
    )
    assert latency >= 5
    assert "trunkline_db_pool_in_use" in {name for name, _ in after}
    assert value(after, "trunkline_store_up") == 1
    assert value(after, "process_resident_memory_bytes") > 0


def test_unknown_console_paths_are_a_counted_404_not_an_error(server: LiveServer) -> None:
    """A path the console's router does not know leaves the Router itself in the scope; it once
    broke the count with a TypeError, logged as an ASGI error, and the request went uncounted."""
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        before = scrape(server.base_url)
        for path in ("/console/nosuchpage", "/console/signin", "/console/call/abc"):
            assert client.get(path).status_code == 404
        after = scrape(server.base_url)
    labels = {"dialect": "console", "route": "(unmatched)", "method": "GET", "status": "404"}
    counted = value(after, "trunkline_http_requests_total", **labels)
    assert counted - value(before, "trunkline_http_requests_total", **labels) == 3


def test_calls_by_status_lag_and_webhook_outcomes(engine_server: LiveServer, receiver: Receiver) -> None:
    account = make_account(engine_server.db)
    with httpx.Client(base_url=engine_server.base_url, timeout=60) as client:
        before = scrape(engine_server.base_url)
        call = place(client, account, From=ANSWER, To=ANSWER, TimeLimit="30", StatusCallback=receiver.url)
        time.sleep(5.1)  # past the figures' cache, so the next scrape reads the store again
        live = scrape(engine_server.base_url)
        assert value(live, "trunkline_calls", status="live") >= 1
        advance(client, 300)
        receiver.wait_for(1, timeout=10)
        deadline = time.monotonic() + 15
        while True:
            time.sleep(0.2)
            after = scrape(engine_server.base_url)
            delivered = value(after, "trunkline_webhook_deliveries_total", outcome="delivered")
            settled = value(after, "trunkline_calls", status="completed") > value(
                before, "trunkline_calls", status="completed"
            )
            if (
                delivered > value(before, "trunkline_webhook_deliveries_total", outcome="delivered")
                and settled
            ) or time.monotonic() > deadline:
                break
        assert delivered > value(before, "trunkline_webhook_deliveries_total", outcome="delivered"), call
        assert settled
    assert {s["work"] for s in series(after, "trunkline_engine_lag_seconds")} == {
        "calls",
        "webhooks",
        "passthru",
    }
    assert value(after, "trunkline_engine_lag_seconds", work="calls") < 5
    assert {s["state"] for s in series(after, "trunkline_webhook_queue_depth")} == {"pending", "due"}


@pytest.fixture(scope="module", params=BACKENDS[:1])
def guarded(request: pytest.FixtureRequest, database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    db = database_factory(request.param, f"metrics_token_{request.param}")
    live = start_server(db, rate_limit_per_minute=0, metrics_token="scrape-me")
    yield live
    live.stop()


def test_a_metrics_token_guards_metrics_and_nothing_else(guarded: LiveServer) -> None:
    refused = httpx.get(f"{guarded.base_url}/metrics", timeout=10)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error"]["code"] == "authentication-failed"
    wrong = httpx.get(
        f"{guarded.base_url}/metrics", headers={"Authorization": "Bearer scrape-you"}, timeout=10
    )
    assert wrong.status_code == 401
    assert scrape(guarded.base_url, Authorization="Bearer scrape-me")
    assert httpx.get(f"{guarded.base_url}/healthz", timeout=10).status_code == 200
    assert httpx.get(f"{guarded.base_url}/readyz", timeout=10).status_code == 200
