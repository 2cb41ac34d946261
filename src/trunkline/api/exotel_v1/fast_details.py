"""A raw ASGI path for the most requested endpoint: one call's details, asked plainly.

``GET /v1/Accounts/{AccountSid}/Calls/{CallSid}(.json)`` with no query string, under a credential
verified recently, is what a client polling its calls sends over and over. Starlette's routing,
``Request``/``Response`` objects and exception layers cost about as much as the lookup itself
(BENCHMARKS.md), so this path answers such a request directly, with the bytes the route in
``routes.py`` would send. Everything else (another path or method, a query string, a credential
still to verify, an error) goes on to the dialect's Starlette app, which answers it in full; this
path answers only 200s, 404s for unknown calls and 429s, each as the route would.
"""

from __future__ import annotations

import logging

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from trunkline.api.exotel_v1.errors import NOT_FOUND, rest_exception
from trunkline.api.exotel_v1.render import JSON_TYPE, XML_TYPE, call_object, split_suffix, to_xml
from trunkline.api.exotel_v1.routes import PREFIX
from trunkline.api.metrics import ROUTE_KEY
from trunkline.api.rate_limit import RateLimiter
from trunkline.domain.calls.bulk_filters import is_call_sid
from trunkline.domain.errors import RateLimited
from trunkline.services.composition import Services

log = logging.getLogger("trunkline.api.v1")

_TEMPLATE = f"{PREFIX}/Calls/{{call_sid}}"
"""The route this path stands in for, as the metrics name it."""
_JSON = JSON_TYPE.encode()
_XML = XML_TYPE.encode()


def _authorization(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bytes(value)
    return None


class CallDetailsFastPath:
    """Wraps the v1 app: plain call-details requests are answered here, the rest by ``app``."""

    def __init__(self, app: ASGIApp, services: Services, limiter: RateLimiter) -> None:
        self.app = app
        self.services = services
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            try:
                answer = await self._answer(scope)
            except Exception:
                # Nothing is sent yet: the full app answers the request, and logs what went wrong.
                log.debug("fast path gave way", exc_info=True)
                answer = None
            if answer is not None:
                scope[ROUTE_KEY] = _TEMPLATE
                status, headers, body = answer
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope) -> _Answer | None:
        """The answer to a plain call-details request (status, headers, body); None for any other."""
        parts = scope["path"].split("/")
        # ["", "v1", "Accounts", <account sid>, "Calls", <call sid>[.json]]
        if len(parts) != 6 or parts[2] != "Accounts" or parts[4] != "Calls" or parts[1] != "v1":
            return None
        account_sid = parts[3]
        sid, as_json = split_suffix(parts[5])
        if not account_sid or not is_call_sid(sid):
            return None
        authorization = _authorization(scope)
        if authorization is None or not authorization.isascii():
            return None
        services, limiter = self.services, self.limiter
        principal = services.credentials.cached(authorization, account_sid)
        if principal is None:
            return None
        try:
            extra = await limiter.spend(account_sid)
        except RateLimited as exc:
            refused = limiter.refused_headers(exc)
            return _of(rest_exception(exc.status, exc.message, as_json=as_json, headers=refused))
        try:
            call = await services.calls.details(principal.account_id, account_sid, sid)
            if call is None:
                # As the route answers it: NotFound is raised past the rate-limit headers.
                return _of(rest_exception(404, NOT_FOUND, as_json=as_json))
            document = {"Call": call_object(call, public_url=services.settings.public_url)}
            body = orjson.dumps(document) if as_json else to_xml(document)
        except Exception:
            if extra is not None:
                limiter.give_back(account_sid)  # the full app answers instead, and spends its own
            raise
        headers = [
            (b"content-length", str(len(body)).encode()),
            (b"content-type", _JSON if as_json else _XML),
        ]
        if extra:
            headers += [(name.lower().encode(), value.encode()) for name, value in extra.items()]
        return 200, headers, body


_Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def _of(response: Response) -> _Answer:
    return response.status_code, list(response.raw_headers), bytes(response.body)
