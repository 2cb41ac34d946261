"""Admin API for agents (CCM v2 "users"): the people a CCM call rings first, with their device.

``/admin/accounts/{sid}/users[/{user_id}]``, Bearer token and JSON errors like every admin route;
a duplicate user_id or contact_uri is a 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from trunkline.api.admin.flows_routes import _account
from trunkline.api.admin.routes import PREFIX, Admin
from trunkline.api.context import AppContext
from trunkline.domain.agents.model import (
    Agent,
    AgentChanges,
    check_device_state,
    check_name,
    check_user_id,
    new_user_id,
    normalise_contact_uri,
)
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.engine.clock import wall_ms
from trunkline.store.agents import AgentStore

router = APIRouter(prefix=PREFIX, tags=["admin: agents (CCM users)"])


class AgentCreate(BaseModel):
    user_id: str | None = Field(None, description="Kept as given; a UUID is generated when omitted.")
    name: str = Field(description="Shown as the agent's leg name.")
    contact_uri: str = Field(description="The agent's phone (any number spelling, stored E.164) or sip: URI.")
    device_state: str = Field("on", description="on, off, busy or unverified; only `on` can take calls.")


class AgentUpdate(BaseModel):
    name: str | None = None
    contact_uri: str | None = None
    device_state: str | None = None


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "user_id": agent.user_id,
        "name": agent.name,
        "contact_uri": agent.contact_uri,
        "device_state": agent.device_state,
        "created_at": ms_to_ist(agent.created_at),
        "updated_at": ms_to_ist(agent.updated_at),
    }


def _store(ctx: AppContext) -> AgentStore:
    return ctx.agents


@router.post("/accounts/{account_sid}/users", summary="Add an agent", status_code=201)
async def create_agent(ctx: Admin, account_sid: str, body: AgentCreate) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    now = wall_ms()
    agent = Agent(
        user_id=check_user_id(body.user_id) if body.user_id is not None else new_user_id(),
        name=check_name(body.name),
        contact_uri=normalise_contact_uri(body.contact_uri),
        device_state=check_device_state(body.device_state),
        created_at=now,
        updated_at=now,
    )
    return agent_json(await ctx.blocking(_store(ctx).create, account.id, agent))


@router.get("/accounts/{account_sid}/users", summary="List the account's agents")
async def list_agents(ctx: Admin, account_sid: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    agents = await ctx.blocking(_store(ctx).list, account.id)
    return {"users": [agent_json(agent) for agent in agents]}


@router.get("/accounts/{account_sid}/users/{user_id}", summary="One agent")
async def get_agent(ctx: Admin, account_sid: str, user_id: str) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    agent = await ctx.blocking(_store(ctx).get, account.id, user_id)
    if agent is None:
        raise NotFound(f"no user {user_id}")
    return agent_json(agent)


@router.patch(
    "/accounts/{account_sid}/users/{user_id}", summary="Change an agent's name, contact_uri or device"
)
async def update_agent(ctx: Admin, account_sid: str, user_id: str, body: AgentUpdate) -> dict[str, Any]:
    account = await _account(ctx, account_sid)
    changes = AgentChanges(
        name=check_name(body.name) if body.name is not None else None,
        contact_uri=normalise_contact_uri(body.contact_uri) if body.contact_uri is not None else None,
        device_state=check_device_state(body.device_state) if body.device_state is not None else None,
    )
    if changes == AgentChanges():
        raise InvalidParameter("give at least one of name, contact_uri, device_state")
    return agent_json(await ctx.blocking(_store(ctx).update, account.id, user_id, changes, wall_ms()))


@router.delete("/accounts/{account_sid}/users/{user_id}", summary="Remove an agent", status_code=204)
async def delete_agent(ctx: Admin, account_sid: str, user_id: str) -> Response:
    account = await _account(ctx, account_sid)
    if not await ctx.blocking(_store(ctx).delete, account.id, user_id):
        raise NotFound(f"no user {user_id}")
    return Response(status_code=204)
