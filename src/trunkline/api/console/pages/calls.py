"""The Calls page: an account's call log with the bulk list's filters, keyset paging and the total,
updated live (new calls appear and statuses change without a reload).

It reads through ``CallsService.list``, the same call the v1 bulk list makes, so the console and
the API cannot disagree about which calls match. ``/console/calls/rows`` renders only the table
body and the total, which ``static/calls.js`` fetches again when the event stream reports a change
of this account's calls.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from trunkline.api.console.call_filters import (
    DIRECTIONS,
    STATUSES,
    CallFilters,
    FilterError,
    read_filters,
    to_query,
)
from trunkline.api.console.page import Page
from trunkline.api.console.session import account_of, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import SECURITY_HEADERS, render, render_fragment
from trunkline.domain.calls.cursor import Position
from trunkline.services.accounts import Account
from trunkline.services.calls import CallPage


async def _page_of(request: Request, account: Account) -> tuple[CallFilters, CallPage | None, str | None]:
    services = console_state(request).services
    filters = read_filters(request.query_params, _multi(request))
    params = request.query_params
    try:
        query = to_query(
            filters,
            now_ms=services.calls.now_ms(),
            codec=services.cursors,
            after=params.get("after"),
            before=params.get("before"),
        )
    except FilterError as exc:
        return filters, None, str(exc)
    return filters, await services.calls.list(account.id, account.sid, query), None


def _multi(request: Request) -> dict[str, list[str]]:
    return {name: request.query_params.getlist(name)[:20] for name in ("status", "direction")}


def _links(request: Request, filters: CallFilters, page: CallPage, account: Account) -> dict[str, str]:
    codec = console_state(request).services.cursors
    extra = {"account": account.sid} if request.query_params.get("account") else {}
    links = {}
    if page.calls and page.has_next:
        last = page.calls[-1]
        after = codec.encode(Position(last.date_created, last.sid))
        links["next"] = "/console/calls?" + filters.query_string(after=after, **extra)
    if page.calls and page.has_previous:
        first = page.calls[0]
        before = codec.encode(Position(first.date_created, first.sid))
        links["previous"] = "/console/calls?" + filters.query_string(before=before, **extra)
    return links


async def calls_page(request: Request) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    filters, page, error = await _page_of(request, account)
    first_page = not request.query_params.get("after") and not request.query_params.get("before")
    accounts = console_state(request).services.accounts.all() if signed_in.is_admin else []
    return render(
        request,
        "calls.html",
        status_code=400 if error else 200,
        account=account,
        accounts=accounts,
        filters=filters,
        statuses=STATUSES,
        directions=DIRECTIONS,
        page=page,
        error=error,
        links=_links(request, filters, page, account) if page else {},
        live=first_page,
        rows_url="/console/calls/rows?" + filters.query_string(account=account.sid),
    )


async def calls_rows(request: Request) -> Response:
    """The first page's rows and total: what the live list swaps in."""
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    _, page, error = await _page_of(request, account)
    if page is None:
        return HTMLResponse(error or "", status_code=400, headers=SECURITY_HEADERS)
    body = render_fragment("_call_rows.html", page=page, account=account)
    headers = {**SECURITY_HEADERS, "X-Total": str(page.total)}
    return HTMLResponse(body, headers=headers)


PAGE = Page(
    name="calls",
    title="Calls",
    path="/calls",
    routes=[
        Route("/calls", calls_page, methods=["GET"]),
        Route("/calls/rows", calls_rows, methods=["GET"]),
    ],
)
