"""The body of a recording answer: bytes of the file, streamed in chunks off the event loop."""

from __future__ import annotations

import logging
import os
from typing import IO

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from trunkline.api.recordings.params import ByteRange

log = logging.getLogger("trunkline.api.recordings")

CHUNK_BYTES = 64 * 1024


def open_file(path: os.PathLike[str]) -> tuple[IO[bytes], int]:
    """The file, open, and its size (in a worker thread: opening can block)."""
    handle = open(path, "rb")  # noqa: SIM115 - closed by FilePart
    return handle, os.fstat(handle.fileno()).st_size


class FilePart(Response):
    """Bytes ``part`` of an open file, read in chunks off the event loop; headers only on HEAD.
    Stops reading when the client goes away (players drop connections when they seek)."""

    def __init__(
        self, handle: IO[bytes], part: ByteRange, status: int, headers: dict[str, str], media_type: str
    ) -> None:
        self._handle = handle
        self._part = part
        self.status_code = status
        self.media_type = media_type
        self.background = None
        self.init_headers({**headers, "Content-Length": str(max(0, part.length))})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            start = {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
            await send(start)
            if scope.get("method") == "HEAD" or self._part.length <= 0:
                await send({"type": "http.response.body", "body": b""})
                return
            async with anyio.create_task_group() as group:

                async def until_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(until_disconnect)
                await self._stream(send)
                group.cancel_scope.cancel()
        except OSError:  # ASGI 2.4 servers raise it on a send to a client that has gone
            log.info("recording download interrupted", exc_info=True)
        finally:
            self._handle.close()

    async def _stream(self, send: Send) -> None:
        handle = anyio.wrap_file(self._handle)
        await handle.seek(self._part.start)
        remaining = self._part.length
        while remaining > 0:
            chunk = await handle.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break  # files are never rewritten in place, so this does not happen
            remaining -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
        if remaining > 0:
            await send({"type": "http.response.body", "body": b""})
