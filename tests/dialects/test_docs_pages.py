"""/docs and /redoc work without internet: every script, style and icon they reference is served by
the server itself; and the admin API's bearer scheme is in the OpenAPI document, so Swagger UI's
Authorize button covers it (issue 13, first hour, item 2)."""

from __future__ import annotations

import re

import httpx
import pytest

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)["']?\s*\)""")
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url:\s*['"]https?://""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_reference_pages_load_only_from_the_server(client: httpx.Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    assert not OUTSIDE.search(html), html  # no CDN, no web font
    assets = [a or b for a, b in ASSET.findall(html)]
    assert any(a.endswith(".js") for a in assets), html
    for asset in assets:
        assert asset.startswith("/"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200 and len(fetched.content) > 100, asset
    assert client.get("/openapi.json").status_code == 200


def test_admin_operations_use_the_bearer_scheme(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    scheme = document["components"]["securitySchemes"]["adminBearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    admin = [
        operation
        for path, item in document["paths"].items()
        if path.startswith("/admin")
        for operation in item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]
    assert admin
    for operation in admin:
        assert {"adminBearer": []} in operation.get("security", []), operation.get("operationId")
    assert client.get("/admin/clock").status_code == 401
    assert client.get("/admin/clock", headers={"Authorization": "Bearer wrong"}).status_code == 401
