"""``/console/events``: a Server-Sent Events stream of the viewer's call changes.

The changes come from the call-feed service (one poll of ``call_events`` per process, fanned out
to every open stream), so a page sees calls that any server process on the same store advanced.
Pages listen through ``Console.onCallEvent`` in ``static/console.js``; each message is one JSON
object (event ``call``) with the call's Sid, the transition and what a list row shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from trunkline.api.console.session import account_of, viewer
from trunkline.services.call_feed import CallChange

HEARTBEAT_SECONDS = 15.0
"""A comment line this often keeps proxies from closing an idle stream and finds closed ones."""


def change_json(change: CallChange) -> bytes:
    """What a page is told of one change (no account id: the stream is already the account's)."""
    return orjson.dumps(
        {
            "sid": change.sid,
            "event": change.event,
            "at": change.at,
            "status": change.status,
            "direction": change.direction,
            "from": change.from_number,
            "to": change.to_number,
            "date_created": change.date_created,
            "start_time": change.start_time,
            "duration": change.duration,
        }
    )


async def call_events(request: Request) -> StreamingResponse:
    signed_in = viewer(request)
    account = await account_of(request, signed_in)
    feed = request.app.state.console.services.call_feed

    async def stream() -> AsyncIterator[bytes]:
        async with feed.subscribe(account.id) as queue:
            yield b"retry: 2000\n: connected\n\n"
            while True:
                try:
                    change = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                yield b"id: %d\nevent: call\ndata: %s\n\n" % (change.event_id, change_json(change))

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


ROUTES = [Route("/events", call_events, methods=["GET"])]
