"""The Flows page: an account's flows, each as a diagram of its applets and branches with its YAML.
The admin also creates and edits flows (YAML or JSON, validated by the same parser as the admin API,
errors inline with the text kept) and assigns them to the account's ExoPhones; accounts see their
flows read-only. Everything goes through ``services.flows``."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from trunkline.api.console.choices import account_choices
from trunkline.api.console.csrf import check_csrf
from trunkline.api.console.documents import parse_document, to_yaml
from trunkline.api.console.flow_diagram import diagram, exits
from trunkline.api.console.page import Page
from trunkline.api.console.session import PageError, account_of, require_admin, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render
from trunkline.domain.errors import TrunklineError
from trunkline.domain.flows.definition import APP_ID, parse_flow
from trunkline.services.accounts import Account

NEW_FLOW = """name: Support line
applets:
  - id: menu
    type: ivr
    prompt: Press 1 for sales, 2 for support
    branches: {"1": sales, "2": support}
    default: bye
  - id: sales
    type: connect
    numbers: ["+919999900001"]
    next: bye
  - id: support
    type: voicemail
  - id: bye
    type: hangup
"""
NOTICES = {"saved": "The flow is saved.", "assigned": "The ExoPhone now answers with this flow."}


def _url(account: Account, app_id: str | None = None, *, done: str | None = None) -> str:
    path = "/console/flows" + (f"/{quote(app_id, safe='')}" if app_id else "")
    query = f"?account={quote(account.sid, safe='')}" + (f"&done={done}" if done else "")
    return path + query


async def flows_page(request: Request, status_code: int = 200, **typed: Any) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    flows = await anyio.to_thread.run_sync(console_state(request).services.flows.of_account, account.sid)
    context: dict[str, Any] = {
        "account": account,
        "account_choices": await account_choices(request, signed_in),
        "flows": flows,
        "new_app_id": "",
        "new_text": NEW_FLOW,
        "new_error": None,
        "query": f"?account={quote(account.sid, safe='')}",
    }
    context.update(typed)
    return render(request, "flows.html", status_code=status_code, **context)


async def flow_page(request: Request, status_code: int = 200, **typed: Any) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    app_id = request.path_params["app_id"]
    stored = await anyio.to_thread.run_sync(console_state(request).services.flows.get, account.sid, app_id)
    if stored is None:
        raise PageError(404, "This account has no such flow.")
    try:
        flow = parse_flow(stored.app_id, stored.document)
    except TrunklineError as exc:  # stored under older rules: show its YAML to fix it
        raise PageError(500, f"The stored flow no longer validates: {exc.message}") from exc
    context: dict[str, Any] = {
        "account": account,
        "account_choices": await account_choices(request, signed_in),
        "stored": stored,
        "flow": flow,
        "diagram": diagram(flow),
        "exits": {applet_id: exits(applet) for applet_id, applet in flow.applets.items()},
        "yaml_text": to_yaml(stored.document),
        "edit_error": None,
        "assign_error": None,
        "query": f"?account={quote(account.sid, safe='')}",
        "notice": NOTICES.get(request.query_params.get("done", "")),
    }
    context.update(typed)
    return render(request, "flow.html", status_code=status_code, **context)


async def create_flow(request: Request) -> Response:
    signed_in = require_admin(request)
    form = await check_csrf(request)
    account = await account_of(request, signed_in)
    app_id = str(form.get("app_id") or "").strip()
    text = str(form.get("flow") or "")
    if not APP_ID.match(app_id):
        message = "The app id must be 1 to 64 letters, digits, '_' or '-'."
        return await flows_page(request, 400, new_app_id=app_id, new_text=text, new_error=message)
    services = console_state(request).services
    if await anyio.to_thread.run_sync(services.flows.get, account.sid, app_id) is not None:
        message = f"The account has a flow {app_id} already: open it to edit it."
        return await flows_page(request, 400, new_app_id=app_id, new_text=text, new_error=message)
    try:
        flow = parse_flow(app_id, parse_document(text, "flow"))
        await anyio.to_thread.run_sync(services.flows.put, account.sid, flow)
    except TrunklineError as exc:
        return await flows_page(request, 400, new_app_id=app_id, new_text=text, new_error=exc.message)
    return RedirectResponse(_url(account, app_id, done="saved"), status_code=303)


async def save_flow(request: Request) -> Response:
    signed_in = require_admin(request)
    form = await check_csrf(request)
    account = await account_of(request, signed_in)
    app_id = request.path_params["app_id"]
    text = str(form.get("flow") or "")
    services = console_state(request).services
    if await anyio.to_thread.run_sync(services.flows.get, account.sid, app_id) is None:
        raise PageError(404, "This account has no such flow.")
    try:
        flow = parse_flow(app_id, parse_document(text, "flow"))
        await anyio.to_thread.run_sync(services.flows.put, account.sid, flow)
    except TrunklineError as exc:
        return await flow_page(request, 400, yaml_text=text, edit_error=exc.message)
    return RedirectResponse(_url(account, app_id, done="saved"), status_code=303)


async def assign_flow(request: Request) -> Response:
    signed_in = require_admin(request)
    form = await check_csrf(request)
    account = await account_of(request, signed_in)
    app_id = request.path_params["app_id"]
    exophone = str(form.get("exophone") or "")
    services = console_state(request).services
    if exophone not in account.exophones:
        return await flow_page(request, 400, assign_error="Choose one of the account's ExoPhones.")
    try:
        await anyio.to_thread.run_sync(services.flows.assign, account.sid, exophone, app_id)
    except TrunklineError as exc:
        return await flow_page(request, 400, assign_error=exc.message)
    return RedirectResponse(_url(account, app_id, done="assigned"), status_code=303)


PAGE = Page(
    name="flows",
    title="Flows",
    path="/flows",
    routes=[
        Route("/flows", flows_page, methods=["GET"]),
        Route("/flows", create_flow, methods=["POST"]),
        Route("/flows/{app_id}", flow_page, methods=["GET"]),
        Route("/flows/{app_id}", save_flow, methods=["POST"]),
        Route("/flows/{app_id}/assign", assign_flow, methods=["POST"]),
    ],
)
