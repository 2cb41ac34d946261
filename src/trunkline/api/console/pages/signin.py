"""Signing in (the admin token, or an account's API key and token) and signing out.

An account's key and token are checked by the same ``Authenticator`` as every API request
(constant time, the failed-login limits per address and per key); the admin token is compared in
constant time, and a wrong one is answered no sooner than a wrong account token is. Nothing secret
travels in a URL: the form posts, and the answer is a redirect to a page without a query.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from trunkline.api.client_address import client_address
from trunkline.api.console.csrf import check_csrf
from trunkline.api.console.page import Page
from trunkline.api.console.session import Viewer, session, sign_in, sign_out
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render
from trunkline.domain.errors import TrunklineError
from trunkline.services.credentials import FAILURE_SECONDS

MAX_FIELD = 512


async def login_page(request: Request) -> Response:
    if session(request) is not None:
        return RedirectResponse("/console", status_code=303)
    return render(request, "login.html", error=None, mode="admin", api_key="")


async def login(request: Request) -> Response:
    started = time.monotonic()
    form = await check_csrf(request)
    mode = str(form.get("mode") or "admin")
    state = console_state(request)
    if mode == "account":
        api_key = str(form.get("api_key") or "").strip()
        api_token = str(form.get("api_token") or "")
        if not api_key or not api_token or len(api_key) > MAX_FIELD or len(api_token) > MAX_FIELD:
            return _refused(request, "Enter the API key and the API token.", mode, api_key, 400)
        header = "Basic " + base64.b64encode(f"{api_key}:{api_token}".encode()).decode()
        client = client_address(request.scope, state.services.settings.trusted_proxies)
        try:
            principal = await state.services.credentials.principal(header, client)
        except TrunklineError as exc:
            message = "The API key or token is wrong." if exc.status == 401 else exc.message
            return _refused(request, message, mode, api_key, exc.status)
        who = Viewer(False, principal.account_sid, f"{principal.account_sid} ({api_key})")
    else:
        token = str(form.get("token") or "")
        if (
            not token
            or len(token) > MAX_FIELD
            or not hmac.compare_digest(token.encode(), state.admin_token.encode())
        ):
            left = started + FAILURE_SECONDS - time.monotonic()
            if left > 0:
                await asyncio.sleep(left)
            return _refused(request, "The admin token is wrong.", "admin", "", 401)
        who = Viewer(True, None, "admin")
    response = RedirectResponse("/console", status_code=303)
    sign_in(request, response, who)
    return response


def _refused(request: Request, message: str, mode: str, api_key: str, status: int) -> Response:
    return render(request, "login.html", status_code=status, error=message, mode=mode, api_key=api_key)


async def logout(request: Request) -> Response:
    await check_csrf(request)
    response = RedirectResponse("/console/login", status_code=303)
    sign_out(response)
    return response


PAGE = Page(
    name="signin",
    title="Sign in",
    path="/login",
    routes=[
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ],
    in_nav=False,
)
