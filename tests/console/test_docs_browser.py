"""/docs and /redoc in a real browser: they render from this server alone. The HTML test
(tests/dialects/test_docs_pages.py) reads the pages' own references; only a browser sees what their
scripts fetch at run time (Redoc's bundle asked a CDN for a logo). ``page`` fails on any request
that leaves 127.0.0.1, and on a JavaScript error."""

from __future__ import annotations

import pytest

from tests.support.live_server import LiveServer


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".swagger-ui .info .title"), ("/redoc", "h1")])
def test_reference_pages_render_offline(page, console_server: LiveServer, path: str, rendered: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(console_server.base_url + path)
    assert response.status == 200
    page.wait_for_selector(rendered)
    assert "Trunkline" in page.inner_text(rendered)
    page.wait_for_load_state("networkidle")
    if path == "/docs":  # the deep link the banner prints opens the admin operations
        page.goto(console_server.base_url + "/docs#/admin")
        page.wait_for_selector("#operations-tag-admin")
