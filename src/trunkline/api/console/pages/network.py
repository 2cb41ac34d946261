"""The Network page (admin only): the network clock (advance it when virtual), the scenario rules
(edited as JSON or YAML, validated by the same parser as the admin API, errors shown inline), the
magic numbers, resetting an account, and inbound traffic generators (start, stop, progress).

Everything goes through ``services.sandbox`` and ``services.flows``. A successful form redirects back
(303) with a fixed notice key, so a reload never repeats it; a refused one shows the page again with
the text as typed and the error next to it (400).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import anyio.to_thread
import orjson
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from trunkline.api.console.choices import account_choices
from trunkline.api.console.csrf import check_csrf
from trunkline.api.console.documents import parse_document
from trunkline.api.console.page import Page
from trunkline.api.console.session import PageError, account_for, require_admin
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render
from trunkline.domain.errors import InvalidParameter, NotFound, TrunklineError

NOTICES = {
    "advanced": "The clock moved on; calls that fell due have run.",
    "scenario": "The scenario is saved; the network uses it now.",
    "reset": "The account's calls are deleted and its traffic stopped.",
    "started": "The traffic generator started.",
    "stopped": "The traffic generator stopped.",
}
TRAFFIC_EXAMPLE = '{"exophones": ["{exophone}"], "rate_per_minute": 6, "count": 20, "arrival": "uniform"}'


async def _page(request: Request, status_code: int = 200, **typed: Any) -> Response:
    signed_in = require_admin(request)
    services = console_state(request).services
    account_sid = account_for(request, signed_in)
    account = await anyio.to_thread.run_sync(services.accounts.get, account_sid)
    clock = await services.sandbox.clock()
    generators = await anyio.to_thread.run_sync(services.flows.traffic, account_sid)
    scenario = services.sandbox.scenario().document or {"rules": []}
    exophone = account.exophones[0] if account.exophones else "+918047112233"
    context: dict[str, Any] = {
        "account": account,
        "account_choices": await account_choices(request, signed_in),
        "clock": clock,
        "magic": services.sandbox.magic_numbers(),
        "generators": generators,
        "scenario_text": orjson.dumps(scenario, option=orjson.OPT_INDENT_2).decode(),
        "scenario_error": None,
        "traffic_text": TRAFFIC_EXAMPLE.replace("{exophone}", exophone),
        "traffic_error": None,
        "advance_error": None,
        "reset_error": None,
        "notice": NOTICES.get(request.query_params.get("done", "")),
    }
    context.update(typed)
    return render(request, "network.html", status_code=status_code, **context)


def _back(request: Request, done: str, account: str | None = None) -> Response:
    query = f"?done={done}" + (f"&account={quote(account, safe='')}" if account else "")
    return RedirectResponse(f"/console/network{query}", status_code=303)


async def network_page(request: Request) -> Response:
    return await _page(request)


async def advance(request: Request) -> Response:
    require_admin(request)
    form = await check_csrf(request)
    raw = str(form.get("seconds") or "").strip()
    try:
        seconds = float(raw)
        if not 0 < seconds < float("inf"):
            raise ValueError(raw)
    except ValueError:
        return await _page(request, 400, advance_error="Enter a number of seconds greater than 0.")
    try:
        await console_state(request).services.sandbox.advance(seconds)
    except InvalidParameter as exc:
        return await _page(request, 400, advance_error=exc.message)
    return _back(request, "advanced")


async def scenario(request: Request) -> Response:
    require_admin(request)
    form = await check_csrf(request)
    text = str(form.get("scenario") or "")
    try:
        document = parse_document(text, "scenario")
        await console_state(request).services.sandbox.set_scenario(document)
    except InvalidParameter as exc:
        return await _page(request, 400, scenario_text=text, scenario_error=exc.message)
    return _back(request, "scenario")


async def reset(request: Request) -> Response:
    require_admin(request)
    form = await check_csrf(request)
    sid = str(form.get("account") or "")
    if form.get("confirm") != "yes":
        return await _page(request, 400, reset_error="Tick the box to confirm the reset.")
    try:
        await console_state(request).services.sandbox.reset(sid)
    except NotFound:
        return await _page(request, 400, reset_error="There is no such account.")
    return _back(request, "reset", sid)


async def start_traffic(request: Request) -> Response:
    signed_in = require_admin(request)
    form = await check_csrf(request)
    text = str(form.get("spec") or "")
    account_sid = account_for(request, signed_in)
    services = console_state(request).services
    try:
        document = parse_document(text, "generator")
        await anyio.to_thread.run_sync(services.flows.start_traffic, account_sid, document)
    except TrunklineError as exc:
        return await _page(request, 400, traffic_text=text, traffic_error=exc.message)
    return _back(request, "started", account_sid)


async def stop_traffic(request: Request) -> Response:
    require_admin(request)
    await check_csrf(request)
    services = console_state(request).services
    try:
        generator_id = int(request.path_params["generator_id"])
        if not 0 < generator_id < 2**31:  # beyond any row id, and beyond what the store's integers hold
            raise ValueError(generator_id)
        generator = await anyio.to_thread.run_sync(services.flows.generator, generator_id)
    except (ValueError, NotFound) as exc:
        raise PageError(404, "There is no such traffic generator.") from exc
    await anyio.to_thread.run_sync(services.flows.stop_traffic, generator.id)
    return _back(request, "stopped", generator.account_sid)


PAGE = Page(
    name="network",
    title="Network",
    path="/network",
    admin_only=True,
    routes=[
        Route("/network", network_page, methods=["GET"]),
        Route("/network/advance", advance, methods=["POST"]),
        Route("/network/scenario", scenario, methods=["POST"]),
        Route("/network/reset", reset, methods=["POST"]),
        Route("/network/traffic", start_traffic, methods=["POST"]),
        Route("/network/traffic/{generator_id}/stop", stop_traffic, methods=["POST"]),
    ],
)
