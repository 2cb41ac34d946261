"""The Phone page: a phone a person answers in the browser (``services.phone``).

The page holds the numbers the person picks for as long as it is open (a heartbeat every few
seconds, and a release when it closes), shows the calls ringing them with Answer and Reject, then a
keypad and Hang up, and dials an ExoPhone from a held number. Its script reads the page's state from
a small JSON route, on every call change the console's event stream reports and once a second;
every action is a form POST carrying the CSRF token, answered in JSON (errors as
``{"error": {"code", "message"}}`` with the error's status, never a traceback).

Each open page is one holder: an id made when the page is rendered, so two open pages are two
holders of a number, and the number stays held until both have closed (or stopped renewing).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

import anyio.to_thread
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from trunkline.api.console.csrf import check_csrf
from trunkline.api.console.page import Page
from trunkline.api.console.session import PageError, account_for, viewer
from trunkline.api.console.state import console_state
from trunkline.api.console.templating import render
from trunkline.domain.errors import InvalidParameter, TrunklineError
from trunkline.services.phone import DialTarget, PhoneService

RENEW_EVERY_SECONDS = 5
"""How often an open page renews its holds (well inside ``phone_hold_seconds``)."""


def _phone(request: Request) -> PhoneService:
    return console_state(request).services.phone


def _account(request: Request) -> str:
    return account_for(request, viewer(request))


def _error(error: TrunklineError) -> JSONResponse:
    return JSONResponse({"error": {"code": error.code, "message": error.message}}, status_code=error.status)


def _refused(refused: PageError) -> JSONResponse:
    """A page error (a bad token, an unknown account) as the JSON the page's script reads."""
    return JSONResponse(
        {"error": {"code": "console.refused", "message": refused.message}}, status_code=refused.status
    )


async def phone_page(request: Request) -> Response:
    account_sid = _account(request)
    phone = _phone(request)

    def read() -> tuple[str, list[DialTarget]]:
        return phone.suggest(account_sid), phone.exophones(account_sid)

    suggested, exophones = await anyio.to_thread.run_sync(read)
    return render(
        request,
        "phone.html",
        account_sid=account_sid,
        holder=secrets.token_hex(12),
        suggested=suggested,
        exophones=exophones,
        renew_ms=RENEW_EVERY_SECONDS * 1000,
        hold_seconds=phone.hold_seconds,
    )


async def phone_state(request: Request) -> Response:
    """The account's held numbers and live console legs (read-only: a GET without a token)."""
    phone = _phone(request)

    def read(account_sid: str) -> dict[str, Any]:
        return {
            "held": [asdict(h) for h in phone.held(account_sid)],
            "legs": [asdict(leg) for leg in phone.legs(account_sid)],
        }

    try:
        state = await anyio.to_thread.run_sync(read, _account(request))
    except PageError as refused:
        return _refused(refused)
    except TrunklineError as error:
        return _error(error)
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


def _post(handle: Callable[[PhoneService, str, FormData], Any]) -> Callable[[Request], Awaitable[Response]]:
    """A POST of the page: the CSRF check, then ``handle`` in the thread pool, answered in JSON."""

    async def endpoint(request: Request) -> Response:
        try:
            form = await check_csrf(request)
            account_sid = _account(request)
            result = await anyio.to_thread.run_sync(handle, _phone(request), account_sid, form)
        except PageError as refused:
            return _refused(refused)
        except TrunklineError as error:
            return _error(error)
        return JSONResponse(result)

    return endpoint


def _field(form: FormData, name: str, *, max_length: int = 64) -> str:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise InvalidParameter(f"{name} is required (at most {max_length} characters)", parameter=name)
    return value.strip()


def _leg(form: FormData) -> int:
    raw = _field(form, "leg", max_length=3)
    if not raw.isdigit() or not 1 <= int(raw) <= 99:
        raise InvalidParameter("leg must be a leg number", parameter="leg")
    return int(raw)


def _hold(phone: PhoneService, account_sid: str, form: FormData) -> dict[str, Any]:
    held = phone.hold(account_sid, _field(form, "holder"), _field(form, "number"))
    return {"held": asdict(held)}


def _renew(phone: PhoneService, account_sid: str, form: FormData) -> dict[str, Any]:
    numbers = [n for n in form.getlist("number") if isinstance(n, str) and n.strip()]
    held, refused = phone.renew(account_sid, _field(form, "holder"), numbers)
    return {"held": [asdict(h) for h in held], "refused": refused}


def _release(phone: PhoneService, account_sid: str, form: FormData) -> dict[str, Any]:
    number = form.get("number")
    phone.release(account_sid, _field(form, "holder"), number if isinstance(number, str) and number else None)
    return {"held": [asdict(h) for h in phone.held(account_sid)]}


_ACTIONS = {"answer", "reject", "press", "hangup"}


def _act(phone: PhoneService, account_sid: str, form: FormData) -> dict[str, Any]:
    action, call_sid, leg = _field(form, "action", max_length=10), _field(form, "call"), _leg(form)
    if action not in _ACTIONS:
        raise InvalidParameter(f"action must be one of {', '.join(sorted(_ACTIONS))}", parameter="action")
    if action == "answer":
        outcome = phone.answer(account_sid, call_sid, leg)
    elif action == "reject":
        outcome = phone.reject(account_sid, call_sid, leg)
    elif action == "hangup":
        outcome = phone.hang_up(account_sid, call_sid, leg)
    else:
        outcome = phone.press(account_sid, call_sid, leg, _field(form, "keys", max_length=20))
    return {"outcome": asdict(outcome)}


def _dial(phone: PhoneService, account_sid: str, form: FormData) -> dict[str, Any]:
    call = phone.dial(
        account_sid, _field(form, "from", max_length=32), _field(form, "exophone", max_length=32)
    )
    return {"call_sid": call.sid}


PAGE = Page(
    name="phone",
    title="Phone",
    path="/phone",
    routes=[
        Route("/phone", phone_page, methods=["GET"]),
        Route("/phone/state", phone_state, methods=["GET"]),
        Route("/phone/hold", _post(_hold), methods=["POST"]),
        Route("/phone/renew", _post(_renew), methods=["POST"]),
        Route("/phone/release", _post(_release), methods=["POST"]),
        Route("/phone/act", _post(_act), methods=["POST"]),
        Route("/phone/dial", _post(_dial), methods=["POST"]),
    ],
)
