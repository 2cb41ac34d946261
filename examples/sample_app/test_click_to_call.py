"""The click-to-call desk, tested against a Trunkline sandbox: the ``trunkline`` fixture (installed
with the server) gives a clean account, an SDK client, the clock and a callback receiver."""

from __future__ import annotations

from click_to_call import ClickToCall
from trunkline_client import CallStatus

from trunkline.testing.sandbox import TrunklineSandbox

AGENT = "+919999900001"  # answers after 2 s, stays 60 s
CUSTOMER = "+919999910045"  # answers after 2 s, hangs up 45 s later
BUSY_CUSTOMER = "+919999900002"  # busy


def desk(trunkline: TrunklineSandbox) -> ClickToCall:
    return ClickToCall(
        trunkline.client, caller_id=trunkline.exophone, status_callback_url=trunkline.receiver.url
    )


def test_a_call_that_is_answered(trunkline: TrunklineSandbox) -> None:
    app = desk(trunkline)

    # 1. place a call
    sid = app.call_customer(AGENT, CUSTOMER, ticket="T-17")

    # 2. advance the clock: the agent answers, then the customer, who talks for 45 s
    trunkline.sandbox.advance_clock(120)

    # 3. the terminal callback reached the app, and the call record agrees
    callback = trunkline.wait_for_callback(sid, event_type="terminal")
    assert callback.status == CallStatus.COMPLETED and callback.custom_field == "T-17"
    received = trunkline.receiver.requests[-1]
    app.on_status_callback(received.body, received.headers["content-type"])
    assert app.outcomes[sid].status == "completed" and app.outcomes[sid].talked_seconds == 45

    call = trunkline.client.calls.get(sid, details=True)
    assert call.status == CallStatus.COMPLETED
    assert call.details is not None and call.details.conversation_duration == 45
    assert call.price is not None and call.price > 0


def test_a_busy_customer(trunkline: TrunklineSandbox) -> None:
    app = desk(trunkline)
    sid = app.call_customer(AGENT, BUSY_CUSTOMER, ticket="T-18")

    call = trunkline.sandbox.wait_for(sid)  # advances the virtual clock until the call ends

    assert call.status == CallStatus.BUSY
    assert trunkline.wait_for_callback(sid, event_type="terminal").status == CallStatus.BUSY


def test_every_test_starts_from_a_clean_account(trunkline: TrunklineSandbox) -> None:
    assert trunkline.client.calls.list().total() == 0
    assert trunkline.receiver.callbacks == []
