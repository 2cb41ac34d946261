"""``GET``/``HEAD /exotelrecordings/<AccountSid>/<CallSid>.mp3``: the file behind ``RecordingUrl``.

Access is the account's HTTP Basic credentials (the same rules as v1: another account's
credentials are a 403) or a valid, unexpired pre-signed link (``?Expires=…&Signature=…`` from
``PreSignedRecordingUrl``, no credentials needed). Errors are v1 ``RestException`` JSON. Downloads
do not spend the v1 rate limit: Exotel serves recordings from storage, not from its API, and a
player seeking through a file sends many range requests.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from trunkline.api.client_address import client_address
from trunkline.api.pipeline import endpoint
from trunkline.api.recordings.errors import ERRORS, NOT_FOUND, rest_exception
from trunkline.api.recordings.params import (
    ByteRange,
    Unsatisfiable,
    has_link,
    link_allows,
    matches,
    parse_range,
)
from trunkline.api.recordings.render import FilePart, open_file
from trunkline.domain.accounts.tokens import ACCOUNT_SID_RE
from trunkline.domain.errors import Forbidden, NotFound
from trunkline.services.composition import Services
from trunkline.services.credentials import Principal

log = logging.getLogger("trunkline.api.recordings")

FOLDER = "exotelrecordings"
PATH = f"/{FOLDER}/{{account_sid}}/{{file}}"
_FILE_NAME = re.compile(r"^[A-Za-z0-9]{1,64}\.mp3$")


def _file_path(request: Request) -> str:
    return f"{FOLDER}/{request.path_params['account_sid']}/{request.path_params['file']}"


def link_or_credentials(
    now_s: Callable[[], float],
) -> Callable[[Request, Services], Awaitable[Principal | None]]:
    """Either a valid pre-signed link (no principal) or the account's Basic credentials. A bad link
    with no credentials is a 403; no link and no credentials a 401."""

    async def authorise(request: Request, services: Services) -> Principal | None:
        query = request.query_params
        link = has_link(query)
        path = _file_path(request)
        key = services.recordings.signing_key
        if link and link_allows(key, path, query.get("Expires"), query.get("Signature"), now_s()):
            return None
        authorization = request.headers.get("authorization")
        if authorization or not link:
            client = client_address(request.scope, services.settings.trusted_proxies)
            return await services.credentials.authenticate(
                authorization, request.path_params["account_sid"], client
            )
        raise Forbidden("This recording link is invalid or has expired")

    return authorise


async def recording_file(request: Request, services: Services, _: Principal | None) -> Response:
    account_sid: str = request.path_params["account_sid"]
    name: str = request.path_params["file"]
    path = _file_path(request)
    if not ACCOUNT_SID_RE.match(account_sid) or not _FILE_NAME.match(name):
        raise NotFound(NOT_FOUND)
    try:
        file = await services.recordings.file(account_sid, path)
        if file is None:
            raise NotFound(NOT_FOUND)
        headers = {
            "Accept-Ranges": "bytes",
            "ETag": file.etag,
            "Cache-Control": "private",
            "Content-Disposition": f'inline; filename="{name[:-4]}{file.path.suffix}"',
        }
        if matches(file.etag, request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)
        handle, size = await anyio.to_thread.run_sync(open_file, file.path)
    except OSError:
        log.exception("recording file unavailable", extra={"path": path})
        return rest_exception(503, "The recording could not be read; try again")

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
                headers={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"},
            )
    if wanted is None:
        part, status = ByteRange(0, size - 1), 200
    else:
        part, status = wanted, 206
        headers["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
    return FilePart(handle, part, status, headers, file.media_type)


def routes(now_s: Callable[[], float] = time.time) -> list[BaseRoute]:
    """``now_s`` is the wall clock that links expire by. The route name is the operation id."""
    authorise = link_or_credentials(now_s)
    serve = endpoint(recording_file, ERRORS, authenticate=authorise, rate_limited=False)
    return [Route(PATH, serve, methods=["GET", "HEAD"], name="recordings_file_get")]
