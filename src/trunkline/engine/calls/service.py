"""Placing a call: store it with its run in one transaction (which also checks what only the store
knows: the caller id is one of the account's ExoPhones), then wake the engine."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Future
from dataclasses import dataclass

from trunkline.domain.calls import lifecycle
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.calls.lifecycle import CallbackRequest, CallRun, Event
from trunkline.domain.calls.model import Call, Direction
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.numbers.phone import to_v1
from trunkline.engine.calls.admission import CallWriter
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.webhooks.target_policy import check_callback_url
from trunkline.store.call_runs import CallRunStore, NewRun


@dataclass(frozen=True, slots=True)
class Caller:
    account_id: int
    account_sid: str


class CallService:
    def __init__(
        self,
        runs: CallRunStore,
        engine: CallEngine,
        rates: RateTable,
        *,
        default_ring_timeout_s: int,
        allow_private_callbacks: bool,
    ) -> None:
        self._runs, self._engine, self._rates = runs, engine, rates
        self._writer = CallWriter(runs)
        self._default_ring_timeout_s = default_ring_timeout_s
        self._allow_private = allow_private_callbacks

    def connect(self, caller: Caller, request: ConnectRequest, *, dialect: str) -> Call:
        """Accept a call (blocking). Nothing is stored unless every check passes."""
        call, stored = self._place(caller, request, dialect)
        return self._accepted(call, stored.result(), caller, request)

    async def connect_async(self, caller: Caller, request: ConnectRequest, *, dialect: str) -> Call:
        """``connect`` for the event loop: waits for the group commit without holding a thread."""
        call, stored = self._place(caller, request, dialect)
        return self._accepted(call, await asyncio.wrap_future(stored), caller, request)

    def close(self) -> None:
        self._writer.close()

    def _accepted(self, call: Call, call_id: int | None, caller: Caller, request: ConnectRequest) -> Call:
        if call_id is None:
            raise InvalidParameter(
                f"CallerId {to_v1(request.caller_id)} is not an ExoPhone of account {caller.account_sid}",
                parameter="CallerId",
            )
        return call

    def _place(
        self, caller: Caller, request: ConnectRequest, dialect: str
    ) -> tuple[Call, Future[int | None]]:
        callback = None
        if request.status_callback:
            url = check_callback_url(request.status_callback, allow_private=self._allow_private)
            callback = CallbackRequest(
                url, list(request.status_callback_events), request.status_callback_content_type, dialect
            )
        now = self._engine.clock.now_ms()
        run = CallRun(
            sid=uuid.uuid4().hex,
            account_sid=caller.account_sid,
            from_number=request.from_number,
            to_number=None if request.flow_app_id is not None else request.to_number,
            caller_id=request.caller_id,
            created_at=now,
            ring_timeout_s=request.time_out_s or self._default_ring_timeout_s,
            direction=Direction.OUTBOUND_API.value,
            time_limit_s=request.time_limit_s,
            flow_app_id=request.flow_app_id,
            record=request.record,
            recording_channels=request.recording_channels,
            recording_format=request.recording_format,
            custom_field=request.custom_field,
            callback=callback,
            extra=dict(request.extra),
        )
        lifecycle.start(run)
        events: list[Event] = []
        if self._engine.carrier.side_effect_free:
            # Plan leg 1 now, stored with the call: the response shows a call already handed to the
            # network, and the engine has one step less to do. A real carrier dials in the engine,
            # once the call is stored (a rejected CallerId must not ring anyone).
            events = self._engine.advance(run, now).events
        call = lifecycle.to_call(run, self._rates)
        stored = self._writer.submit(
            NewRun(caller.account_id, call, run, [Event("call.created", now), *events])
        )
        stored.add_done_callback(lambda _: self._engine.due_at(run.next_due_at))
        return call, stored
