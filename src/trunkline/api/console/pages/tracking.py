"""The Call tracking page (Fone Dynamics), read-only: an account's properties with their tracking
numbers and each number's attribution, and its latest tracked calls with where they came from."""

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
from trunkline.domain.tracking.query import CallsQuery

LATEST_CALLS = 50


async def tracking_page(request: Request) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    tracking = console_state(request).services.tracking
    properties = await anyio.to_thread.run_sync(tracking.properties, account.sid)
    latest = await tracking.calls(account.id, None, CallsQuery(count=LATEST_CALLS))
    return render(
        request,
        "tracking.html",
        account=account,
        account_choices=await account_choices(request, signed_in),
        properties=properties,
        calls=latest,
    )


PAGE = Page(
    name="tracking",
    title="Call tracking",
    path="/tracking",
    routes=[Route("/tracking", tracking_page, methods=["GET"])],
)
