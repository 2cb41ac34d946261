"""Fone Dynamics routes: Get Calls (one call, a property's, an account's), Purchase Numbers and
Configure Numbers. Each handler authenticates, parses, calls the store or engine, and renders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.api.auth import Principal
from trunkline.api.context import AppContext
from trunkline.api.fone_dynamics.render import call_object, error_response, json_response, number_object
from trunkline.domain.calls.bulk_filters import is_call_sid
from trunkline.domain.client_text import check_text, has_control
from trunkline.domain.errors import Forbidden, InvalidParameter, NotFound, RateLimited, TrunklineError
from trunkline.domain.tracking.errors import ParameterRequired
from trunkline.domain.tracking.numbers import e164, number_from_path
from trunkline.domain.tracking.properties import Property
from trunkline.domain.tracking.query import canonical, parse_calls_query
from trunkline.engine.clock import wall_ms
from trunkline.engine.tracking.numbers import NumberConfigurator

MAX_BODY_BYTES = 64 * 1024
Handler = Callable[[Request, AppContext, Principal], Awaitable[Response]]


def fone_endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Authenticate (Basic ``AccountSid:Token``; an API key works too), spend a rate-limit token,
    run the handler, and render every error in the ``ResponseStatus`` envelope."""

    async def endpoint(request: Request) -> Response:
        ctx: AppContext = request.app.state.ctx
        try:
            principal = await ctx.authenticator.principal(request.headers.get("authorization"))
            account_sid = request.path_params.get("account_sid")
            if account_sid is not None and account_sid != principal.account_sid:
                raise _forbidden()
            headers = ctx.limiter.spend(principal.account_sid)
            response = await handler(request, ctx, principal)
        except RateLimited as exc:
            return error_response(exc, ctx.limiter.refused_headers(exc))
        except TrunklineError as exc:
            extra = {"WWW-Authenticate": 'Basic realm="Trunkline"'} if exc.status == 401 else None
            return error_response(exc, extra)
        if headers:
            response.headers.update(headers)
        return response

    return endpoint


def _forbidden() -> TrunklineError:
    return Forbidden("These credentials do not give access to this account")


async def _property(ctx: AppContext, principal: Principal, sid: str) -> Property:
    """The path's property; another account's answers like a missing one (no existence leak)."""
    if has_control(sid):
        raise NotFound(f"No property {sid!r}", parameter="PropertySid")
    found = await ctx.read(ctx.properties.property_by_sid, sid)
    if found is None or found.account_id != principal.account_id:
        raise NotFound(f"No property {sid}", parameter="PropertySid")
    return found


async def call_details(request: Request, ctx: AppContext, principal: Principal) -> Response:
    sid = request.path_params["call_sid"]
    call = await ctx.read(ctx.tracked_calls.get_call, principal.account_id, sid) if is_call_sid(sid) else None
    if call is None:
        exists = (
            is_call_sid(sid) and await ctx.call(principal.account_id, principal.account_sid, sid) is not None
        )
        reason = f"Call {sid} was not made to a tracking number" if exists else f"No call {sid}"
        raise NotFound(reason, parameter="CallSid")
    return json_response({"Call": call_object(call, ctx.settings.public_url)})


async def _list(request: Request, ctx: AppContext, principal: Principal, property_id: int | None) -> Response:
    query = parse_calls_query(canonical(request.query_params.multi_items()))
    page = await ctx.read(ctx.tracked_calls.list_calls, principal.account_id, property_id, query)
    public_url = ctx.settings.public_url
    return json_response(
        {"Calls": [call_object(c, public_url) for c in page.calls], "TotalCount": page.total}
    )


async def account_calls(request: Request, ctx: AppContext, principal: Principal) -> Response:
    return await _list(request, ctx, principal, None)


async def property_calls(request: Request, ctx: AppContext, principal: Principal) -> Response:
    prop = await _property(ctx, principal, request.path_params["property_sid"])
    return await _list(request, ctx, principal, prop.id)


