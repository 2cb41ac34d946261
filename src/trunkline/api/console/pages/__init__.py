"""Every page of the console, in navigation order. A new page is one module here and one line below."""

from __future__ import annotations

from trunkline.api.console.page import Page
from trunkline.api.console.pages import agents, calls, flows, network, overview, signin, tracking

PAGES: list[Page] = [
    calls.PAGE,
    overview.PAGE,
    flows.PAGE,
    agents.PAGE,
    tracking.PAGE,
    network.PAGE,
    signin.PAGE,
]
