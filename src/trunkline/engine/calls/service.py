"""Placing a call: store it with its run in one transaction (which also checks what only the store
knows: the caller id is one of the account's ExoPhones), then wake the engine.

Outbound calls come from a dialect's connect request; inbound calls come from the network (the
admin API, the CLI, a traffic generator) to an ExoPhone and run the flow assigned to it. A call
to a flow keeps a copy of the flow as it was when the call started."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Future
from dataclasses import dataclass

from trunkline.domain.calls import transitions
from trunkline.domain.calls.call_record import to_call
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.calls.effects import Event
from trunkline.domain.calls.model import Call, Direction
from trunkline.domain.calls.pricing import RateTable
from trunkline.domain.calls.run_state import CallbackRequest, CallRun, FlowRun
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.numbers.phone import to_v1
from trunkline.engine.calls.admission import CallWriter
from trunkline.engine.calls.engine import CallEngine
from trunkline.engine.webhooks.target_policy import check_callback_url
from trunkline.store.call_runs import CallRunStore
from trunkline.store.call_writes import NewRun
from trunkline.store.flows import FlowStore


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
        flows: FlowStore,
        *,
        default_ring_timeout_s: int,
        allow_private_callbacks: bool,
    ) -> None:
        self._runs, self._engine, self._rates, self._flows = runs, engine, rates, flows
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
            targets = {
                event: check_callback_url(target, allow_private=self._allow_private)
                for event, target in request.status_callback_targets.items()
            }
            events, content_type = list(request.status_callback_events), request.status_callback_content_type
            callback = CallbackRequest(url, events, content_type, dialect, targets)
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
            flow=self._flow_run(caller.account_id, request.flow_app_id),
            extra=dict(request.extra),
        )
        return self._submit(caller, run)

    def inbound(
        self,
        caller: Caller,
        from_number: str,
        exophone: str,
        *,
        extra: dict[str, str] | None = None,
        console_caller: bool = False,
    ) -> Call:
        """A call from ``from_number`` to one of the account's ExoPhones (blocking). ``extra`` rides
        with the run (a visitor session for call tracking); ``console_caller``: a person at the
        console's Phone is the caller (their keys and hang-up come from the page)."""
        assigned = self._flows.exophone_flow(caller.account_id, exophone)
        if assigned is None:
            raise NotFound(f"{exophone} is not an ExoPhone of account {caller.account_sid}", parameter="To")
        app_id = assigned[0]
        if app_id is None:
            raise InvalidParameter(
                f"ExoPhone {exophone} has no flow to answer calls with; assign one first", parameter="To"
            )
        run = self.inbound_run(caller.account_sid, from_number, exophone, self._engine.clock.now_ms())
        run.flow_app_id, run.flow = app_id, self._flow_run(caller.account_id, app_id)
        run.extra.update(extra or {})
        run.console_caller = console_caller
        call, future = self._submit(caller, run)
        if future.result() is None:
            raise NotFound(f"{exophone} is not an ExoPhone of account {caller.account_sid}", parameter="To")
        return call

    def inbound_run(self, account_sid: str, from_number: str, exophone: str, at: int) -> CallRun:
        """A new inbound call's run, before its flow is attached."""
        return CallRun(
            sid=uuid.uuid4().hex,
            account_sid=account_sid,
            from_number=from_number,
            to_number=exophone,
            caller_id=exophone,
            created_at=at,
            ring_timeout_s=self._default_ring_timeout_s,
            direction=Direction.INBOUND.value,
        )

    def _flow_run(self, account_id: int, app_id: str | None) -> FlowRun | None:
        """The flow a call will run; None when it is not defined here (the caller then stays on
        the line until hanging up: a client pointed at the sandbox works before flows exist)."""
        if app_id is None:
            return None
        stored = self._flows.get(account_id, app_id)
        return None if stored is None else FlowRun(app_id, stored.document)

    def _submit(self, caller: Caller, run: CallRun) -> tuple[Call, Future[int | None]]:
        now = run.created_at
        transitions.start(run)
        events: list[Event] = []
        if self._engine.carrier.side_effect_free:
            # Plan leg 1 now, stored with the call: the response shows a call already handed to the
            # network, and the engine has one step less to do. A real carrier dials in the engine,
            # once the call is stored (a rejected CallerId must not ring anyone).
            events = self._engine.advance(run, now).events
        call = to_call(run, self._rates)
        stored = self._writer.submit(
            NewRun(caller.account_id, call, run, [Event("call.created", now), *events])
        )
        stored.add_done_callback(lambda _: self._engine.due_at(run.next_due_at))
        return call, stored
