"""The Overview page: an account's calls over a chosen window (bars per hour or day by status, the
answer rate, the mean talk time, the busiest callers), read from the call rollups through
``services.overview``. Accounts see their own; the admin picks the account."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trunkline.api.console.charts import bar_chart
from trunkline.api.console.choices import account_choices
from trunkline.api.console.page import Page
from trunkline.api.console.session import PageError, account_of, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render
from trunkline.domain.errors import InvalidParameter
from trunkline.domain.overview import STEPS, WINDOWS


async def overview_page(request: Request) -> Response:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    name = request.query_params.get("window") or "24h"
    step = request.query_params.get("step") or None
    try:
        overview = await console_state(request).services.overview.overview(account.sid, name, step)
    except InvalidParameter as exc:
        raise PageError(400, exc.message) from exc
    return render(
        request,
        "overview.html",
        account=account,
        account_choices=await account_choices(request, signed_in),
        overview=overview,
        chart=bar_chart(overview),
        windows=list(WINDOWS.values()),
        steps=list(STEPS),
    )


PAGE = Page(
    name="overview",
    title="Overview",
    path="/overview",
    routes=[Route("/overview", overview_page, methods=["GET"])],
)
