"""Path rules every dialect shares, applied before routing (pure ASGI, so it costs next to nothing).

Clients send ``//`` (a C# SDK: ``/v1/Accounts/<sid>//Calls/connect.json``) and trailing
slashes; both must reach the same route.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

_REPEATED_SLASHES = re.compile(r"/{2,}")
_REPEATED_SLASHES_RAW = re.compile(rb"/{2,}")


class NormalisePath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if "//" in path or (len(path) > 1 and path.endswith("/")):
                path = _REPEATED_SLASHES.sub("/", path)
                if len(path) > 1:
                    path = path.rstrip("/")
                raw = _REPEATED_SLASHES_RAW.sub(b"/", scope.get("raw_path") or path.encode())
                scope = dict(scope, path=path, raw_path=raw.rstrip(b"/") if len(raw) > 1 else raw)
        await self.app(scope, receive, send)
