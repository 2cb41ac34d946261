"""The baseline: a bare Starlette endpoint returning a small constant JSON body, no database.

Served by the same stack as Trunkline (uvicorn with its default uvloop/httptools), one worker.
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"Call":{"Sid":"b6cfaf5f5cef3ca0fc937749ef960e25","Status":"completed"}}'


async def ping(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/ping", ping)])
