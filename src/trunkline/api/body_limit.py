"""A body limit in front of an app that reads bodies whole (the admin API, through FastAPI).

FastAPI reads a request body in full before any route can look at its size, so a client could
make the server hold any body in memory. This guard reads the body first, as it streams, and
stops at ``limit`` bytes: a declared ``Content-Length`` over the limit is refused before a byte is
read, and a chunked body is refused as soon as it passes the limit. A body within the limit is
handed on unchanged, so the app (and its ``request.body()``) sees what the client sent. The
dialects do not need this: their one ``read_body`` (``api/pipeline.py``) streams against the limit.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TooLarge = Callable[[int], Response]
"""The answer to a body over the limit (given), in the app's own envelope."""


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int, too_large: TooLarge) -> None:
        self.app, self.limit, self.too_large = app, limit, too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self.too_large(self.limit)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see it
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self.too_large(self.limit)(scope, receive, send)
                return
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], None, receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            if not value.isdigit():
                return None  # the server refuses a malformed length before the app sees it
            return int(value) if len(value) <= 18 else 1 << 62  # no int() of a thousand digits
    return None


def _replay(messages: list[Message], last: Message | None, receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` (and ``last``) once, then listens to the client again
    (for its disconnect)."""
    pending = [*messages, *([last] if last is not None else [])]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
