"""The status-callback outbox and its worker, through real HTTP to a receiver on 127.0.0.1, on SQLite
and PostgreSQL: bodies as receivers parse them, retries and their schedule, timeouts, redelivery, the
private-target policy, concurrent claimers, and deliveries that survive a crashed worker."""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import orjson
import pytest
from sqlalchemy import func, select

from tests.conftest import BACKENDS
from tests.support.factories import AccountFixture, make_account, make_call
from tests.support.receiver import Receiver, Reply, form_fields
from trunkline.domain.clock import now_ms
from trunkline.domain.errors import InvalidParameter
from trunkline.engine.webhooks import target_policy
from trunkline.engine.webhooks.delivery import USER_AGENT, WebhookDeliverer
from trunkline.engine.webhooks.target_policy import check_callback_url, resolved_target_allowed
from trunkline.store.database import Database
from trunkline.store.schema.calls import calls
from trunkline.store.schema.webhooks import webhook_attempts, webhook_deliveries
from trunkline.store.webhooks import Delivery, NewDelivery, WebhookStore, enqueue

MULTIPART = "multipart/form-data"
JSON = "application/json"
T = TypeVar("T")
_names = itertools.count()

FORM_PAYLOAD: dict[str, Any] = {
    "CallSid": "b6cfaf5a1f9d4d1e",
    "Status": "completed",
    "RecordingUrl": "",
    "EventType": "terminal",
    "Legs[0][OnCallDuration]": "21",
    "Legs[0][Status]": "completed",
    "Legs[1][Status]": None,
}


class FakeClock:
    """A wall clock that moves only when told."""

    def __init__(self) -> None:
        self.now = now_ms()

    def __call__(self) -> int:
        return self.now


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, database_factory) -> Database:  # type: ignore[no-untyped-def]
    """A fresh store per test: a claim takes any account's due deliveries."""
    return database_factory(request.param, f"webhooks_{request.param}_{next(_names)}")  # type: ignore[no-any-return]


@pytest.fixture
def db_account(db: Database) -> AccountFixture:
    return make_account(db)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, 20))


def call_id_of(account: AccountFixture) -> int:
    call = account.add_calls(make_call(account))[0]
    with account.db.engine.connect() as conn:
        return int(conn.execute(select(calls.c.id).where(calls.c.sid == call.sid)).scalar_one())


def add_delivery(
    account: AccountFixture,
    url: str,
    payload: dict[str, Any] | None = None,
    *,
    content_type: str = MULTIPART,
    call_id: int | None = None,
    created_at: int | None = None,
) -> int:
    row = NewDelivery(
        account_id=account.account_id,
        call_id=call_id,
        event="terminal",
        url=url,
        content_type=content_type,
        payload=FORM_PAYLOAD if payload is None else payload,
        created_at_ms=now_ms() if created_at is None else created_at,
    )
    with account.db.write() as conn:
        enqueue(conn, [row])
        return int(conn.execute(select(func.max(webhook_deliveries.c.id))).scalar_one())


def stored(db: Database, delivery_id: int) -> Delivery:
    delivery = WebhookStore(db).get(delivery_id)
    assert delivery is not None
    return delivery


def deliverer(db: Database, **overrides: Any) -> WebhookDeliverer:
    options: dict[str, Any] = dict(timeout_s=5.0, retries=2, backoff_s=0.0, allow_private=True)
    return WebhookDeliverer(WebhookStore(db), **(options | overrides))


async def passes(worker: WebhookDeliverer, count: int = 1) -> list[int]:
    """``count`` passes of ``deliver_due``, then stop (closing the HTTP client)."""
    try:
        return [await worker.deliver_due() for _ in range(count)]
    finally:
        await worker.stop()


# --- bodies ---


def test_multipart_body_is_plain_form_fields_in_order(db_account: AccountFixture, receiver: Receiver) -> None:
    call_id = call_id_of(db_account)
    delivery_id = add_delivery(db_account, receiver.url, call_id=call_id)
    assert run(passes(deliverer(db_account.db))) == [1]

    [request] = receiver.received
    assert request.method == "POST" and request.path == "/callback"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    expected = [(key, "" if value is None else value) for key, value in FORM_PAYLOAD.items()]
    assert form_fields(request) == expected

    [log] = WebhookStore(db_account.db).for_call(db_account.account_id, call_id)
    assert log.delivery.id == delivery_id
    assert (log.delivery.state, log.delivery.attempts, log.delivery.next_attempt_at) == ("delivered", 1, None)
    assert log.delivery.last_response_status == 200
    [attempt] = log.attempts
    assert (attempt.response_status, attempt.response_excerpt, attempt.error) == (200, "ok", None)


