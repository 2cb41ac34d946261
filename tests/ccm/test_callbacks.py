"""CCM status callbacks end to end: JSON POSTs to each subscribed event's own URL on a real receiver
on 127.0.0.1, delivered by the shared outbox (virtual clock, both backends)."""

from __future__ import annotations

import httpx
import orjson

from tests.support.calls_api import ADMIN, ANSWER, BUSY, advance
from tests.support.ccm import add_agent, make_call
from tests.support.factories import make_account
from tests.support.live_server import LiveServer
from tests.support.receiver import Receiver

FIELDS = ["call_sid", "event_type", "call_state", "status", "duration", "recording_url", "custom_field"]


def test_given_both_events_on_their_own_urls_when_the_call_completes_then_one_json_post_each(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, ANSWER)
    with Receiver() as answered, Receiver() as terminal:
        callbacks = [{"event": "answered", "url": answered.url}, {"event": "terminal", "url": terminal.url}]
        made = make_call(
            engine_client,
            account,
            agent,
            "+919999910045",
            recording=True,
            custom_field="t-9",
            status_callback=callbacks,
        )
        sid = made["response"]["call_sid"]
        advance(engine_client, 120)
        (first,) = answered.wait_for(1, timeout=10)
        (last,) = terminal.wait_for(1, timeout=10)
    assert first.method == "POST" and first.headers["content-type"] == "application/json"
    on_answer = orjson.loads(first.body)
    assert list(on_answer) == FIELDS
    assert on_answer == {
        "call_sid": sid, "event_type": "answered", "call_state": "active", "status": None, "duration": None,
        "recording_url": None, "custom_field": "t-9",
    }  # fmt: skip
    at_end = orjson.loads(last.body)
    assert (at_end["event_type"], at_end["call_state"], at_end["status"]) == (
        "terminal",
        "terminal",
        "completed",
    )
    assert at_end["duration"] == 49
    assert at_end["recording_url"].endswith(f"/exotelrecordings/{account.sid}/{sid}.mp3")
    log = engine_client.get(f"/admin/calls/{sid}/webhooks", headers=ADMIN).json()["deliveries"]
    urls = sorted((entry["delivery"]["event"], entry["delivery"]["url"]) for entry in log)
    assert urls == [("answered", answered.url), ("terminal", terminal.url)]


def test_given_terminal_only_when_the_customer_is_busy_then_one_callback_with_the_v2_status(
    engine_client: httpx.Client, engine_server: LiveServer
) -> None:
    account = make_account(engine_server.db)
    agent = add_agent(engine_client, account, ANSWER)
    with Receiver() as receiver:
        made = make_call(
            engine_client, account, agent, BUSY, status_callback=[{"event": "terminal", "url": receiver.url}]
        )
        advance(engine_client, 60)
        (received,) = receiver.wait_for(1, timeout=10)
        body = orjson.loads(received.body)
        assert (body["call_sid"], body["event_type"]) == (made["response"]["call_sid"], "terminal")
        assert (body["status"], body["recording_url"], body["custom_field"]) == (
            "customer_unanswered",
            None,
            None,
        )
        advance(engine_client, 30)
        assert len(receiver.received) == 1  # no answered callback was asked for