async def read_parameters(request: Request) -> dict[str, str]:
    """The query string, then a form or JSON body (which wins). Names as sent; no name or value
    may hold a control character (``client_text``)."""
    params = await _read_parameters(request)
    for name, value in params.items():
        check_text(name, name)
        check_text(name, value)
    return params


async def _read_parameters(request: Request) -> dict[str, str]:
    params = dict(request.query_params.multi_items())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            form = await request.form(max_files=0, max_fields=100)
        except Exception as exc:  # python-multipart's errors have no common base worth naming
            raise InvalidParameter(f"the multipart body cannot be read: {exc}") from None
        params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
        return params
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise InvalidParameter(f"the request body is larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        return params
    if content_type == "application/json" or body.lstrip()[:1] == b"{":
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise InvalidParameter("the request body is not valid JSON") from None
        if not isinstance(document, dict):
            raise InvalidParameter("the JSON body must be an object of parameters")
        for name, value in document.items():
            if isinstance(value, dict | list):
                raise InvalidParameter(f"{name} must be a string", parameter=str(name))
            params[str(name)] = (
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            )
        return params
    try:
        form = await request.form(max_files=0, max_fields=100)
    except Exception as exc:  # too many fields: Starlette's 400, which this dialect must answer itself
        raise InvalidParameter(f"the form body cannot be read: {getattr(exc, 'detail', exc)}") from None
    params.update({k: v for k, v in form.multi_items() if isinstance(v, str)})
    return params


def _param(params: dict[str, str], name: str) -> str | None:
    for key, value in params.items():
        if key.lower() == name.lower():
            return value
    return None


async def purchase_number(request: Request, ctx: AppContext, principal: Principal) -> Response:
    prop = await _property(ctx, principal, request.path_params["property_sid"])
    params = await read_parameters(request)
    raw = (_param(params, "Number") or "").strip()
    if not raw:
        raise ParameterRequired("Number is required", parameter="Number")
    number = e164(raw, "Number")
    address = (_param(params, "AddressSid") or "").strip() or None
    if address is not None and len(address) > 64:
        raise InvalidParameter("AddressSid is at most 64 characters", parameter="AddressSid")
    bought = await ctx.blocking(ctx.tracking_numbers.buy_number, prop, number, address, wall_ms())
    return json_response({"Number": bought.number, "Status": bought.status})


async def configure_number(request: Request, ctx: AppContext, principal: Principal) -> Response:
    number = number_from_path(request.path_params["number"])
    params = await read_parameters(request)
    configurator = NumberConfigurator(ctx.db, ctx.tracking_numbers, ctx.flows)
    configured = await ctx.blocking(configurator.configure, principal.account_id, number, params, wall_ms())
    return json_response(number_object(configured))


async def read_number(request: Request, ctx: AppContext, principal: Principal) -> Response:
    number = number_from_path(request.path_params["number"])
    found = await ctx.read(ctx.tracking_numbers.number, principal.account_id, number)
    if found is None:
        raise NotFound(f"{number} is not a tracking number of this account", parameter="Number")
    return json_response(number_object(found))


def routes() -> list[BaseRoute]:
    return [
        Route("/v2/Calls/{call_sid}", fone_endpoint(call_details), methods=["GET"], name="fone_call"),
        Route(
            "/v2/Accounts/{account_sid}/Calls",
            fone_endpoint(account_calls),
            methods=["GET"],
            name="fone_calls",
        ),
        Route(
            "/v2/Properties/{property_sid}/Calls",
            fone_endpoint(property_calls),
            methods=["GET"],
            name="fone_property_calls",
        ),
        Route(
            "/v2/Properties/{property_sid}/Numbers",
            fone_endpoint(purchase_number),
            methods=["POST"],
            name="fone_purchase_number",
        ),
        Route(
            "/v2/Numbers/{number}",
            fone_endpoint(configure_number),
            methods=["POST"],
            name="fone_configure_number",
        ),
        Route("/v2/Numbers/{number}", fone_endpoint(read_number), methods=["GET"], name="fone_read_number"),
    ]
