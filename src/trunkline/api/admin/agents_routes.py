"""Admin API for agents (CCM v2 "users"): the people a CCM call rings first, with their device.

``/admin/accounts/{sid}/users[/{user_id}]``, Bearer token and JSON errors like every admin route;
a duplicate user_id or contact_uri is a 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from trunkline.api.admin.bodies import AgentBody, AgentsAnswer
from trunkline.api.admin.dependencies import PREFIX, Admin, AdminBody
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import NotFound
from trunkline.services.agents import Agent

router = APIRouter(prefix=PREFIX, tags=["admin: agents (CCM users)"])


class AgentCreate(AdminBody):
    user_id: str | None = Field(None, description="Kept as given; a UUID is generated when omitted.")
    name: str = Field(description="Shown as the agent's leg name.")
    contact_uri: str = Field(description="The agent's phone (any number spelling, stored E.164) or sip: URI.")
    device_state: str = Field("on", description="on, off, busy or unverified; only `on` can take calls.")


class AgentUpdate(AdminBody):
    name: str | None = None
    contact_uri: str | None = None
    device_state: str | None = None


def agent_json(agent: Agent) -> AgentBody:
    return {
        "user_id": agent.user_id,
        "name": agent.name,
        "contact_uri": agent.contact_uri,
        "device_state": agent.device_state,
        "created_at": ms_to_ist(agent.created_at),
        "updated_at": ms_to_ist(agent.updated_at),
    }


@router.post(
    "/accounts/{account_sid}/users",
    summary="Add an agent",
    status_code=201,
    operation_id="admin_agents_create",
    response_model=AgentBody,
)
def create_agent(services: Admin, account_sid: str, body: AgentCreate) -> Any:
    agent = services.agents.create(
        account_sid,
        user_id=body.user_id,
        name=body.name,
        contact_uri=body.contact_uri,
        device_state=body.device_state,
    )
    return agent_json(agent)


@router.get(
    "/accounts/{account_sid}/users",
    summary="List the account's agents",
    operation_id="admin_agents_list",
    response_model=AgentsAnswer,
)
def list_agents(services: Admin, account_sid: str) -> Any:
    return {"users": [agent_json(agent) for agent in services.agents.list(account_sid)]}


@router.get(
    "/accounts/{account_sid}/users/{user_id}",
    summary="One agent",
    operation_id="admin_agents_get",
    response_model=AgentBody,
)
def get_agent(services: Admin, account_sid: str, user_id: str) -> Any:
    agent = services.agents.get(account_sid, user_id)
    if agent is None:
        raise NotFound(f"no user {user_id}")
    return agent_json(agent)


@router.patch(
    "/accounts/{account_sid}/users/{user_id}",
    summary="Change an agent's name, contact_uri or device",
    operation_id="admin_agents_update",
    response_model=AgentBody,
)
def update_agent(services: Admin, account_sid: str, user_id: str, body: AgentUpdate) -> Any:
    agent = services.agents.update(
        account_sid, user_id, name=body.name, contact_uri=body.contact_uri, device_state=body.device_state
    )
    return agent_json(agent)


@router.delete(
    "/accounts/{account_sid}/users/{user_id}",
    summary="Remove an agent",
    status_code=204,
    operation_id="admin_agents_delete",
)
def delete_agent(services: Admin, account_sid: str, user_id: str) -> Response:
    if not services.agents.delete(account_sid, user_id):
        raise NotFound(f"no user {user_id}")
    return Response(status_code=204)
