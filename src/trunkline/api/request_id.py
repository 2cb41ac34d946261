"""A request id on every request and every answer, so a client's report finds the log line.

The outermost layer of the server (pure ASGI, so it costs next to nothing): it takes a sane
incoming ``X-Request-Id`` (a proxy's, a client's) or makes one, keeps it in the ASGI scope for the
error handlers, and sends it back as ``X-Request-Id`` on every response, errors included. Every
unexpected error is logged once, by the handler of the app that answered it (``pipeline.py`` for
the dialects, ``app.py`` for the admin API), with this id and the traceback.
"""

from __future__ import annotations

import re
import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trunkline.logging_setup import current_request_id

HEADER = "X-Request-Id"
SCOPE_KEY = "trunkline.request_id"
STATUS_KEY = "trunkline.status"
"""Where the status of the answer is kept in the scope once it starts (for the metrics and the
access log, which read it after the app returns: one wrapper of ``send`` serves both)."""
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""What an incoming id may be: no spaces or control characters to forge log lines, bounded."""


def request_id(scope: Scope) -> str:
    """The id of the request this scope belongs to ("-" outside the server's own layer, in tests
    that mount an app alone)."""
    value = scope.get(SCOPE_KEY)
    return value if isinstance(value, str) else "-"


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _incoming(scope)
        rid = given if given is not None else secrets.token_hex(16)
        scope[SCOPE_KEY] = rid
        current_request_id.set(rid)  # for every log line of this request (``logging_setup``)
        header = (HEADER.lower().encode(), rid.encode())

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                scope[STATUS_KEY] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != header[0]]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        await self.app(scope, receive, with_id)


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            try:
                text = value.decode("ascii")
            except UnicodeDecodeError:
                return None
            return text if _SANE.fullmatch(text) else None
    return None
