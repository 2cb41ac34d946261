"""Due work is done once across processes, and a killed process's work is taken over within the
stated seconds (``TRUNKLINE_PROCESS_GONE_SECONDS``), not when its leases run out."""

from __future__ import annotations

import collections
import signal
import time

import httpx

from tests.scale.conftest import FAST_REGISTRY, StartProcesses
from tests.support.calls_api import ADMIN, ANSWER, BUSY
from tests.support.factories import make_account
from tests.support.receiver import Receiver, Reply, form_fields
from trunkline.store.database import Database

CALLBACKS = {"TRUNKLINE_WEBHOOK_ALLOW_PRIVATE": "true"}


def _connect(base_url: str, account, to: str, receiver: Receiver) -> str:  # type: ignore[no-untyped-def]
    data = {"CallerId": account.exophone, "From": ANSWER, "To": to, "StatusCallback": receiver.url}
    response = httpx.post(
        f"{base_url}/v1/Accounts/{account.sid}/Calls/connect.json", data=data, auth=account.auth, timeout=30
    )
    assert response.status_code == 200, response.text
    sid: str = response.json()["Call"]["Sid"]
    return sid


def test_due_calls_and_callbacks_are_worked_once_by_two_processes(
    processes: StartProcesses, shared_store: Database, receiver: Receiver
) -> None:
    """Calls placed on both processes, the clock moved on both: every call's transitions are
    stored once and every terminal callback is sent once, whichever process worked it."""
    a, b = processes(2, args=("--clock", "virtual"), **CALLBACKS)
    account = make_account(shared_store)
    sids = [
        _connect((a, b)[n % 2].base_url, account, (ANSWER, BUSY)[n % 3 == 0], receiver) for n in range(12)
    ]
    with httpx.Client(timeout=30, headers=ADMIN) as http:
        for n, seconds in enumerate((15, 30, 60, 60)):
            assert http.post(
                (a, b)[n % 2].base_url + "/admin/clock/advance", json={"seconds": seconds}
            ).is_success
        receiver.wait_for(len(sids), timeout=20)
        time.sleep(1.5)  # a second sending, if any, would arrive by now
        sent = collections.Counter(dict(form_fields(request))["CallSid"] for request in receiver.received)
        assert sent == dict.fromkeys(sids, 1)
        for sid in sids:
            events = http.get(f"{a.base_url}/admin/calls/{sid}/events").json()["events"]
            moments = [(e["at_ms"], e["name"], repr(sorted(e["detail"].items()))) for e in events]
            assert len(moments) == len(set(moments)), events  # no transition stored twice
            deliveries = http.get(f"{a.base_url}/admin/calls/{sid}/webhooks").json()
            attempts = [attempt for d in deliveries["deliveries"] for attempt in d["attempts"]]
            assert len(attempts) == 1, deliveries


def test_a_killed_processes_callback_is_taken_over_within_the_stated_seconds(
    processes: StartProcesses, shared_store: Database, receiver: Receiver
) -> None:
    """Process A sends a callback and is SIGKILLed while the receiver holds the request: its lease
    (60 s and more) is taken back by process B once A's heartbeat is ``gone`` old, and B sends it."""
    settings = {**CALLBACKS, "TRUNKLINE_WEBHOOK_TIMEOUT_SECONDS": "60"}
    [a] = processes(1, args=("--clock", "virtual"), **settings)
    account = make_account(shared_store)
    receiver.reply(Reply(delay_s=30))  # the first attempt hangs until A is gone
    sid = _connect(a.base_url, account, BUSY, receiver)
    with httpx.Client(timeout=30, headers=ADMIN) as http:
        assert http.post(a.base_url + "/admin/clock/advance", json={"seconds": 30}).is_success
    receiver.wait_for(1, timeout=10)  # A holds the delivery's lease, in flight
    [b] = processes(1, args=("--clock", "virtual"), **settings)
    a.process.send_signal(signal.SIGKILL)
    a.process.wait(timeout=10)
    killed = time.monotonic()
    receiver.wait_for(2, timeout=20)
    taken_over_in = time.monotonic() - killed
    gone_s = float(FAST_REGISTRY["TRUNKLINE_PROCESS_GONE_SECONDS"])
    heartbeat_s = float(FAST_REGISTRY["TRUNKLINE_HEARTBEAT_SECONDS"])
    assert taken_over_in <= gone_s + 2 * heartbeat_s + 2, taken_over_in
    assert [dict(form_fields(r))["CallSid"] for r in receiver.received] == [sid, sid]
    # The receiver keeps a body before its 200 reaches B, so B may not have recorded it yet.
    deadline, states = time.monotonic() + 15, [""]
    with httpx.Client(timeout=30, headers=ADMIN) as http:
        while states != ["delivered"] and time.monotonic() < deadline:
            deliveries = http.get(f"{b.base_url}/admin/calls/{sid}/webhooks").json()["deliveries"]
            states = [d["delivery"]["state"] for d in deliveries]
            time.sleep(0.1)
    assert states == ["delivered"]
