"""CCM v2 routes (API-NOTES §8). Each handler parses, asks the shared services, and renders; the
call itself is placed by the same ``CallService`` as a v1 connect, so there is one call engine.

Plain Starlette endpoints, like v1's: FastAPI's per-request layers would cost more than a call
lookup. Every answer is in the CCM envelope (``render.py``, ``errors.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.api.auth import Principal
from trunkline.api.context import AppContext
from trunkline.api.exotel_ccm.agent_turns import AgentTurns
from trunkline.api.exotel_ccm.errors import ERRORS, CcmNotFound
from trunkline.api.exotel_ccm.params import AgentRef, check_content_type, parse_body, parse_make_call
from trunkline.api.exotel_ccm.render import agent_number, call_details, leg_details, made_call, success
from trunkline.api.pipeline import Handler, endpoint, read_body
from trunkline.domain.agents.model import Agent, check_can_call
from trunkline.domain.calls.bulk_filters import is_call_sid
from trunkline.domain.calls.model import Call
from trunkline.domain.calls.run_state import CallRun
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.engine.calls.service import Caller
from trunkline.store.agents import AgentStore
from trunkline.store.call_runs import CallRunStore
from trunkline.store.calls import CallStore

PREFIX = "/v2/accounts/{account_sid}"
DIALECT_NAME = "exotel_ccm_v2"
"""Names this dialect's status-callback format in the engine's renderer table."""

Reader = Callable[[Request, AppContext, Principal], Awaitable[dict[str, Any]]]
"""A handler's ``response`` part of the envelope."""


def enveloped(handler: Reader, *, metadata: bool = False) -> Handler[Principal]:
    """The handler's answer in the success envelope. ``metadata``: the v3-shaped legs answer
    carries ``"metadata": null``."""

    async def respond(request: Request, ctx: AppContext, principal: Principal) -> Response:
        return success(request.method, await handler(request, ctx, principal), metadata=metadata)

    return respond


def _agents(request: Request) -> AgentStore:
    store: AgentStore = request.app.state.agents
    return store


def _agent_for(agents: AgentStore, account_id: int, ref: AgentRef) -> Agent | None:
    """The agent a make-call names."""
    if ref.user_id is not None:
        return agents.get(account_id, ref.user_id)
    assert ref.contact_uri is not None
    return agents.by_contact_uri(account_id, ref.contact_uri)


async def make_call(request: Request, ctx: AppContext, principal: Principal) -> dict[str, Any]:
    check_content_type(request.headers.get("content-type"))
    made = parse_make_call(parse_body(await read_body(request, ERRORS)))
    agents = _agents(request)
    agent = await ctx.read(_agent_for, agents, principal.account_id, made.agent)
    if agent is None:
        named = made.agent.user_id or made.agent.contact_uri
        raise CcmNotFound(f"User {named} not found", ccm_code=10731)
    turns: AgentTurns = request.app.state.agent_turns
    async with turns.turn(principal.account_id, agent.user_id):
        # Read in the agent's turn: a call placed by the turn before is stored by now.
        on_a_call = await ctx.read(agents.on_a_call, principal.account_id, agent.user_id)
        check_can_call(agent, on_a_call=on_a_call)
        caller = Caller(principal.account_id, principal.account_sid)
        try:
            call = await ctx.call_service.connect_async(
                caller, made.connect_request(agent), dialect=DIALECT_NAME
            )
        except InvalidParameter as exc:
            if exc.parameter == "CallerId":
                raise CcmNotFound(
                    f"virtual_number {made.virtual_number} is not an ExoPhone of this account",
                    ccm_code=10716,
                ) from None
            if exc.parameter == "StatusCallback":
                raise InvalidParameter(
                    f"status_callback: {exc.message}", parameter="status_callback"
                ) from None
            raise
    return made_call(call, agent, made.record)


def _call_sid(request: Request) -> str:
    sid: str = request.path_params["call_sid"]
    if not is_call_sid(sid):
        raise NotFound(f"Call {sid} not found")
    return sid


def _details_read(
    calls: CallStore, agents: AgentStore, account_id: int, account_sid: str, sid: str
) -> tuple[Call, str | None] | None:
    """The call with its legs and its agent's user_id, read together (one thread hop)."""
    call = calls.get(account_id, account_sid, sid, True)
    if call is None:
        return None
    return call, agents.agent_of_call(account_id, sid, agent_number(call))


async def get_call(request: Request, ctx: AppContext, principal: Principal) -> dict[str, Any]:
    sid = _call_sid(request)
    found = await ctx.read(
        _details_read,
        ctx.calls,
        _agents(request),
        principal.account_id,
        principal.account_sid,
        sid,
        quick=True,
    )
    if found is None:
        raise NotFound(f"Call {sid} not found")
    call, user_id = found
    return {"call_details": call_details(call, user_id, principal.account_sid, ctx.settings.public_url)}


def _legs_read(
    calls: CallStore, runs: CallRunStore, agents: AgentStore, account_id: int, account_sid: str, sid: str
) -> tuple[Call, CallRun | None, str | None] | None:
    call = calls.get(account_id, account_sid, sid, True)
    if call is None:
        return None
    found = runs.find(account_id, sid)
    user_id = agents.agent_of_call(account_id, sid, agent_number(call))
    agent = agents.get(account_id, user_id) if user_id is not None else None
    return call, found[1] if found else None, agent.name if agent else None


async def get_legs(request: Request, ctx: AppContext, principal: Principal) -> dict[str, Any]:
    sid: str = request.path_params["call_sid"]
    found = None
    if is_call_sid(sid):
        found = await ctx.read(
            _legs_read,
            ctx.calls,
            ctx.runs,
            _agents(request),
            principal.account_id,
            principal.account_sid,
            sid,
        )
    if found is None:
        raise CcmNotFound(f"Call {sid} not found", ccm_code=10744)
    call, run, agent_name = found
    return {
        "code": 200,
        "error_data": None,
        "status": "success",
        "leg_details": leg_details(call, run, agent_name, principal.account_sid),
    }


def routes() -> list[BaseRoute]:
    """The CCM routes; route names are the OpenAPI operation ids (``openapi.py``)."""
    return [
        Route(
            f"{PREFIX}/calls/{{call_sid}}",
            endpoint(enveloped(get_call), ERRORS),
            methods=["GET"],
            name="ccm_calls_get",
        ),
        Route(
            f"{PREFIX}/calls",
            endpoint(enveloped(make_call), ERRORS),
            methods=["POST"],
            name="ccm_calls_create",
        ),
        Route(
            f"{PREFIX}/calls/{{call_sid}}/legs",
            endpoint(enveloped(get_legs, metadata=True), ERRORS),
            methods=["GET"],
            name="ccm_calls_legs_list",
        ),
    ]
