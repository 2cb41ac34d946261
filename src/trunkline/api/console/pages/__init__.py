"""Every page of the console, in navigation order. A new page is one module here and one line below."""

from __future__ import annotations

from trunkline.api.console.page import Page
from trunkline.api.console.pages import (
    agents,
    call,
    calls,
    flows,
    live,
    network,
    overview,
    phone,
    signin,
    tracking,
)

PAGES: list[Page] = [
    calls.PAGE,
    live.PAGE,
    phone.PAGE,
    overview.PAGE,
    flows.PAGE,
    agents.PAGE,
    tracking.PAGE,
    network.PAGE,
    call.PAGE,
    signin.PAGE,
]
