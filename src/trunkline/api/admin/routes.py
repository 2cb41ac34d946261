"""Sandbox controls: the network clock, scenarios, a call's events and webhook deliveries, reset;
and the live server processes.

Separate from every dialect: its own prefix, its own token (``TRUNKLINE_ADMIN_TOKEN``, compared in
constant time), its own JSON error form ``{"error": {"code", "message"}}``. Served by FastAPI, so
the OpenAPI page documents it from these signatures; none of it is on a hot path.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, cast

import anyio.to_thread
from fastapi import APIRouter, Body
from pydantic import Field, StrictBool

from trunkline.api.admin.bodies import (
    AdvanceAnswer,
    CallEventsAnswer,
    CallWebhooksAnswer,
    ClockAnswer,
    DeliveryLogBody,
    ProcessBody,
    ProcessesAnswer,
    RedeliverAnswer,
    ResetAnswer,
    ScenarioAnswer,
)
from trunkline.api.admin.dependencies import PREFIX, Admin, AdminBody, Document, RowId
from trunkline.domain.clock import ms_to_ist
from trunkline.services.processes import LiveProcess
from trunkline.services.sandbox import DeliveryLog, StoredEvent

router = APIRouter(prefix=PREFIX, tags=["admin"])


class Advance(AdminBody):
    seconds: float = Field(gt=0, le=366 * 86400, description="How far to move the virtual clock.")


class Reset(AdminBody):
    account_sid: str | None = Field(None, description="Only this account's calls; all accounts when omitted.")
    everything: StrictBool = Field(
        False,
        description="With account_sid: also delete the account's flows, agents, properties and traffic "
        "generators, and reset the (server-wide) scenario and virtual clock, for a clean next test.",
    )


@router.get(
    "/clock", summary="Read the network clock", operation_id="admin_clock_get", response_model=ClockAnswer
)
async def read_clock(services: Admin) -> Any:
    return await services.sandbox.clock()


@router.post(
    "/clock/advance",
    summary="Advance the virtual clock and run everything that fell due",
    operation_id="admin_clock_advance",
    response_model=AdvanceAnswer,
)
async def advance_clock(services: Admin, advance: Advance) -> Any:
    return await services.sandbox.advance(advance.seconds)


@router.get(
    "/scenario",
    summary="The simulated network's scenario rules",
    operation_id="admin_scenario_get",
    response_model=ScenarioAnswer,
)
async def read_scenario(services: Admin) -> Any:
    return services.sandbox.scenario().document or {"rules": []}


@router.put(
    "/scenario",
    summary="Replace the scenario rules (see docs/simulated-network.md)",
    operation_id="admin_scenario_put",
    response_model=ScenarioAnswer,
)
async def write_scenario(services: Admin, document: Document) -> Any:
    scenario = await services.sandbox.set_scenario(document)
    return scenario.document or {"rules": []}


@router.get(
    "/processes",
    summary="The live server processes on this store, with their heartbeats (see docs/scaling.md)",
    operation_id="admin_processes_list",
    response_model=ProcessesAnswer,
)
async def live_processes(services: Admin) -> Any:
    registry = services.processes
    found = await anyio.to_thread.run_sync(registry.live)
    return processes_json(registry.enabled, registry.heartbeat_s, registry.gone_after_ms, found)


def processes_json(
    registry: bool, heartbeat_s: float, gone_after_ms: int, found: list[LiveProcess]
) -> ProcessesAnswer:
    """The process registry's settings and its live processes, each start time also in IST."""
    return {
        "registry": registry,
        "heartbeat_seconds": heartbeat_s,
        "gone_after_seconds": gone_after_ms / 1000,
        "processes": [cast(ProcessBody, asdict(p) | {"started_ist": ms_to_ist(p.started_ms)}) for p in found],
    }


@router.get(
    "/calls/{call_sid}/events",
    summary="Every transition of a call, with its time",
    operation_id="admin_calls_events_list",
    response_model=CallEventsAnswer,
)
async def call_events(services: Admin, call_sid: str) -> Any:
    return events_json(call_sid, await services.sandbox.events(call_sid))


def events_json(call_sid: str, events: list[StoredEvent]) -> CallEventsAnswer:
    return {
        "call_sid": call_sid,
        "events": [
            {"at_ms": e.at, "at_ist": ms_to_ist(e.at), "name": e.name, "detail": e.detail} for e in events
        ],
    }


@router.get(
    "/calls/{call_sid}/webhooks",
    summary="Status-callback deliveries of a call, with every attempt",
    operation_id="admin_calls_webhooks_list",
    response_model=CallWebhooksAnswer,
)
async def call_webhooks(services: Admin, call_sid: str) -> Any:
    return webhooks_json(call_sid, await services.sandbox.deliveries(call_sid))


def webhooks_json(call_sid: str, logs: list[DeliveryLog]) -> CallWebhooksAnswer:
    return {"call_sid": call_sid, "deliveries": [cast(DeliveryLogBody, asdict(log)) for log in logs]}


@router.post(
    "/webhooks/{delivery_id}/redeliver",
    summary="Send a delivery again now",
    operation_id="admin_webhooks_redeliver",
    response_model=RedeliverAnswer,
)
async def redeliver(services: Admin, delivery_id: RowId) -> Any:
    await services.sandbox.redeliver(delivery_id)
    return {"delivery_id": delivery_id, "state": "pending"}


@router.post(
    "/reset",
    summary="Delete calls (of one account or all), stop their traffic and reset the virtual clock; "
    "with everything, return one account to a clean state",
    operation_id="admin_sandbox_reset",
    response_model=ResetAnswer,
)
async def reset(services: Admin, request: Annotated[Reset | None, Body()] = None) -> Any:
    if request is None:
        return await services.sandbox.reset(None)
    return await services.sandbox.reset(request.account_sid, everything=request.everything)
