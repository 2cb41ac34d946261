"""``client.sandbox``: Trunkline's own controls (admin API, Bearer ``admin_token``), sync and async.

``wait_for`` is what tests of an application want most: on a virtual clock nothing happens until
someone advances it, so it advances the clock a step at a time and reads the call after each step;
on a real clock it polls call details. Either way it stops at the wanted status or any final one.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from trunkline_client.errors import WaitTimeout
from trunkline_client.exotel_v1 import requests as v1_requests
from trunkline_client.exotel_v1.models import FINAL_STATUSES, Call, CallStatus
from trunkline_client.exotel_v1.resources import call_from_body
from trunkline_client.sandbox import requests
from trunkline_client.sandbox.models import (
    CallEvent,
    ClockState,
    InboundCall,
    WebhookDelivery,
    parse_clock,
    parse_deliveries,
    parse_events,
    parse_inbound,
)
from trunkline_client.transport import AsyncTransport, SyncTransport

DEFAULT_STEP_S = 5.0
DEFAULT_POLL_S = 1.0


def reached(call: Call, status: CallStatus | str) -> bool:
    return call.status == status or call.status in FINAL_STATUSES


def _steps(timeout: float, step: float) -> int:
    if step <= 0 or timeout < 0:
        raise ValueError("wait_for needs step > 0 and timeout >= 0")
    return math.ceil(timeout / step)


def _gave_up(call_sid: str, status: CallStatus | str, last: Call, timeout: float) -> WaitTimeout:
    return WaitTimeout(f"call {call_sid} did not reach {status} within {timeout:g} s (last: {last.status})")


class Sandbox:
    def __init__(self, transport: SyncTransport, account_sid: str) -> None:
        self._t, self._account_sid = transport, account_sid

    def _account(self, account_sid: str | None) -> str:
        return account_sid or self._account_sid

    def clock(self) -> ClockState:
        return parse_clock(self._t.send(requests.CLOCK))

    def advance_clock(self, seconds: float) -> ClockState:
        """Move the virtual clock on and run everything that fell due (calls, callbacks)."""
        return parse_clock(self._t.send(requests.advance_clock(seconds)))

    def scenario(self) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.SCENARIO)
        return result

    def set_scenario(self, document: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.set_scenario(document))
        return result

    def reset(self, account_sid: str | None = None, *, everything: bool = False) -> dict[str, Any]:
        """Delete calls (one account's, or all and reset the virtual clock), stop traffic.
        ``everything``: return this client's account (or ``account_sid``) to a clean state: also
        its flows, agents, properties and traffic, and the server-wide scenario and clock."""
        if everything:
            account_sid = self._account(account_sid)
        result: dict[str, Any] = self._t.send(requests.reset(account_sid, everything))
        return result

    def call_events(self, call_sid: str) -> list[CallEvent]:
        return parse_events(self._t.send(requests.call_events(call_sid)))

    def webhook_deliveries(self, call_sid: str) -> list[WebhookDelivery]:
        return parse_deliveries(self._t.send(requests.call_webhooks(call_sid)))

    def redeliver(self, delivery_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.redeliver(delivery_id))
        return result

    def flow_requests(self, call_sid: str) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.flow_requests(call_sid))
        return result

    def inbound_call(
        self, *, from_: str, to: str, session: dict[str, Any] | None = None, account_sid: str | None = None
    ) -> InboundCall:
        """Ring one of the account's ExoPhones (it must have a flow) from ``from_``."""
        return parse_inbound(self._t.send(requests.inbound(self._account(account_sid), from_, to, session)))

    def start_traffic(self, spec: dict[str, Any], *, account_sid: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.start_traffic(self._account(account_sid), spec))
        return result

    def list_traffic(self, *, account_sid: str | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._t.send(requests.list_traffic(self._account(account_sid)))[
            "generators"
        ]
        return result

    def traffic(self, generator_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.traffic(generator_id))
        return result

    def stop_traffic(self, generator_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.stop_traffic(generator_id))
        return result

    def put_flow(
        self, app_id: str, document: dict[str, Any], *, account_sid: str | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.put_flow(self._account(account_sid), app_id, document))
        return result

    def list_flows(self, *, account_sid: str | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._t.send(requests.list_flows(self._account(account_sid)))["flows"]
        return result

    def flow(self, app_id: str, *, account_sid: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(requests.flow(self._account(account_sid), app_id))
        return result

    def delete_flow(self, app_id: str, *, account_sid: str | None = None) -> None:
        self._t.send(requests.delete_flow(self._account(account_sid), app_id))

    def assign_flow(
        self, exophone: str, app_id: str | None, *, account_sid: str | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._t.send(
            requests.assign_flow(self._account(account_sid), exophone, app_id)
        )
        return result

    def create_user(self, body: dict[str, Any], *, account_sid: str | None = None) -> dict[str, Any]:
        """A CCM agent: ``name``, ``contact_uri``, optional ``user_id`` and ``device_state``."""
        result: dict[str, Any] = self._t.send(requests.create_user(self._account(account_sid), body))
        return result

    def create_property(
        self, name: str, *, sid: str | None = None, account_sid: str | None = None
    ) -> dict[str, Any]:
        """A Fone Dynamics call-tracking property."""
        result: dict[str, Any] = self._t.send(requests.create_property(self._account(account_sid), name, sid))
        return result

    def wait_for(
        self,
        call_sid: str,
        status: CallStatus | str = CallStatus.COMPLETED,
        *,
        timeout: float = 600.0,
        step: float = DEFAULT_STEP_S,
        poll_interval: float = DEFAULT_POLL_S,
    ) -> Call:
        """The call once it has ``status`` or a final one. ``timeout`` is network seconds to advance
        on a virtual clock, wall seconds to wait on a real one. Raises ``WaitTimeout``."""
        virtual = self.clock().is_virtual
        request = v1_requests.call_details(self._account_sid, call_sid, details=True)
        rounds = _steps(timeout, step if virtual else poll_interval)
        deadline = time.monotonic() + timeout
        call = call_from_body(self._t.send(request))
        for _ in range(rounds):
            if reached(call, status) or (not virtual and time.monotonic() >= deadline):
                break
            if virtual:
                self.advance_clock(step)
            else:
                time.sleep(poll_interval)
            call = call_from_body(self._t.send(request))
        if reached(call, status):
            return call
        raise _gave_up(call_sid, status, call, timeout)


class AsyncSandbox:
    def __init__(self, transport: AsyncTransport, account_sid: str) -> None:
        self._t, self._account_sid = transport, account_sid

    def _account(self, account_sid: str | None) -> str:
        return account_sid or self._account_sid

    async def clock(self) -> ClockState:
        return parse_clock(await self._t.send(requests.CLOCK))

    async def advance_clock(self, seconds: float) -> ClockState:
        """Move the virtual clock on and run everything that fell due (calls, callbacks)."""
        return parse_clock(await self._t.send(requests.advance_clock(seconds)))

    async def scenario(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.SCENARIO)
        return result

    async def set_scenario(self, document: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.set_scenario(document))
        return result

    async def reset(self, account_sid: str | None = None, *, everything: bool = False) -> dict[str, Any]:
        """Delete calls (one account's, or all and reset the virtual clock), stop traffic.
        ``everything``: return this client's account (or ``account_sid``) to a clean state: also
        its flows, agents, properties and traffic, and the server-wide scenario and clock."""
        if everything:
            account_sid = self._account(account_sid)
        result: dict[str, Any] = await self._t.send(requests.reset(account_sid, everything))
        return result

    async def call_events(self, call_sid: str) -> list[CallEvent]:
        return parse_events(await self._t.send(requests.call_events(call_sid)))

    async def webhook_deliveries(self, call_sid: str) -> list[WebhookDelivery]:
        return parse_deliveries(await self._t.send(requests.call_webhooks(call_sid)))

    async def redeliver(self, delivery_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.redeliver(delivery_id))
        return result

    async def flow_requests(self, call_sid: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.flow_requests(call_sid))
        return result

    async def inbound_call(
        self, *, from_: str, to: str, session: dict[str, Any] | None = None, account_sid: str | None = None
    ) -> InboundCall:
        """Ring one of the account's ExoPhones (it must have a flow) from ``from_``."""
        request = requests.inbound(self._account(account_sid), from_, to, session)
        return parse_inbound(await self._t.send(request))

    async def start_traffic(self, spec: dict[str, Any], *, account_sid: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.start_traffic(self._account(account_sid), spec))
        return result

    async def list_traffic(self, *, account_sid: str | None = None) -> list[dict[str, Any]]:
        body = await self._t.send(requests.list_traffic(self._account(account_sid)))
        result: list[dict[str, Any]] = body["generators"]
        return result

    async def traffic(self, generator_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.traffic(generator_id))
        return result

    async def stop_traffic(self, generator_id: int) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.stop_traffic(generator_id))
        return result

    async def put_flow(
        self, app_id: str, document: dict[str, Any], *, account_sid: str | None = None
    ) -> dict[str, Any]:
        request = requests.put_flow(self._account(account_sid), app_id, document)
        result: dict[str, Any] = await self._t.send(request)
        return result

    async def list_flows(self, *, account_sid: str | None = None) -> list[dict[str, Any]]:
        body = await self._t.send(requests.list_flows(self._account(account_sid)))
        result: list[dict[str, Any]] = body["flows"]
        return result

    async def flow(self, app_id: str, *, account_sid: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = await self._t.send(requests.flow(self._account(account_sid), app_id))
        return result

    async def delete_flow(self, app_id: str, *, account_sid: str | None = None) -> None:
        await self._t.send(requests.delete_flow(self._account(account_sid), app_id))

    async def assign_flow(
        self, exophone: str, app_id: str | None, *, account_sid: str | None = None
    ) -> dict[str, Any]:
        request = requests.assign_flow(self._account(account_sid), exophone, app_id)
        result: dict[str, Any] = await self._t.send(request)
        return result

    async def create_user(self, body: dict[str, Any], *, account_sid: str | None = None) -> dict[str, Any]:
        """A CCM agent: ``name``, ``contact_uri``, optional ``user_id`` and ``device_state``."""
        result: dict[str, Any] = await self._t.send(requests.create_user(self._account(account_sid), body))
        return result

    async def create_property(
        self, name: str, *, sid: str | None = None, account_sid: str | None = None
    ) -> dict[str, Any]:
        """A Fone Dynamics call-tracking property."""
        request = requests.create_property(self._account(account_sid), name, sid)
        result: dict[str, Any] = await self._t.send(request)
        return result

    async def wait_for(
        self,
        call_sid: str,
        status: CallStatus | str = CallStatus.COMPLETED,
        *,
        timeout: float = 600.0,
        step: float = DEFAULT_STEP_S,
        poll_interval: float = DEFAULT_POLL_S,
    ) -> Call:
        """The call once it has ``status`` or a final one. ``timeout`` is network seconds to advance
        on a virtual clock, wall seconds to wait on a real one. Raises ``WaitTimeout``."""
        virtual = (await self.clock()).is_virtual
        request = v1_requests.call_details(self._account_sid, call_sid, details=True)
        rounds = _steps(timeout, step if virtual else poll_interval)
        deadline = time.monotonic() + timeout
        call = call_from_body(await self._t.send(request))
        for _ in range(rounds):
            if reached(call, status) or (not virtual and time.monotonic() >= deadline):
                break
            if virtual:
                await self.advance_clock(step)
            else:
                await asyncio.sleep(poll_interval)
            call = call_from_body(await self._t.send(request))
        if reached(call, status):
            return call
        raise _gave_up(call_sid, status, call, timeout)
