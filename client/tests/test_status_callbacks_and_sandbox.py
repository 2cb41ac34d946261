"""Status callbacks captured from the live server by a local receiver, parsed by the SDK; the
sandbox controls; the rate limit of a second server started with a tiny budget."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import conftest
import pytest
from conftest import ANSWERS, BUSY, EXOPHONE, SHORT_TALK, Server, create_account, drive, ready, start_server

from trunkline_client import (
    CallState,
    CallStatus,
    CcmCallStatus,
    CcmStatusCallback,
    RateLimitedError,
    RetryPolicy,
    V1StatusCallback,
    parse_status_callback,
)


class Receiver:
    """An http.server on 127.0.0.1 keeping (path, content type, body) of every POST."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str | None, bytes]] = []
        lock = threading.Lock()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    received.append((self.path, self.headers.get("Content-Type"), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    def bodies(self, path: str, count: int, timeout: float = 15.0) -> list[tuple[str | None, bytes]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [(kind, body) for where, kind, body in list(self.received) if where == path]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{path}: expected {count} callbacks, got {len(found)}")

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.mark.parametrize("content_type", [None, "application/json"])
def test_v1_callbacks_parse(mode: str, server: Server, receiver: Receiver, content_type: str | None) -> None:
    path = f"/v1/{mode}/{content_type or 'multipart'}"

    async def body(client: Any) -> None:
        options = {"status_callback_content_type": content_type} if content_type else {}
        placed = await ready(
            client.calls.connect(
                from_=ANSWERS,
                to=SHORT_TALK,
                caller_id=EXOPHONE,
                custom_field="order-7",
                status_callback=receiver.url + path,
                status_callback_events=["terminal", "answered"],
                **options,
            )
        )
        await ready(client.sandbox.wait_for(placed.sid, timeout=300))
        events = [parse_status_callback(raw, kind) for kind, raw in receiver.bodies(path, 2)]
        assert all(isinstance(event, V1StatusCallback) for event in events)
        by_type = {event.event_type: event for event in events if isinstance(event, V1StatusCallback)}
        terminal, answered = by_type["terminal"], by_type["answered"]
        assert terminal.call_sid == placed.sid and terminal.status == CallStatus.COMPLETED
        assert terminal.custom_field == "order-7" and terminal.conversation_duration == 5
        assert terminal.end_time is not None and terminal.end_time.tzinfo is not None
        assert [leg.status for leg in terminal.legs] == [CallStatus.COMPLETED, CallStatus.COMPLETED]
        assert [leg.on_call_duration for leg in terminal.legs][1] == 5
        assert answered.status == CallStatus.IN_PROGRESS and answered.end_time is None

        # The receiver keeps a body before its 200 reaches the server, so the log may lag a moment.
        deadline = time.monotonic() + 15
        while True:
            deliveries = await ready(client.sandbox.webhook_deliveries(placed.sid))
            if all(d.state == "delivered" for d in deliveries) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        assert {d.event for d in deliveries} == {"terminal", "answered"}
        assert all(d.state == "delivered" and d.last_response_status == 200 for d in deliveries)
        again = await ready(client.sandbox.redeliver(deliveries[0].id))
        assert again["state"] == "pending"

    drive(mode, server, body)


def test_ccm_callbacks_parse(mode: str, server: Server, receiver: Receiver) -> None:
    path = f"/ccm/{mode}"

    async def body(client: Any) -> None:
        number = "+9199999100" + ("08" if mode == "sync" else "09")
        agent = await ready(client.sandbox.create_user({"name": "Ravi", "contact_uri": number}))
        made = await ready(
            client.ccm.calls.make(
                user_id=agent["user_id"],
                to=BUSY,
                virtual_number=EXOPHONE,
                status_callbacks={"terminal": receiver.url + path},
            )
        )
        await ready(client.sandbox.wait_for(made.call_sid, timeout=300))
        ((kind, raw),) = receiver.bodies(path, 1)
        event = parse_status_callback(raw, kind)
        assert isinstance(event, CcmStatusCallback)
        assert event.call_sid == made.call_sid and event.event_type == "terminal"
        assert event.call_state == CallState.TERMINAL and event.status == CcmCallStatus.CUSTOMER_UNANSWERED

    drive(mode, server, body)


def test_flattened_form_and_unknown_values() -> None:
    body = (
        "CallSid=abc&Status=new-status&EventType=terminal&ConversationDuration=320&Direction=outbound-api"
        "&DateUpdated=2024-01-15+14%3A30%3A45&Legs%5B0%5D%5BStatus%5D=completed"
        "&Legs%5B0%5D%5BOnCallDuration%5D=335&Legs%5B1%5D%5BStatus%5D=&Legs%5B1%5D%5BAnsweredBy%5D=NA&Shiny=1"
    )
    event = parse_status_callback(body, "application/x-www-form-urlencoded")
    assert isinstance(event, V1StatusCallback)
    assert event.status == "new-status" and event.conversation_duration == 320
    assert event.date_updated is not None and event.date_updated.isoformat() == "2024-01-15T14:30:45+05:30"
    assert [(leg.status, leg.on_call_duration) for leg in event.legs] == [("completed", 335), (None, None)]
    assert event.extra == {"Shiny": "1"}
    with pytest.raises(ValueError):
        parse_status_callback({"hello": "world"}, None)


def test_sandbox_controls(mode: str, server: Server) -> None:
    async def body(client: Any) -> None:
        before = await ready(client.sandbox.clock())
        assert before.is_virtual and before.now is not None
        after = await ready(client.sandbox.advance_clock(30))
        assert after.now is not None and (after.now - before.now).total_seconds() >= 30

        scenario = await ready(client.sandbox.scenario())
        assert "rules" in scenario
        rules = {"rules": [{"match": "+9180999*", "answer": 1}]}
        assert (await ready(client.sandbox.set_scenario(rules)))["rules"][0]["match"] == "+9180999*"
        await ready(client.sandbox.set_scenario(scenario))

        placed = await ready(client.calls.connect(from_=BUSY, to=SHORT_TALK, caller_id=EXOPHONE))
        done = await ready(client.sandbox.wait_for(placed.sid, CallStatus.COMPLETED, timeout=60))
        assert done.status == CallStatus.BUSY  # a final status ends the wait
        names = [event.name for event in await ready(client.sandbox.call_events(placed.sid))]
        assert names and all(isinstance(name, str) for name in names)

    drive(mode, server, body)


def test_rate_limit_is_a_typed_error(tmp_path: Path) -> None:
    def one_account(env: dict[str, str]) -> None:
        conftest.ACCOUNTS["limited"] = create_account(env, "limited")

    limited = start_server(tmp_path, one_account, TRUNKLINE_RATE_LIMIT_PER_MINUTE="2")
    try:

        async def body(client: Any) -> None:
            for _ in range(2):
                await ready(client.numbers.get("+918022221234"))
            with pytest.raises(RateLimitedError) as refused:
                await ready(client.numbers.get("+918022221234"))
            assert refused.value.status == 429 and refused.value.retry_after == 30
            assert refused.value.headers["X-RateLimit-Remaining"] == "0"

        drive("sync", limited, body, account="limited", retry_policy=RetryPolicy(max_retry_after=5))
    finally:
        limited.stop()
