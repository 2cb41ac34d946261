"""The Calls page: an account's call log (a first version; filters and live rows follow)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trunkline.api.console.page import Page
from trunkline.api.console.session import account_of, viewer
from trunkline.api.console.templating import render


async def calls_page(request: Request) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    return render(request, "calls.html", account=account)


PAGE = Page(name="calls", title="Calls", path="/calls", routes=[Route("/calls", calls_page, methods=["GET"])])
