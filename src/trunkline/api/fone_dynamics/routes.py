"""Fone Dynamics routes: Get Calls (one call, a property's, an account's), Purchase Numbers and
Configure Numbers. The request pipeline (``api/pipeline.py``) authenticates (Basic ``AccountSid:Token``;
an API key works too); each handler parses, calls the store or engine, and renders."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.api.fone_dynamics.errors import ERRORS
from trunkline.api.fone_dynamics.params import canonical, parse_calls_query, read_parameters
from trunkline.api.fone_dynamics.render import call_object, json_response, number_object
from trunkline.api.pipeline import Endpoint, endpoint
from trunkline.domain.calls.bulk_filters import is_call_sid
from trunkline.domain.errors import InvalidParameter, NotFound
from trunkline.domain.tracking.errors import ParameterRequired
from trunkline.domain.tracking.numbers import e164, number_from_path
from trunkline.services.composition import Services
from trunkline.services.credentials import Principal


async def call_details(request: Request, services: Services, principal: Principal) -> Response:
    sid = request.path_params["call_sid"]
    call = await services.tracking.call(principal.account_id, sid) if is_call_sid(sid) else None
    if call is None:
        exists = (
            is_call_sid(sid)
            and await services.calls.details(principal.account_id, principal.account_sid, sid) is not None
        )
        reason = f"Call {sid} was not made to a tracking number" if exists else f"No call {sid}"
        raise NotFound(reason, parameter="CallSid")
    return json_response({"Call": call_object(call, services.settings.public_url)})


async def _list(
    request: Request, services: Services, principal: Principal, property_id: int | None
) -> Response:
    query = parse_calls_query(canonical(request.query_params.multi_items()))
    page = await services.tracking.calls(principal.account_id, property_id, query)
    public_url = services.settings.public_url
    return json_response(
        {"Calls": [call_object(c, public_url) for c in page.calls], "TotalCount": page.total}
    )


async def account_calls(request: Request, services: Services, principal: Principal) -> Response:
    return await _list(request, services, principal, None)


async def property_calls(request: Request, services: Services, principal: Principal) -> Response:
    prop = await services.tracking.own_property(principal.account_id, request.path_params["property_sid"])
    return await _list(request, services, principal, prop.id)


def _param(params: dict[str, str], name: str) -> str | None:
    for key, value in params.items():
        if key.lower() == name.lower():
            return value
    return None


async def purchase_number(request: Request, services: Services, principal: Principal) -> Response:
    prop = await services.tracking.own_property(principal.account_id, request.path_params["property_sid"])
    params = await read_parameters(request)
    raw = (_param(params, "Number") or "").strip()
    if not raw:
        raise ParameterRequired("Number is required", parameter="Number")
    number = e164(raw, "Number")
    address = (_param(params, "AddressSid") or "").strip() or None
    if address is not None and len(address) > 64:
        raise InvalidParameter("AddressSid is at most 64 characters", parameter="AddressSid")
    bought = await services.tracking.buy_number(prop, number, address)
    return json_response({"Number": bought.number, "Status": bought.status})


async def configure_number(request: Request, services: Services, principal: Principal) -> Response:
    number = number_from_path(request.path_params["number"])
    params = await read_parameters(request)
    configured = await services.tracking.configure_number(principal.account_id, number, params)
    return json_response(number_object(configured))


async def read_number(request: Request, services: Services, principal: Principal) -> Response:
    number = number_from_path(request.path_params["number"])
    found = await services.tracking.number(principal.account_id, number)
    if found is None:
        raise NotFound(f"{number} is not a tracking number of this account", parameter="Number")
    return json_response(number_object(found))


def routes() -> list[BaseRoute]:
    """The Fone routes; route names are the OpenAPI operation ids (``openapi.py``)."""
    return [
        Route("/v2/Calls/{call_sid}", endpoint(call_details, ERRORS), methods=["GET"], name="fone_calls_get"),
        Route(
            "/v2/Accounts/{account_sid}/Calls",
            endpoint(account_calls, ERRORS),
            methods=["GET"],
            name="fone_calls_list",
        ),
        Route(
            "/v2/Properties/{property_sid}/Calls",
            endpoint(property_calls, ERRORS),
            methods=["GET"],
            name="fone_property_calls_list",
        ),
        Route(
            "/v2/Properties/{property_sid}/Numbers",
            endpoint(purchase_number, ERRORS),
            methods=["POST"],
            name="fone_property_numbers_create",
        ),
        Route(
            "/v2/Numbers/{number}",
            _by_method({"GET": endpoint(read_number, ERRORS), "POST": endpoint(configure_number, ERRORS)}),
            methods=["GET", "POST"],
            name="fone_numbers",
        ),
    ]


def _by_method(endpoints: dict[str, Endpoint]) -> Endpoint:
    """One route for every method of a path, so that a 405's ``Allow`` lists them all (two routes
    on one path would each answer a wrong method with their own). Operation ids
    ``fone_numbers_get``/``fone_numbers_update`` are the document's (``openapi.py``)."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return dispatch
