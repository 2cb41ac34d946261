"""The ``Allow`` header of a 405: every method any route serves on the path.

Starlette answers a wrong method with the methods of the first route whose path matched, so a path
served by two routes (``Calls/connect.json`` also matches ``Calls/{call_sid}``; an admin path with
GET and PATCH handlers) would name only some of them. Only computed on a 405, never on a hot path."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> str:
    methods: set[str] = set()
    for route in routes:
        if not isinstance(route, Route):
            continue
        matched, _ = route.matches(scope)
        if matched != Match.NONE and route.methods:
            methods |= route.methods
    return ", ".join(sorted(methods))
