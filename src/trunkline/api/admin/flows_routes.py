"""Admin API for flows, inbound calls and traffic generators (the sandbox's side of issue 4).

Flows are JSON or YAML documents (``domain.flows.definition``); an ExoPhone answers inbound calls
with the flow assigned to it. Inbound calls come one at a time or from a traffic generator, and
run on the network clock like every other call.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Annotated, Any

import orjson
import yaml
from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

from trunkline.api.admin.routes import PREFIX, Admin, call_id_of
from trunkline.api.context import AppContext
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.flows.definition import parse_flow
from trunkline.domain.tracking.sessions import parse_session
from trunkline.domain.traffic.generator import caller_number, parse_spec
from trunkline.engine.calls.service import Caller
from trunkline.engine.clock import wall_ms
from trunkline.store.accounts import Account
from trunkline.store.flows import StoredFlow
from trunkline.store.traffic import Generator

router = APIRouter(prefix=PREFIX, tags=["admin: flows and inbound traffic"])
MAX_FLOW_BYTES = 256 * 1024


async def _account(ctx: AppContext, sid: str) -> Account:
    account = await ctx.blocking(ctx.accounts.get, sid)
    if account is None:
        raise NotFound(f"no account {sid}")
    return account


async def flow_document(request: Request) -> Any:
    """The request body as JSON, or YAML when the Content-Type says so."""
    body = await request.body()
    if len(body) > MAX_FLOW_BYTES:
        raise InvalidParameter(
            f"a flow document is at most {MAX_FLOW_BYTES // 1024} KiB", parameter="applets"
        )
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    try:
        if "yaml" in content_type:
            return yaml.safe_load(body)
        return orjson.loads(body)
    except (yaml.YAMLError, ValueError) as exc:
        kind = "YAML" if "yaml" in content_type else "JSON"
        raise InvalidParameter(
            f"the body is not valid {kind}: {str(exc).splitlines()[0]}", parameter="applets"
        ) from None


def _flow_json(stored: StoredFlow) -> dict[str, Any]:
    return {
        "app_id": stored.app_id,
        "name": stored.name,
        "url": f"http://my.exotel.com/exoml/start_voice/{stored.app_id}",
        "updated_at": ms_to_ist(stored.updated_at),
        "exophones": stored.exophones,
        "applets": stored.document["applets"],
    }


@router.put(
    "/accounts/{account_sid}/flows/{app_id}",
    summary="Create or replace a flow (JSON, or YAML with Content-Type: application/yaml)",
    openapi_extra={"requestBody": {"content": {"application/json": {}, "application/yaml": {}}}},
)
async def put_flow(ctx: Admin, account_sid: str, app_id: str, request: Request) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    flow = parse_flow(app_id, await flow_document(request))
    created = await ctx.blocking(ctx.flows.put, account.id, flow, wall_ms())
    stored = await ctx.blocking(ctx.flows.get, account.id, app_id)
    assert stored is not None
    return {"created": created, **_flow_json(stored)}


@router.get("/accounts/{account_sid}/flows", summary="The account's flows")
async def list_flows(ctx: Admin, account_sid: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    return {"flows": [_flow_json(f) for f in await ctx.blocking(ctx.flows.of_account, account.id)]}


@router.get("/accounts/{account_sid}/flows/{app_id}", summary="One flow")
async def get_flow(ctx: Admin, account_sid: str, app_id: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    stored = await ctx.blocking(ctx.flows.get, account.id, app_id)
    if stored is None:
        raise NotFound(f"no flow {app_id} in account {account_sid}")
    return _flow_json(stored)


@router.delete("/accounts/{account_sid}/flows/{app_id}", summary="Delete a flow no ExoPhone uses")
async def delete_flow(ctx: Admin, account_sid: str, app_id: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    if not await ctx.blocking(ctx.flows.delete, account.id, app_id):
        raise NotFound(f"no flow {app_id} in account {account_sid}")
    return {"deleted": app_id}


class Assignment(BaseModel):
    app_id: str | None = Field(description="The flow answering calls to this ExoPhone; null: none.")


@router.put(
    "/accounts/{account_sid}/exophones/{number}/flow", summary="Answer an ExoPhone's calls with a flow"
)
async def assign_flow(ctx: Admin, account_sid: str, number: str, assignment: Assignment) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    exophone = caller_number(number, "number")
    await ctx.blocking(ctx.flows.assign, account.id, exophone, assignment.app_id)
    return {"exophone": exophone, "app_id": assignment.app_id}


class InboundCall(BaseModel):
    from_: str = Field(alias="from", description="The caller's number.")
    to: str = Field(description="One of the account's ExoPhones, with a flow assigned.")
    session: dict[str, Any] | None = Field(
        None,
        description="The caller's web session, for call tracking: traffic_type (Campaign, Direct, Organic, "
        "Referral, Unattributed), keywords, landing_uri, conversion_uri, ga_client_id, ads_click_id.",
    )


@router.post(
    "/accounts/{account_sid}/inbound", status_code=201, summary="Place one inbound call to an ExoPhone"
)
async def inbound_call(ctx: Admin, account_sid: str, call: InboundCall) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    caller, exophone = caller_number(call.from_, "from"), caller_number(call.to, "to")
    session = parse_session(call.session)
    extra = session.to_extra() if session is not None else None
    placed = await ctx.blocking(
        partial(ctx.call_service.inbound, extra=extra), Caller(account.id, account.sid), caller, exophone
    )
    return {
        "sid": placed.sid,
        "from": placed.from_number,
        "to": placed.to_number,
        "direction": placed.direction,
        "flow_app_id": placed.flow_app_id,
        "uri": f"/v1/Accounts/{account.sid}/Calls/{placed.sid}",
    }


def _generator_json(generator: Generator) -> dict[str, Any]:
    spec = {k: v for k, v in generator.spec.items() if k not in ("started_at", "reason")}
    return {
        "id": generator.id,
        "account_sid": generator.account_sid,
        "state": generator.state,
        "placed": generator.placed,
        "next_at": ms_to_ist(generator.next_at)
        if generator.next_at is not None and generator.next_at >= 0
        else None,
        "started_at": ms_to_ist(int(generator.spec["started_at"]))
        if "started_at" in generator.spec
        else None,
        "reason": generator.spec.get("reason"),
        "spec": spec,
    }


@router.post("/accounts/{account_sid}/traffic", status_code=201, summary="Start an inbound traffic generator")
async def start_traffic(
    ctx: Admin, account_sid: str, document: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    spec = parse_spec(document)
    for exophone in spec.exophones:
        assigned = await ctx.blocking(ctx.flows.exophone_flow, account.id, exophone)
        if assigned is None:
            raise InvalidParameter(
                f"{exophone} is not an ExoPhone of account {account_sid}", parameter="exophones"
            )
        if assigned[0] is None:
            raise InvalidParameter(
                f"ExoPhone {exophone} has no flow to answer calls with", parameter="exophones"
            )
    starts_at = ctx.clock.now_ms()
    generator_id = await ctx.blocking(ctx.traffic.create, account.id, spec.document(), starts_at, wall_ms())
    ctx.engine.due_at(starts_at)
    generator = await ctx.blocking(ctx.traffic.get, generator_id)
    assert generator is not None
    return _generator_json(generator)


@router.get("/accounts/{account_sid}/traffic", summary="The account's traffic generators")
async def list_traffic(ctx: Admin, account_sid: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    return {
        "generators": [_generator_json(g) for g in await ctx.blocking(ctx.traffic.of_account, account.id)]
    }


async def _generator(ctx: AppContext, generator_id: int) -> Generator:
    generator = await ctx.blocking(ctx.traffic.get, generator_id)
    if generator is None:
        raise NotFound(f"no traffic generator {generator_id}")
    return generator


@router.get("/traffic/{generator_id}", summary="A traffic generator's progress")
async def get_traffic(ctx: Admin, generator_id: int) -> dict[str, Any]:
    return _generator_json(await _generator(ctx, generator_id))


@router.delete("/traffic/{generator_id}", summary="Stop a traffic generator (calls already placed go on)")
async def stop_traffic(ctx: Admin, generator_id: int) -> dict[str, Any]:
    await _generator(ctx, generator_id)
    await ctx.blocking(ctx.traffic.stop, generator_id)
    return _generator_json(await _generator(ctx, generator_id))


@router.get("/calls/{call_sid}/flow-requests", summary="The HTTP requests a call's flow made (Passthru)")
async def flow_requests(ctx: Admin, call_sid: str) -> dict[str, Any]:
    call_id = await call_id_of(ctx, call_sid)
    requests = await ctx.blocking(ctx.flow_requests.for_call, call_id)
    return {"call_sid": call_sid, "requests": [asdict(r) for r in requests]}
