"""What one console page contributes: its routes and its place in the navigation."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.routing import BaseRoute


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the console. ``path`` is the link the navigation shows (under ``/console``);
    ``routes`` are every route the page serves (its own path, fragments, form posts), with paths
    relative to the console's mount. ``admin_only`` pages are hidden from, and refused to, accounts."""

    name: str
    title: str
    path: str
    routes: list[BaseRoute] = field(default_factory=list)
    admin_only: bool = False
    in_nav: bool = True
