"""The Agents page: an account's CCM agents (user id, name, contact, device state), read-only;
agents are managed through the CCM API, the admin API and the CLI."""

from __future__ import annotations

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trunkline.api.console.choices import account_choices
from trunkline.api.console.page import Page
from trunkline.api.console.session import account_of, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render


async def agents_page(request: Request) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    agents = await anyio.to_thread.run_sync(console_state(request).services.agents.list, account.sid)
    return render(
        request,
        "agents.html",
        account=account,
        account_choices=await account_choices(request, signed_in),
        agents=agents,
    )


PAGE = Page(
    name="agents", title="Agents", path="/agents", routes=[Route("/agents", agents_page, methods=["GET"])]
)
