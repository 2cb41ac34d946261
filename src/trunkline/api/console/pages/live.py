"""The Live page: the account's calls in progress, with ringing and talking timers, and a form to
place a call (number to number, or number to a flow) through the calls service, as v1's connect
does. The timers tick in the browser (``static/live.js``) from the times the server gives; the
list is fetched again whenever the event stream reports a change.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from trunkline.api.console.csrf import check_csrf
from trunkline.api.console.page import Page
from trunkline.api.console.session import account_of, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import SECURITY_HEADERS, render, render_fragment
from trunkline.domain.calls.connect_request import ConnectRequest
from trunkline.domain.errors import TrunklineError
from trunkline.domain.numbers.phone import UnparseableNumber, to_e164
from trunkline.services.accounts import Account
from trunkline.services.calls import Caller

DIALECT = "exotel_v1"
"""Calls placed here are v1 calls (their status callbacks, if any, would take v1's form)."""
MAX_CUSTOM_FIELD = 128


async def _context(request: Request, account: Account) -> dict[str, Any]:
    services = console_state(request).services
    return {
        "account": account,
        "calls": await services.call_feed.in_progress(account.id),
        "now_ms": services.calls.now_ms(),
    }


async def live_page(request: Request) -> Response:
    account = await account_of(request, viewer(request))
    context = await _context(request, account)
    return render(
        request, "live.html", form={}, error=None, placed=request.query_params.get("placed"), **context
    )


async def live_rows(request: Request) -> Response:
    account = await account_of(request, viewer(request))
    body = render_fragment("_live_rows.html", **await _context(request, account))
    return HTMLResponse(body, headers=SECURITY_HEADERS)


async def place(request: Request) -> Response:
    form = await check_csrf(request)
    account = await account_of(request, viewer(request))
    fields = {
        name: str(form.get(name) or "").strip()[:300]
        for name in ("from", "caller_id", "to", "flow", "custom_field")
    }
    try:
        placed = _request_of(fields, account)
        call = await console_state(request).services.calls.connect(
            Caller(account.id, account.sid), placed, dialect=DIALECT
        )
    except (ValueError, TrunklineError) as exc:
        message = exc.message if isinstance(exc, TrunklineError) else str(exc)
        context = await _context(request, account)
        return render(
            request, "live.html", status_code=400, form=fields, error=message, placed=None, **context
        )
    suffix = f"&account={account.sid}" if request.query_params.get("account") else ""
    return RedirectResponse(f"/console/live?placed={call.sid}{suffix}", status_code=303)


def _request_of(fields: dict[str, str], account: Account) -> ConnectRequest:
    """The connect request of the form; ``ValueError`` says what is missing or wrong."""
    if not fields["from"]:
        raise ValueError("From is required: the number to call first.")
    if fields["caller_id"] not in account.exophones:
        raise ValueError("Caller ID must be one of the account's ExoPhones.")
    if bool(fields["to"]) == bool(fields["flow"]):
        raise ValueError("Give either a number to connect to, or a flow (app id), not both.")
    if len(fields["custom_field"]) > MAX_CUSTOM_FIELD:
        raise ValueError(f"CustomField is at most {MAX_CUSTOM_FIELD} characters.")
    try:
        from_number = to_e164(fields["from"])
        to_number = to_e164(fields["to"]) if fields["to"] else None
    except UnparseableNumber as exc:
        raise ValueError(f"Not a phone number: {exc}") from exc
    if fields["flow"] and not fields["flow"].isalnum():
        raise ValueError("The flow is named by its app id (letters and digits).")
    return ConnectRequest(
        from_number=from_number,
        caller_id=fields["caller_id"],
        to_number=to_number,
        flow_app_id=fields["flow"] or None,
        custom_field=fields["custom_field"] or None,
    )


PAGE = Page(
    name="live",
    title="Live",
    path="/live",
    routes=[
        Route("/live", live_page, methods=["GET"]),
        Route("/live/rows", live_rows, methods=["GET"]),
        Route("/live/calls", place, methods=["POST"]),
    ],
)
