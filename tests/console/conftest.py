"""The console's shared fixtures: a live server (SQLite, virtual clock) and a Playwright page on
Debian's chromium (never a downloaded browser), with helpers that sign in.

Browser tests run on SQLite only and stay few: the services behind the pages are tested on both
backends elsewhere. Every page records the requests it makes; ``page`` fails the test when one left
127.0.0.1 (nothing of the console may come from outside the server).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.factories import AccountFixture, make_account
from tests.support.live_server import ADMIN_TOKEN, LiveServer, start_server

CHROMIUM = os.environ.get("TRUNKLINE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def console_server(database_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A live server for the console's tests: SQLite, virtual clock (calls move when a test advances
    it), Duration and Price settled at once, callbacks to 127.0.0.1 allowed."""
    db = database_factory("sqlite", "console")
    live = start_server(db, rate_limit_per_minute=0, clock="virtual", settle_delay_seconds=0)
    yield live
    live.stop()


@pytest.fixture
def console_account(console_server: LiveServer) -> AccountFixture:
    return make_account(console_server.db)


REFUSED_BY_POLICY = frozenset({"https://cdn.redoc.ly/redoc/logo-mini.svg"})
"""Outside URLs a page's script names but its Content-Security-Policy stops the browser from
fetching (Redoc's logo, on /redoc): allowed as refused, and only these; any other outside URL fails
the test, refused or not, so a console page that named a CDN again is caught."""


@dataclass
class Requests:
    """Every URL a page asked for, and those the browser itself refused to fetch (the page's
    Content-Security-Policy): a refused request never leaves the browser."""

    urls: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        local = {"127.0.0.1"}
        return [
            u
            for u in self.urls
            if urlsplit(u).scheme not in ("data", "blob", "about")
            and urlsplit(u).hostname not in local
            and not (u in self.refused and u in REFUSED_BY_POLICY)
        ]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one test module. Not for the session: Playwright's sync API keeps an event loop
    running on the thread while it is open, and every later test in the worker that calls
    ``asyncio.run`` would fail with "cannot be called from a running event loop"."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; scripts/test installs the Debian chromium package")
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def requests_made() -> Requests:
    return Requests()


@pytest.fixture
def page(browser, requests_made: Requests) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context's page; the test fails if any request left 127.0.0.1, or if a page
    raised a JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("request", lambda request: requests_made.urls.append(request.url))
    page.on(
        "requestfailed",
        lambda request: requests_made.refused.append(request.url) if request.failure == "csp" else None,
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert requests_made.outside() == [], "the console loaded something from outside the server"
    assert errors == [], f"JavaScript errors: {errors}"


def sign_in_admin(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/console/login")
    page.fill("#token", ADMIN_TOKEN)
    page.click("#admin-signin button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/(?!login).*"))


def sign_in_account(page, base_url: str, account: AccountFixture) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/console/login")
    page.fill("#api_key", account.api_key)
    page.fill("#api_token", account.api_token)
    page.click("#account-signin button[type=submit]")
    page.wait_for_url(re.compile(r".*/console/(?!login).*"))


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def http_sign_in(
    http: httpx.Client, *, token: str = ADMIN_TOKEN, account: AccountFixture | None = None
) -> httpx.Response:
    """Sign ``http`` in through the form (admin, or ``account``), as a browser would."""
    form = http.get("/console/login")
    match = CSRF.search(form.text)
    assert match is not None
    data = {"csrf": match.group(1)}
    if account is None:
        data.update(mode="admin", token=token)
    else:
        data.update(mode="account", api_key=account.api_key, api_token=account.api_token)
    return http.post("/console/login", data=data)


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match is not None
    return match.group(1)