def test_json_body_keeps_types_and_key_order(db_account: AccountFixture, receiver: Receiver) -> None:
    payload = {
        "CallSid": "c1",
        "Status": "no-answer",
        "RecordingUrl": None,
        "ConversationDuration": 0,
        "Legs": [{"OnCallDuration": 0, "Status": None, "AnsweredBy": "NA"}],
    }
    add_delivery(db_account, receiver.url, payload, content_type=JSON)
    assert run(passes(deliverer(db_account.db))) == [1]
    [request] = receiver.received
    assert request.headers["content-type"] == JSON
    received = orjson.loads(request.body)
    assert received == payload and list(received) == list(payload)


def test_excerpt_is_the_first_512_characters(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.default = Reply(200, b"x" * 100_000)
    delivery_id = add_delivery(db_account, receiver.url)  # a delivery with no call
    run(passes(deliverer(db_account.db)))
    [attempt] = attempts_of(db_account.db, delivery_id)
    assert attempt.response_status == 200 and attempt.response_excerpt == "x" * 512


def attempts_of(db: Database, delivery_id: int) -> list[Any]:
    with db.engine.connect() as conn:
        query = select(webhook_attempts).where(webhook_attempts.c.delivery_id == delivery_id)
        return list(conn.execute(query.order_by(webhook_attempts.c.id)))


# --- failures and retries ---


def test_two_retries_then_failed(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.default = Reply(500, b"boom")
    call_id = call_id_of(db_account)
    add_delivery(db_account, receiver.url, call_id=call_id)
    worker = deliverer(db_account.db, wall_clock=FakeClock())
    assert run(passes(worker, 4)) == [1, 1, 1, 0]

    assert len(receiver.received) == 3
    [log] = WebhookStore(db_account.db).for_call(db_account.account_id, call_id)
    assert (log.delivery.state, log.delivery.attempts, log.delivery.next_attempt_at) == ("failed", 3, None)
    assert log.delivery.last_response_status == 500
    outcomes = [(a.response_status, a.response_excerpt, a.error) for a in log.attempts]
    assert outcomes == [(500, "boom", None)] * 3


def test_retries_wait_backoff_then_three_times_longer(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.default = Reply(503)
    clock = FakeClock()
    start = clock.now
    delivery_id = add_delivery(db_account, receiver.url, created_at=start)
    worker = deliverer(db_account.db, wall_clock=clock, backoff_s=10.0)
    store = WebhookStore(db_account.db)

    async def scenario() -> list[int | None]:
        due = []
        try:
            assert await worker.deliver_due() == 1
            due.append(stored(db_account.db, delivery_id).next_attempt_at)
            clock.now = start + 9_999
            assert await worker.deliver_due() == 0
            clock.now = start + 10_000
            assert await worker.deliver_due() == 1
            due.append(stored(db_account.db, delivery_id).next_attempt_at)
            clock.now = start + 40_000
            assert await worker.deliver_due() == 1
            due.append(stored(db_account.db, delivery_id).next_attempt_at)
        finally:
            await worker.stop()
        return due

    assert run(scenario()) == [start + 10_000, start + 40_000, None]
    assert stored(db_account.db, delivery_id).state == "failed"
    assert store.next_due_at() is None


def test_success_after_one_500(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.reply(Reply(500, b"try later"))
    call_id = call_id_of(db_account)
    add_delivery(db_account, receiver.url, call_id=call_id)
    assert run(passes(deliverer(db_account.db, wall_clock=FakeClock()), 3)) == [1, 1, 0]
    [log] = WebhookStore(db_account.db).for_call(None, call_id)
    delivery = log.delivery
    assert (delivery.state, delivery.attempts, delivery.last_response_status) == ("delivered", 2, 200)
    assert [a.response_status for a in log.attempts] == [500, 200]


def test_redirect_is_not_followed(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.default = Reply(302, b"", {"Location": receiver.url + "/elsewhere"})
    delivery_id = add_delivery(db_account, receiver.url)
    run(passes(deliverer(db_account.db, retries=0)))
    assert len(receiver.received) == 1
    delivery = WebhookStore(db_account.db).get(delivery_id)
    assert delivery is not None and (delivery.state, delivery.last_response_status) == ("failed", 302)


def test_timeout_is_recorded_as_an_error(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.default = Reply(200, delay_s=2.0)
    call_id = call_id_of(db_account)
    add_delivery(db_account, receiver.url, call_id=call_id)
    run(passes(deliverer(db_account.db, timeout_s=0.3, retries=0)))
    [log] = WebhookStore(db_account.db).for_call(db_account.account_id, call_id)
    [attempt] = log.attempts
    assert log.delivery.state == "failed" and log.delivery.last_response_status is None
    assert attempt.response_status is None and attempt.error is not None and "timeout" in attempt.error
    assert 250 <= attempt.duration_ms < 1500


def test_connection_refused_is_recorded_as_an_error(db_account: AccountFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        delivery_id = add_delivery(db_account, f"http://127.0.0.1:{port}/cb")
        run(passes(deliverer(db_account.db, retries=0)))
    [attempt] = attempts_of(db_account.db, delivery_id)
    assert attempt.response_status is None and attempt.error.startswith("connection failed")


def test_redeliver_starts_a_new_round_and_keeps_the_log(
    db_account: AccountFixture, receiver: Receiver
) -> None:
    call_id = call_id_of(db_account)
    delivery_id = add_delivery(db_account, receiver.url, call_id=call_id)
    run(passes(deliverer(db_account.db)))
    store = WebhookStore(db_account.db)
    assert store.redeliver(delivery_id, now_ms())
    delivery = store.get(delivery_id)
    assert delivery is not None and (delivery.state, delivery.attempts) == ("pending", 0)
    assert not store.redeliver(delivery_id + 1000, now_ms())

    run(passes(deliverer(db_account.db)))
    assert len(receiver.wait_for(2)) == 2
    [log] = store.for_call(db_account.account_id, call_id)
    assert (log.delivery.state, log.delivery.attempts, len(log.attempts)) == ("delivered", 1, 2)
    assert store.for_call(db_account.account_id + 1000, call_id) == []


# --- the target policy ---


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.com/cb", "StatusCallback must be an http or https URL"),
        ("example.com/cb", "StatusCallback must be an http or https URL"),
        ("http:///cb", "StatusCallback must name a host"),
        ("http://example.com/" + "a" * 2048, "StatusCallback must be at most 2048 characters"),
        ("http://example.com/a b", "StatusCallback must not contain spaces or control characters"),
        ("http://example.com/a\x00", "StatusCallback must not contain spaces or control characters"),
        ("http://example.com:99999/", "StatusCallback is not a valid URL"),
    ],
)
def test_malformed_callback_urls(url: str, message: str) -> None:
    for allow_private in (True, False):
        with pytest.raises(InvalidParameter) as raised:
            check_callback_url(url, allow_private=allow_private)
        assert raised.value.message.startswith(message) and raised.value.parameter == "StatusCallback"


@pytest.mark.parametrize(
    "url, kind",
    [
        ("http://127.0.0.1:8080/cb", "loopback"),
        ("http://[::1]/cb", "loopback"),
        ("http://10.1.2.3/cb", "private"),
        ("https://192.168.0.10/cb", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://240.0.0.1/", "reserved"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://localhost:3000/cb", "loopback name"),
        ("http://app.LOCALHOST./cb", "loopback name"),
    ],
)
def test_private_targets_refused_when_not_allowed(url: str, kind: str) -> None:
    assert check_callback_url(url, allow_private=True) == url
    with pytest.raises(InvalidParameter) as raised:
        check_callback_url(url, allow_private=False)
    assert raised.value.message.startswith("StatusCallback must be a public address")
    assert kind in raised.value.message


def test_public_targets_accepted() -> None:
    for url in ("https://93.184.216.34/cb", "http://hooks.example.com/a?b=c", "https://[2606:4700::1111]/"):
        assert check_callback_url(url, allow_private=False) == url


def test_names_resolving_inside_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {
        "inside.example": ["93.184.216.34", "10.0.0.5"],  # one private address is enough to refuse
        "outside.example": ["93.184.216.34", "2606:4700::1111"],
    }

    async def fake_getaddrinfo(self: Any, host: str, port: int, **_: Any) -> list[Any]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)

    async def check(host: str, allow_private: bool = False) -> bool:
        return await resolved_target_allowed(host, 443, allow_private=allow_private)

    assert not run(check("inside.example"))
    assert run(check("inside.example", allow_private=True))
    assert run(check("outside.example"))
    assert not run(check("nowhere.example"))
    assert not run(check("localhost")) and not run(check("127.0.0.1"))
    assert "10.0.0.5, a private address" in str(
        run(target_policy.target_refusal("inside.example", 443, allow_private=False))
    )


def test_private_target_refused_at_delivery(db_account: AccountFixture, receiver: Receiver) -> None:
    call_id = call_id_of(db_account)
    add_delivery(db_account, receiver.url, call_id=call_id)
    run(passes(deliverer(db_account.db, allow_private=False, retries=0)))
    [log] = WebhookStore(db_account.db).for_call(db_account.account_id, call_id)
    [attempt] = log.attempts
    assert log.delivery.state == "failed"
    assert attempt.response_status is None
    assert attempt.error == "refused by policy: 127.0.0.1 is a loopback address"
    assert receiver.received == []


# --- claims, restarts and the background loop ---


def test_concurrent_claimers_never_take_the_same_delivery(db_account: AccountFixture) -> None:
    created = now_ms()
    rows = [
        NewDelivery(
            db_account.account_id, None, "terminal", "http://127.0.0.1:9/", MULTIPART, {"n": n}, created
        )
        for n in range(120)
    ]
    with db_account.db.write() as conn:
        enqueue(conn, rows)
    other = Database(db_account.db.url)  # a second "process": its own engine and connections
    try:
        stores = [WebhookStore(db_account.db), WebhookStore(other)]
        start = threading.Barrier(len(stores))
        taken: list[list[int]] = [[] for _ in stores]

        def claim_all(index: int) -> None:
            start.wait(timeout=10)
            while batch := stores[index].claim_due(created, 7, 60_000):
                taken[index] += [delivery.id for delivery in batch]

        threads = [threading.Thread(target=claim_all, args=(i,)) for i in range(len(stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        other.dispose()
    assert not set(taken[0]) & set(taken[1])
    assert len(taken[0]) + len(taken[1]) == 120


def test_claimed_delivery_survives_a_crashed_worker(db_account: AccountFixture, receiver: Receiver) -> None:
    clock = FakeClock()
    call_id = call_id_of(db_account)
    add_delivery(db_account, receiver.url, call_id=call_id, created_at=clock.now)
    [claimed] = WebhookStore(db_account.db).claim_due(clock.now, 10, 60_000)  # ... and the worker dies

    restarted = Database(db_account.db.url)
    try:
        store = WebhookStore(restarted)
        assert store.next_due_at() == clock.now + 60_000
        assert run(passes(deliverer(restarted, wall_clock=clock))) == [0]  # still leased
        clock.now += 60_000
        assert run(passes(deliverer(restarted, wall_clock=clock))) == [1]
        [log] = store.for_call(db_account.account_id, call_id)
    finally:
        restarted.dispose()
    assert log.delivery.id == claimed.id and log.delivery.state == "delivered"
    assert len(receiver.received) == 1


def test_background_loop_delivers_on_wake_and_stops(
    db_account: AccountFixture, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    worker = deliverer(db_account.db)
    secret = secrets.token_hex(8)
    url = receiver.url.replace("http://", f"http://hook:{secret}@")

    async def scenario() -> None:
        worker.start()
        try:
            await asyncio.sleep(0.05)  # let the loop go idle first, so only wake() can start the pass
            delivery_id = add_delivery(db_account, url)
            await asyncio.to_thread(worker.wake)  # from another thread, as the call engine does
            # Well before the loop's own one-second poll: the wake started the pass.
            await asyncio.to_thread(receiver.wait_for, 1, 0.5)
            deadline = asyncio.get_running_loop().time() + 5
            while stored(db_account.db, delivery_id).state != "delivered":
                assert asyncio.get_running_loop().time() < deadline, "the delivery was never recorded"
                await asyncio.sleep(0.01)
        finally:
            await worker.stop()

    with caplog.at_level(logging.INFO, logger="trunkline.webhooks"):
        run(scenario())
    assert receiver.received[0].headers["authorization"].startswith("Basic ")
    # Other tests' live servers share this process and its loggers: keep only this receiver's lines.
    redacted = "http://***@" + receiver.url.split("://", 1)[1]
    [record] = [
        r for r in caplog.records if r.name == "trunkline.webhooks" and r.__dict__.get("url") == redacted
    ]
    fields = record.__dict__
    assert (fields["status"], fields["attempt"], fields["outcome"]) == (200, 1, "delivered")
    assert fields["event"] == "terminal"
    assert fields["call_id"] is None and isinstance(fields["duration_ms"], int)
    assert all(secret not in str(value) for value in fields.values())


def test_stop_hands_back_a_delivery_in_flight(db_account: AccountFixture, receiver: Receiver) -> None:
    receiver.default = Reply(200, delay_s=3.0)
    delivery_id = add_delivery(db_account, receiver.url)
    worker = deliverer(db_account.db)

    async def scenario() -> None:
        worker.start()
        await asyncio.to_thread(receiver.wait_for, 1, 2.0)
        await worker.stop()  # mid-request: the attempt is abandoned, not recorded

    before = now_ms()
    run(scenario())
    delivery = stored(db_account.db, delivery_id)
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert delivery.next_attempt_at is not None and before <= delivery.next_attempt_at <= now_ms()
    assert attempts_of(db_account.db, delivery_id) == []
