"""Exotel v1 routes. Each handler parses, calls the shared store, and renders; no call logic here.

Handlers are plain Starlette endpoints rather than FastAPI ones: FastAPI's per-request layers
cost about 60 µs, more than a whole call lookup (see BENCHMARKS.md). They are documented in the
OpenAPI page from the same parameter declarations the parser uses (openapi.py).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.api.exotel_v1.bodies import V1PageMetadata
from trunkline.api.exotel_v1.errors import ERRORS, JSON_ERRORS
from trunkline.api.exotel_v1.params import parse_connect, read_parameters
from trunkline.api.exotel_v1.query import canonical_params, parse_bulk_query, parse_detail_options
from trunkline.api.exotel_v1.render import call_object, number_object, respond, split_suffix, wants_json
from trunkline.api.pipeline import endpoint
from trunkline.domain.calls.bulk_filters import BulkQuery, is_call_sid
from trunkline.domain.calls.cursor import CursorCodec, Position
from trunkline.domain.calls.model import Call
from trunkline.domain.clock import ms_to_ist
from trunkline.domain.errors import NotFound
from trunkline.services.calls import Caller
from trunkline.services.composition import Services
from trunkline.services.credentials import Principal

PREFIX = "/v1/Accounts/{account_sid}"
DIALECT_NAME = "exotel_v1"
"""Names this dialect's status-callback format in the engine's renderer table."""


async def call_details(request: Request, services: Services, principal: Principal) -> Response:
    sid, suffix_json = split_suffix(request.path_params["call_sid"])
    as_json = suffix_json or "/Calls.json/" in request.scope["path"]
    details, validity = False, None
    if request.scope["query_string"]:
        details, validity = parse_detail_options(canonical_params(request.query_params.multi_items()))
    if not is_call_sid(sid):
        raise NotFound("No matching results")
    call = await services.calls.details(principal.account_id, principal.account_sid, sid, with_legs=details)
    if call is None:
        raise NotFound("No matching results")
    body = call_object(
        call, public_url=services.settings.public_url, details=details, **_presign_args(services, validity)
    )
    return respond({"Call": body}, as_json=as_json)


async def connect(request: Request, services: Services, principal: Principal) -> Response:
    """``Calls/connect``: number to number, or number to a flow (docs/api-choices.md §Connect)."""
    params, events = await read_parameters(request)
    placed = parse_connect(params, events)
    if placed.flow_app_id is not None:
        # Flow calls: four default callback fields, events accepted silently (docs/api-choices.md §Conflicts).
        placed = replace(placed, status_callback_events=())
    caller = Caller(principal.account_id, principal.account_sid)
    call = await services.calls.connect(caller, placed, dialect=DIALECT_NAME)
    body = call_object(call, public_url=services.settings.public_url)
    return respond({"Call": body}, as_json=wants_json(request))


async def list_calls(request: Request, services: Services, principal: Principal) -> Response:
    as_json = wants_json(request)
    params = canonical_params(request.query_params.multi_items())
    query = parse_bulk_query(
        params,
        now_ms=services.calls.now_ms(),
        codec=services.cursors,
        window_days=services.settings.default_list_window_days,
        max_age_days=services.settings.max_record_age_days,
    )
    page = await services.calls.list(principal.account_id, principal.account_sid, query)
    presign_args = _presign_args(services, query.recording_url_validity)
    objects = [
        call_object(
            call, public_url=services.settings.public_url, details=query.details, bulk=True, **presign_args
        )
        for call in page.calls
    ]
    base = str(request.scope["path"])
    metadata: V1PageMetadata = {
        "Total": page.total,
        "PageSize": query.page_size,
        "FirstPageUri": _page_uri(base, params, query, services.cursors),
        "PrevPageUri": _page_uri(base, params, query, services.cursors, before=page.calls[0])
        if page.has_previous and page.calls
        else "",
        "NextPageUri": _page_uri(base, params, query, services.cursors, after=page.calls[-1])
        if page.has_next and page.calls
        else "",
    }
    if as_json:
        return respond({"Metadata": metadata, "Calls": objects}, as_json=True)
    return respond({"Metadata": metadata, "Calls": [{"Call": obj} for obj in objects]}, as_json=False)


def _page_uri(
    base: str,
    params: dict[str, str],
    query: BulkQuery,
    codec: CursorCodec,
    *,
    before: Call | None = None,
    after: Call | None = None,
) -> str:
    """The request's own filters plus a cursor. A defaulted DateCreated window is written out, so
    every page of one walk searches the same window even as the clock moves on."""
    page_params = {k: v for k, v in params.items() if k not in ("Before", "After")}
    if not query.date_created_given:
        page_params["DateCreated"] = (
            f"gte:{ms_to_ist(query.created_from_ms)};lte:{ms_to_ist(query.created_to_ms)}"
        )
    page_params.setdefault("PageSize", str(query.page_size))
    if before is not None:
        page_params["Before"] = codec.encode(Position(before.date_created, before.sid))
    if after is not None:
        page_params["After"] = codec.encode(Position(after.date_created, after.sid))
    return f"{base}?{urlencode(page_params, quote_via=quote, safe=':')}"


def _presign_args(services: Services, validity: int | None) -> dict[str, Any]:
    if validity is None:
        return {}
    return {
        "presign_key": services.recordings.signing_key,
        "presign_expires_s": int(time.time()) + validity * 60,
    }


async def number_metadata(request: Request, services: Services, principal: Principal) -> Response:
    raw, as_json = split_suffix(request.path_params["number"])
    info = await services.numbers.lookup(raw)
    return respond({"Numbers": number_object(info)}, as_json=as_json)


def routes() -> list[BaseRoute]:
    """The v1 routes, most requested first: Starlette tries them in order. Route names are the
    OpenAPI operation ids (``openapi.py``)."""
    return [
        Route(
            f"{PREFIX}/Calls/{{call_sid}}",
            endpoint(call_details, ERRORS),
            methods=["GET"],
            name="v1_calls_get",
        ),
        Route(
            f"{PREFIX}/Calls/connect",
            endpoint(connect, ERRORS),
            methods=["POST"],
            name="v1_calls_connect_xml",
        ),
        Route(
            f"{PREFIX}/Calls/connect.json",
            endpoint(connect, ERRORS),
            methods=["POST"],
            name="v1_calls_connect",
        ),
        Route(f"{PREFIX}/Calls.json", endpoint(list_calls, ERRORS), methods=["GET"], name="v1_calls_list"),
        Route(f"{PREFIX}/Calls", endpoint(list_calls, ERRORS), methods=["GET"], name="v1_calls_list_xml"),
        Route(
            f"{PREFIX}/Numbers/{{number}}",
            endpoint(number_metadata, ERRORS),
            methods=["GET"],
            name="v1_numbers_get",
        ),
        Route(
            f"{PREFIX}/Calls.json/{{call_sid}}",
            endpoint(call_details, JSON_ERRORS),
            methods=["GET"],
            name="v1_calls_get_json",
        ),
    ]
