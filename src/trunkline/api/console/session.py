"""Who is looking: the console's signed session cookie, sign-in and sign-out.

The cookie holds the viewer (admin, or one account's API key) and a random nonce that the CSRF
tokens are derived from, signed with HMAC-SHA256 under a key derived from the server's secret *and*
the admin token, so rotating the admin token (or a server that generates a new one at start) signs
every console session out. It never holds a token or anything a client can use elsewhere. It is
HttpOnly, SameSite=Strict and limited to ``/console``; it expires after
``console_session_hours`` (checked from the signed payload, not only by the browser).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

import anyio.to_thread
from starlette.requests import HTTPConnection
from starlette.responses import Response

from trunkline.api.console.state import console_state
from trunkline.services.accounts import Account

COOKIE = "trunkline_console"
ACCOUNT_COOKIE = "trunkline_console_account"
"""The admin's remembered choice of account (not a secret: it is validated on every use)."""
COOKIE_PATH = "/console"
LOGIN_PATH = "/console/login"


@dataclass(frozen=True, slots=True)
class Viewer:
    is_admin: bool
    account_sid: str | None
    label: str


class Redirect(Exception):
    """Answered with a 303 to ``location`` by the console's exception handler."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class PageError(Exception):
    """Answered with the error page (``error.html``) and this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Session:
    viewer: Viewer
    nonce: str
    expires: int


def session_key(request: HTTPConnection) -> bytes:
    state = console_state(request)
    return hmac.new(
        state.secret, b"trunkline-console-session\x00" + state.admin_token.encode(), hashlib.sha256
    ).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session(request: HTTPConnection) -> Session | None:
    """The request's valid session, or None (no cookie, a bad signature, expired, malformed)."""
    cached = request.scope.get("trunkline.console.session", False)
    if cached is not False:
        return cached
    found = _read(request)
    request.scope["trunkline.console.session"] = found
    return found


def _read(request: HTTPConnection) -> Session | None:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 2048 or "." not in raw:
        return None
    body, _, signature = raw.rpartition(".")
    expected = _b64(hmac.new(session_key(request), body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return None
    try:
        data = json.loads(_unb64(body))
        viewer = Viewer(bool(data["a"]), data["s"], str(data["l"]))
        found = Session(viewer, str(data["n"]), int(data["e"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if found.expires <= time.time() or (not viewer.is_admin and not viewer.account_sid):
        return None
    return found


def sign_in(request: HTTPConnection, response: Response, viewer: Viewer) -> None:
    """Start a session for ``viewer`` on ``response`` (a fresh nonce: old CSRF tokens stop working)."""
    hours = console_state(request).services.settings.console_session_hours
    payload = {
        "a": viewer.is_admin,
        "s": viewer.account_sid,
        "l": viewer.label,
        "n": secrets.token_urlsafe(18),
        "e": int(time.time() + hours * 3600),
    }
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = _b64(hmac.new(session_key(request), body.encode(), hashlib.sha256).digest())
    response.set_cookie(
        COOKIE,
        f"{body}.{signature}",
        max_age=hours * 3600,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def sign_out(response: Response) -> None:
    for name in (COOKIE, ACCOUNT_COOKIE):
        response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="strict")


def viewer(request: HTTPConnection) -> Viewer:
    """The signed-in viewer; a redirect to the sign-in page otherwise."""
    found = session(request)
    if found is None:
        raise Redirect(LOGIN_PATH)
    return found.viewer


def require_admin(request: HTTPConnection) -> Viewer:
    """The viewer, who must be the admin: a 403 page for an account."""
    signed_in = viewer(request)
    if not signed_in.is_admin:
        raise PageError(403, "Only the admin can open this page.")
    return signed_in


def account_for(request: HTTPConnection, signed_in: Viewer) -> str:
    """The account a page shows: an account viewer's own; for the admin the ``?account=`` query, or
    the one chosen last (a cookie), or the first account, each checked against existing accounts.
    (A quick indexed read, done on the event loop like other admin lookups of one row.)"""
    if not signed_in.is_admin:
        assert signed_in.account_sid is not None
        return signed_in.account_sid
    accounts = console_state(request).services.accounts
    asked = request.query_params.get("account")
    if asked:
        if len(asked) > 64 or accounts.find(asked) is None:
            raise PageError(404, "There is no such account.")
        request.scope["trunkline.console.account_choice"] = asked
        return asked
    remembered = request.cookies.get(ACCOUNT_COOKIE)
    if remembered and len(remembered) <= 64 and accounts.find(remembered) is not None:
        return remembered
    every = accounts.all()
    if not every:
        raise PageError(404, "There are no accounts yet: create one with `trunkline accounts create`.")
    return every[0].sid


async def account_of(request: HTTPConnection, signed_in: Viewer) -> Account:
    """The account ``account_for`` names, as a record (its row id is what services take)."""
    services = console_state(request).services
    sid = account_for(request, signed_in)
    account = await anyio.to_thread.run_sync(services.accounts.find, sid)
    if account is None:  # an account viewer whose account was deleted since they signed in
        raise PageError(404, "This account no longer exists.")
    return account


def remember_account(request: HTTPConnection, response: Response) -> None:
    """Keep the admin's ``?account=`` choice for the next page (called by ``templating.render``)."""
    choice = request.scope.get("trunkline.console.account_choice")
    if choice:
        response.set_cookie(
            ACCOUNT_COOKIE,
            choice,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
