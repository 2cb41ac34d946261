"""Helpers of the v1 status-callback tests (tests/calls/test_status_callback*.py): placing a call
with a callback, waiting (bounded) for its deliveries, and parsing bodies as receivers parse them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import orjson

from tests.support.calls_api import ADMIN, advance, place
from tests.support.factories import AccountFixture
from tests.support.receiver import Received, Receiver, form_fields

WAIT_S = 10.0
"""Upper bound of every wait for an asynchronous delivery."""
JSON = "application/json"
USER_AGENT = "Trunkline-Webhooks/1"
DEFAULT_FIELDS = ["CallSid", "DateUpdated", "Status", "RecordingUrl"]
EXTENDED_HEAD = [
    *DEFAULT_FIELDS, "EventType", "DateCreated", "To", "From", "PhoneNumberSid", "StartTime", "EndTime",
    "ConversationDuration", "Direction",
]  # fmt: skip
TERMINAL_JSON_FIELDS = [*EXTENDED_HEAD, "CustomField", "Legs"]
ANSWERED_JSON_FIELDS = [*EXTENDED_HEAD, "Legs"]
FLAT_LEGS = [f"Legs[{i}][{key}]" for i in (0, 1) for key in ("OnCallDuration", "Status", "AnsweredBy")]
TERMINAL_FORM_FIELDS = [*EXTENDED_HEAD, "CustomField", *FLAT_LEGS]
ANSWERED_FORM_FIELDS = [*EXTENDED_HEAD, *FLAT_LEGS]
BOTH_EVENTS = {"StatusCallbackEvents[0]": "terminal", "StatusCallbackEvents[1]": "answered"}
NUMBER_FIELDS = ("To", "From", "PhoneNumberSid")


def place_with_callback(
    client: httpx.Client, account: AccountFixture, receiver: Receiver, **params: Any
) -> str:
    call = place(client, account, StatusCallback=receiver.url, **params)
    sid: str = call["Sid"]
    return sid


def the_one_callback(
    client: httpx.Client, account: AccountFixture, receiver: Receiver, seconds: float, **params: Any
) -> tuple[str, Received]:
    """Place a call that gets one callback, advance the clock ``seconds``, and return the call's Sid
    and that callback's request once the delivery log says it was delivered."""
    sid = place_with_callback(client, account, receiver, **params)
    advance(client, seconds)
    delivered_log(client, sid, 1)
    [request] = requests_for(receiver, 1)
    return sid, request


def poll(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    """``check()``'s first truthy value, polled until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.05)


def webhook_log(client: httpx.Client, sid: str) -> list[dict[str, Any]]:
    response = client.get(f"/admin/calls/{sid}/webhooks", headers=ADMIN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["call_sid"] == sid
    deliveries: list[dict[str, Any]] = body["deliveries"]
    return deliveries


def delivered_log(client: httpx.Client, sid: str, count: int) -> list[dict[str, Any]]:
    """The call's delivery log once ``count`` deliveries exist and all are delivered (the outbox is
    written with the call's change, so after an advance it holds every callback the call will get)."""

    def check() -> list[dict[str, Any]] | None:
        log = webhook_log(client, sid)
        assert len(log) <= count, log
        if len(log) == count and all(entry["delivery"]["state"] == "delivered" for entry in log):
            return log
        return None

    log: list[dict[str, Any]] = poll(check, f"{count} delivered callbacks of {sid}")
    return log


def requests_for(receiver: Receiver, count: int) -> list[Received]:
    """Exactly ``count`` requests (waiting at most WAIT_S for them)."""
    got = receiver.wait_for(count, timeout=WAIT_S)
    assert len(got) == count, [r.body for r in got]
    return got


def form(request: Received) -> dict[str, str]:
    fields = form_fields(request)
    names = [name for name, _ in fields]
    assert len(set(names)) == len(names), names
    return dict(fields)


def json_body(request: Received) -> dict[str, Any]:
    assert request.headers["content-type"] == JSON
    body: dict[str, Any] = orjson.loads(request.body)
    return body


def by_event(requests: list[Received], parse: Callable[[Received], dict[str, Any]]) -> dict[str, Any]:
    bodies = [parse(request) for request in requests]
    events = {body["EventType"]: body for body in bodies}
    assert len(events) == len(bodies), bodies
    return events


def seconds_between(earlier: str, later: str) -> float:
    fmt = "%Y-%m-%d %H:%M:%S"
    return (datetime.strptime(later, fmt) - datetime.strptime(earlier, fmt)).total_seconds()


def assert_callback_request(request: Received) -> None:
    assert request.method == "POST" and request.path == "/callback"
    assert request.headers["user-agent"] == USER_AGENT
