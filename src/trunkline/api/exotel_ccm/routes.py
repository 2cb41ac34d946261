"""CCM v2 routes (docs/api-choices.md §CCM v2). Each handler parses, asks the services, renders; the
call itself is placed by the same ``CallService`` as a v1 connect, so there is one call engine.

Plain Starlette endpoints, like v1's: FastAPI's per-request layers would cost more than a call
lookup. Every answer is in the CCM envelope (``render.py``, ``errors.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.api.exotel_ccm.bodies import CcmCallDetailsResponse, CcmLegsResponse, CcmMadeCall
from trunkline.api.exotel_ccm.errors import ERRORS, CcmNotFound
from trunkline.api.exotel_ccm.params import check_content_type, parse_body, parse_make_call
from trunkline.api.exotel_ccm.render import agent_number, call_details, leg_details, made_call, success
from trunkline.api.pipeline import Handler, endpoint, read_body
from trunkline.domain.calls.bulk_filters import is_call_sid
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.services.calls import Caller
from trunkline.services.composition import Services
from trunkline.services.credentials import Principal

PREFIX = "/v2/accounts/{account_sid}"
DIALECT_NAME = "exotel_ccm_v2"
"""Names this dialect's status-callback format in the engine's renderer table."""

Reader = Callable[[Request, Services, Principal], Awaitable[Mapping[str, Any]]]
"""A handler's ``response`` part of the envelope."""


def enveloped(handler: Reader, *, metadata: bool = False) -> Handler[Principal]:
    """The handler's answer in the success envelope. ``metadata``: the v3-shaped legs answer
    carries ``"metadata": null``."""

    async def respond(request: Request, services: Services, principal: Principal) -> Response:
        return success(request.method, await handler(request, services, principal), metadata=metadata)

    return respond


async def make_call(request: Request, services: Services, principal: Principal) -> CcmMadeCall:
    check_content_type(request.headers.get("content-type"))
    made = parse_make_call(parse_body(await read_body(request, ERRORS)))
    agent = await services.calls.agent(principal.account_id, made.agent.user_id, made.agent.contact_uri)
    if agent is None:
        named = made.agent.user_id or made.agent.contact_uri
        raise CcmNotFound(f"User {named} not found", ccm_code=10731)
    caller = Caller(principal.account_id, principal.account_sid)
    try:
        call = await services.calls.connect_agent(
            caller, agent, made.connect_request(agent), dialect=DIALECT_NAME
        )
    except InvalidParameter as exc:
        if exc.parameter == "CallerId":
            raise CcmNotFound(
                f"virtual_number {made.virtual_number} is not an ExoPhone of this account",
                ccm_code=10716,
            ) from None
        if exc.parameter == "StatusCallback":
            raise InvalidParameter(f"status_callback: {exc.message}", parameter="status_callback") from None
        raise
    return made_call(call, agent, made.record)


def _call_sid(request: Request) -> str:
    sid: str = request.path_params["call_sid"]
    if not is_call_sid(sid):
        raise NotFound(f"Call {sid} not found")
    return sid


async def get_call(request: Request, services: Services, principal: Principal) -> CcmCallDetailsResponse:
    sid = _call_sid(request)
    found = await services.calls.details_with_agent(
        principal.account_id, principal.account_sid, sid, agent_number
    )
    if found is None:
        raise NotFound(f"Call {sid} not found")
    call, user_id = found
    return {"call_details": call_details(call, user_id, principal.account_sid, services.settings.public_url)}


async def get_legs(request: Request, services: Services, principal: Principal) -> CcmLegsResponse:
    sid: str = request.path_params["call_sid"]
    found = None
    if is_call_sid(sid):
        found = await services.calls.legs(principal.account_id, principal.account_sid, sid, agent_number)
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
