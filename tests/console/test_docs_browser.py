"""/docs and /redoc in a real browser: they render from this server alone. The HTML test
(tests/dialects/test_docs_pages.py) reads the pages' own references; only a browser sees what their
scripts fetch at run time (Redoc's bundle asked a CDN for a logo). ``page`` fails on any request
that leaves 127.0.0.1, and on a JavaScript error."""

from __future__ import annotations

import pytest

from tests.console.conftest import REFUSED_BY_POLICY, Requests
from tests.support.live_server import LiveServer


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_reference_pages_render_offline(  # type: ignore[no-untyped-def]
    page, requests_made: Requests, console_server: LiveServer, path: str, rendered: str
) -> None:
    response = page.goto(console_server.base_url + path)
    assert response.status == 200
    page.wait_for_selector(rendered)
    assert "Trunkline" in page.inner_text(rendered)
    page.wait_for_load_state("networkidle")
    # The policy is in force: Redoc's bundle names its CDN logo, and the browser refuses it.
    assert requests_made.refused == (sorted(REFUSED_BY_POLICY) if path == "/redoc" else [])
    if path == "/docs":  # the deep link the banner prints opens the admin operations
        page.goto(console_server.base_url + "/docs#/admin")
        page.wait_for_selector("#operations-tag-admin")
