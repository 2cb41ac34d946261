"""The Call page: everything known about one call — its facts and legs, the timeline of its events
on the network clock (flow steps, keys pressed and Passthru answers are events too), every
status-callback delivery with every attempt and a Redeliver button, and its recording.

An account viewer sees only its own calls: another account's Sid is a 404 page, the same answer as
a Sid that does not exist, so the page does not tell which Sids exist elsewhere. Deliveries are
redelivered through the sandbox service the admin API uses, after checking that the delivery
belongs to this call.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from trunkline.api.console.csrf import check_csrf
from trunkline.api.console.page import Page
from trunkline.api.console.session import PageError, account_of, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render
from trunkline.api.dialect import CallViewRequest
from trunkline.domain.calls.bulk_filters import is_call_sid
from trunkline.domain.calls.model import Call
from trunkline.domain.errors import NotFound
from trunkline.services.accounts import Account

NOT_FOUND = "There is no such call in this account."


async def _call(request: Request) -> tuple[Account, Call]:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    sid = request.path_params["sid"]
    if not is_call_sid(sid):
        raise PageError(404, NOT_FOUND)
    call = await console_state(request).services.calls.details(account.id, account.sid, sid, with_legs=True)
    if call is None:
        raise PageError(404, NOT_FOUND)
    return account, call


async def call_page(request: Request) -> Response:
    account, call = await _call(request)
    sandbox = console_state(request).services.sandbox
    try:
        events = await sandbox.events(call.sid)
        deliveries = await sandbox.deliveries(call.sid)
    except NotFound:  # a call loaded by seeding or sync has no engine run: nothing to show
        events, deliveries = [], []
    base = str(request.base_url).rstrip("/")
    state = console_state(request)
    asked = CallViewRequest(account.id, account.sid, call.sid)
    views = [view for shows in state.call_views for view in await shows(state.services, asked)]
    # Placeholders: never the real credentials in a page.
    curls = [f"curl -u '<api_key>:<api_token>' '{base}{view.path}'" for view in views]
    return render(
        request,
        "call.html",
        account=account,
        call=call,
        events=events,
        deliveries=deliveries,
        views=list(zip(views, curls, strict=True)),
        redelivered=request.query_params.get("redelivered"),
    )


async def redeliver(request: Request) -> Response:
    form = await check_csrf(request)
    account, call = await _call(request)
    sandbox = console_state(request).services.sandbox
    raw = str(form.get("delivery_id") or "")
    if not raw.isdigit() or len(raw) > 18:
        raise PageError(400, "The delivery to send again is not named.")
    delivery_id = int(raw)
    try:
        owned = {log.delivery.id for log in await sandbox.deliveries(call.sid)}
    except NotFound:
        owned = set()
    if delivery_id not in owned:
        raise PageError(404, "This call has no such delivery.")
    await sandbox.redeliver(delivery_id)
    suffix = f"&account={account.sid}" if request.query_params.get("account") else ""
    return RedirectResponse(f"/console/calls/{call.sid}?redelivered={delivery_id}{suffix}", status_code=303)


async def recording(request: Request) -> Response:
    """The call's recording, same origin (the session is the credential), for the player and download."""
    account, call = await _call(request)
    if not call.recording_path:
        raise PageError(404, "This call has no recording.")
    file = await console_state(request).services.recordings.file(account.sid, call.recording_path)
    if file is None:
        raise PageError(404, "This call has no recording.")
    download = request.query_params.get("download") == "1"
    disposition = "attachment" if download else "inline"
    return FileResponse(
        file.path,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{call.sid}{file.path.suffix}"',
            "Cache-Control": "private",
        },
    )


PAGE = Page(
    name="call",
    title="Call",
    path="/calls/{sid}",
    routes=[
        Route("/calls/{sid}", call_page, methods=["GET"]),
        Route("/calls/{sid}/redeliver", redeliver, methods=["POST"]),
        Route("/calls/{sid}/recording", recording, methods=["GET"]),
    ],
    in_nav=False,
)
