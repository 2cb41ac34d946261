"""Sandbox controls: the network clock, scenarios, a call's events and webhook deliveries, reset.

Separate from every dialect: its own prefix, its own token (``TRUNKLINE_ADMIN_TOKEN``, compared in
constant time), its own JSON error form ``{"error": {"code", "message"}}``. Served by FastAPI, so
the OpenAPI page documents it from these signatures; none of it is on a hot path.
"""

from __future__ import annotations

import hmac
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from pydantic import BaseModel, Field

from trunkline.api.context import AppContext
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import AuthenticationFailed, NotFound
from trunkline.engine import network_scenarios
from trunkline.engine.clock import wall_ms

PREFIX = "/admin"


def _ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


def require_admin(
    request: Request,
    authorization: Annotated[str | None, Header(description="`Bearer <admin token>`")] = None,
) -> AppContext:
    ctx = _ctx(request)
    expected = f"Bearer {request.app.state.admin_token}".encode()
    if authorization is None or not hmac.compare_digest(authorization.encode(), expected):
        raise AuthenticationFailed(
            "admin token missing or wrong (Authorization: Bearer <TRUNKLINE_ADMIN_TOKEN>)"
        )
    return ctx


Admin = Annotated[AppContext, Depends(require_admin)]
router = APIRouter(prefix=PREFIX, tags=["admin"])


class Advance(BaseModel):
    seconds: float = Field(gt=0, le=366 * 86400, description="How far to move the virtual clock.")


class Reset(BaseModel):
    account_sid: str | None = Field(None, description="Only this account's calls; all accounts when omitted.")


@router.get("/clock", summary="Read the network clock")
async def read_clock(ctx: Admin) -> dict[str, Any]:
    return ctx.clock.describe() | {"calls_in_flight": await ctx.blocking(ctx.runs.in_flight)}


@router.post("/clock/advance", summary="Advance the virtual clock and run everything that fell due")
async def advance_clock(ctx: Admin, advance: Advance) -> dict[str, Any]:
    await ctx.blocking(ctx.clock.advance, int(advance.seconds * 1000))
    advanced = await ctx.run_network()
    ctx.deliverer.wake()
    return ctx.clock.describe() | {"calls_advanced": advanced}


@router.get("/scenario", summary="The simulated network's scenario rules")
async def read_scenario(ctx: Admin) -> dict[str, Any]:
    return ctx.network.scenario.document or {"rules": []}


@router.put("/scenario", summary="Replace the scenario rules (see docs/simulated-network.md)")
async def write_scenario(ctx: Admin, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    scenario = await ctx.blocking(network_scenarios.save, ctx.db, document)
    ctx.network.use(scenario)
    return scenario.document or {"rules": []}


async def call_id_of(ctx: AppContext, call_sid: str) -> int:
    found = await ctx.blocking(ctx.runs.find, None, call_sid)
    if found is None:
        raise NotFound(f"no call {call_sid} placed through the engine")
    return found[0]


@router.get("/calls/{call_sid}/events", summary="Every transition of a call, with its time")
async def call_events(ctx: Admin, call_sid: str) -> dict[str, Any]:
    call_id = await call_id_of(ctx, call_sid)
    events = await ctx.blocking(ctx.runs.events, call_id)
    return {
        "call_sid": call_sid,
        "events": [
            {"at_ms": e.at, "at_ist": ms_to_ist(e.at), "name": e.name, "detail": e.detail} for e in events
        ],
    }


@router.get("/calls/{call_sid}/webhooks", summary="Status-callback deliveries of a call, with every attempt")
async def call_webhooks(ctx: Admin, call_sid: str) -> dict[str, Any]:
    call_id = await call_id_of(ctx, call_sid)
    logs = await ctx.blocking(ctx.webhooks.for_call, None, call_id)
    return {"call_sid": call_sid, "deliveries": [asdict(log) for log in logs]}


@router.post("/webhooks/{delivery_id}/redeliver", summary="Send a delivery again now")
async def redeliver(ctx: Admin, delivery_id: int) -> dict[str, Any]:
    if not await ctx.blocking(ctx.webhooks.redeliver, delivery_id, wall_ms()):
        raise NotFound(f"no webhook delivery {delivery_id}")
    ctx.deliverer.wake()
    return {"delivery_id": delivery_id, "state": "pending"}


@router.post(
    "/reset", summary="Delete calls (of one account or all), stop their traffic and reset the virtual clock"
)
async def reset(ctx: Admin, request: Annotated[Reset | None, Body()] = None) -> dict[str, Any]:
    account_id = None
    if request is not None and request.account_sid is not None:
        account = await ctx.blocking(ctx.accounts.get, request.account_sid)
        if account is None:
            raise NotFound(f"no account {request.account_sid}")
        account_id = account.id
    stopped = await ctx.blocking(ctx.traffic.stop_all, account_id)
    deleted = await ctx.blocking(ctx.call_writes.purge, account_id)
    if account_id is None:
        await ctx.blocking(ctx.clock.reset)
    return {"calls_deleted": deleted, "generators_stopped": stopped, "clock": ctx.clock.describe()}
