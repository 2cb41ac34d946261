"""CSRF tokens for every state-changing form of the console.

A token is an HMAC of a nonce under the session key: the signed-in session's own nonce, or before
sign-in a random one kept in a short cookie of its own (so the sign-in form is protected too). A
token from one session is worthless in another. The cookies are SameSite=Strict as well; the token
is the second lock, and the one that does not depend on the browser.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from trunkline.api.console.session import COOKIE_PATH, PageError, session, session_key

FIELD = "csrf"
PRE_SESSION_COOKIE = "trunkline_console_csrf"
MAX_FORM_BYTES = 256 * 1024
"""The largest form the console reads (a flow's YAML is the largest field it takes)."""


def _nonce(request: HTTPConnection) -> str | None:
    found = session(request)
    if found is not None:
        return found.nonce
    nonce = request.cookies.get(PRE_SESSION_COOKIE)
    return nonce if nonce and len(nonce) <= 64 else None


def csrf_token(request: HTTPConnection) -> str:
    """The token this request's forms carry (creates the pre-sign-in nonce when there is none; the
    response sets its cookie through ``templating.render``)."""
    nonce = _nonce(request) or request.scope.get("trunkline.console.new_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        request.scope["trunkline.console.new_nonce"] = nonce
    return _token(request, nonce)


def _token(request: HTTPConnection, nonce: str) -> str:
    return hmac.new(session_key(request), b"csrf\x00" + nonce.encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> FormData:
    """The request's form, once its ``csrf`` field matches (constant time): a 403 page otherwise.
    Bodies over ``MAX_FORM_BYTES`` are refused before parsing."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_FORM_BYTES):
        raise PageError(413, "The form is too large.")
    try:
        form = await request.form(max_files=0, max_fields=200)
    except Exception as exc:  # a malformed body is the client's error, never a 500
        raise PageError(400, "The form could not be read.") from exc
    given = form.get(FIELD)
    nonce = _nonce(request)
    if nonce is None or not isinstance(given, str):
        raise PageError(403, "The form has expired or did not come from this console. Reload the page.")
    if not hmac.compare_digest(given.encode(), _token(request, nonce).encode()):
        raise PageError(403, "The form has expired or did not come from this console. Reload the page.")
    return form


def set_pre_session_cookie(request: HTTPConnection, response: Response) -> None:
    """Store a nonce ``csrf_token`` created during this request (see ``templating.render``)."""
    nonce = request.scope.get("trunkline.console.new_nonce")
    if nonce and session(request) is None:
        response.set_cookie(
            PRE_SESSION_COOKIE,
            nonce,
            max_age=3600 * 12,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
