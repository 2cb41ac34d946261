"""``GET``/``HEAD /exotelrecordings/<AccountSid>/<CallSid>.mp3``: the file behind ``RecordingUrl``.

Access is the account's HTTP Basic credentials (the same rules as v1: another account's
credentials are a 403) or a valid, unexpired pre-signed link (``?Expires=…&Signature=…`` from
``PreSignedRecordingUrl``, no credentials needed). Errors are v1 ``RestException`` JSON. Downloads
do not spend the v1 rate limit: Exotel serves recordings from storage, not from its API, and a
player seeking through a file sends many range requests.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import IO

import anyio
import anyio.to_thread
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from trunkline.api.exotel_v1.render import rest_exception
from trunkline.api.recordings.ranges import ByteRange, Unsatisfiable, parse_range
from trunkline.domain.accounts.tokens import ACCOUNT_SID_RE
from trunkline.domain.errors import Forbidden, NotFound, TrunklineError
from trunkline.domain.recordings.signed_links import verify
from trunkline.services.composition import Services

log = logging.getLogger("trunkline.api.recordings")

FOLDER = "exotelrecordings"
PATH = f"/{FOLDER}/{{account_sid}}/{{file}}"
_FILE_NAME = re.compile(r"^[A-Za-z0-9]{1,64}\.mp3$")
_EXPIRES = re.compile(r"^[0-9]{1,12}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{32}$")
CHUNK_BYTES = 64 * 1024
_NOT_FOUND = "No matching results"


def link_allows(key: bytes, path: str, expires: str | None, signature: str | None, now_s: float) -> bool:
    """Whether ``?Expires=&Signature=`` is a link this server signed for ``path`` and it has not
    expired. Anything malformed (non-numeric or absurd Expires, a signature of the wrong shape)
    is simply not valid."""
    if expires is None or signature is None:
        return False
    if not _EXPIRES.match(expires) or not _SIGNATURE.match(signature):
        return False
    return verify(key, path, int(expires), signature, int(now_s))


def has_link(query: QueryParams) -> bool:
    return "Expires" in query or "Signature" in query


async def _authorise(request: Request, services: Services, account_sid: str, path: str, now_s: float) -> None:
    """Either a valid pre-signed link or the account's Basic credentials. A bad link with no
    credentials is a 403; no link and no credentials a 401."""
    query = request.query_params
    link = has_link(query)
    if link and link_allows(
        services.recordings.signing_key, path, query.get("Expires"), query.get("Signature"), now_s
    ):
        return
    authorization = request.headers.get("authorization")
    if authorization or not link:
        await services.credentials.authenticate(authorization, account_sid)
        return
    raise Forbidden("This recording link is invalid or has expired")


def recording_endpoint(now_s: Callable[[], float] = time.time) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        services: Services = request.app.state.services
        account_sid: str = request.path_params["account_sid"]
        name: str = request.path_params["file"]
        path = f"{FOLDER}/{account_sid}/{name}"
        try:
            await _authorise(request, services, account_sid, path, now_s())
            if not ACCOUNT_SID_RE.match(account_sid) or not _FILE_NAME.match(name):
                raise NotFound(_NOT_FOUND)
            file = await services.recordings.file(account_sid, path)
            if file is None:
                raise NotFound(_NOT_FOUND)
            headers = {
                "Accept-Ranges": "bytes",
                "ETag": file.etag,
                "Cache-Control": "private",
                "Content-Disposition": f'inline; filename="{name[:-4]}{file.path.suffix}"',
            }
            if _matches(file.etag, request.headers.get("if-none-match")):
                return Response(status_code=304, headers=headers)
            handle, size = await anyio.to_thread.run_sync(_open, file.path)
        except TrunklineError as exc:
            extra = {"WWW-Authenticate": 'Basic realm="Trunkline"'} if exc.status == 401 else None
            return rest_exception(exc.status, exc.message, as_json=True, headers=extra)
        except OSError:
            log.exception("recording file unavailable", extra={"path": path})
            return rest_exception(503, "The recording could not be read; try again", as_json=True)

        wanted: ByteRange | None = None
        if_range = request.headers.get("if-range")
        if if_range is None or if_range.strip() == file.etag:
            try:
                wanted = parse_range(request.headers.get("range"), size)
            except Unsatisfiable:
                handle.close()
                return rest_exception(
                    416,
                    "Requested range not satisfiable",
                    as_json=True,
                    headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
                )
        if wanted is None:
            part, status = ByteRange(0, size - 1), 200
        else:
            part, status = wanted, 206
            headers["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
        return FilePart(handle, part, status, headers, file.media_type)

    return endpoint


def _open(path: os.PathLike[str]) -> tuple[IO[bytes], int]:
    handle = open(path, "rb")  # noqa: SIM115 - closed by FilePart
    return handle, os.fstat(handle.fileno()).st_size


def _etags(header: str | None) -> list[str]:
    if not header:
        return []
    return [tag.strip().removeprefix("W/") for tag in header.split(",")]


def _matches(etag: str, if_none_match: str | None) -> bool:
    tags = _etags(if_none_match)
    return "*" in tags or etag in tags


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


def routes(now_s: Callable[[], float] = time.time) -> list[BaseRoute]:
    return [Route(PATH, recording_endpoint(now_s), methods=["GET", "HEAD"], name="recording_file")]
