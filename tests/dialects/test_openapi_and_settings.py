"""The OpenAPI page documents the served v1 routes with their real parameter names; settings are too."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support.live_server import LiveServer
from trunkline.api.exotel_v1.query import FILTERS
from trunkline.api.exotel_v1.routes import routes
from trunkline.config import Settings


def test_openapi_lists_v1_routes_with_every_bulk_filter(client: httpx.Client, server: LiveServer) -> None:
    schema = client.get("/openapi.json").json()
    bulk = schema["paths"]["/v1/Accounts/{account_sid}/Calls.json"]["get"]
    names = {p["name"] for p in bulk["parameters"]}
    assert {spec.name for spec in FILTERS} <= names
    assert "account_sid" in names
    details = schema["paths"]["/v1/Accounts/{account_sid}/Calls/{call_sid}"]["get"]
    assert {"details", "RecordingUrlValidity", "call_sid"} <= {p["name"] for p in details["parameters"]}
    assert schema["components"]["securitySchemes"]["basic"]["scheme"] == "basic"
    assert client.get("/docs").status_code == 200


def test_every_served_v1_path_is_documented(client: httpx.Client) -> None:
    documented = set(client.get("/openapi.json").json()["paths"])
    served = {route.path for route in routes()}  # type: ignore[attr-defined]
    undocumented = {path for path in served if path not in documented and "Calls.json/" not in path}
    assert not undocumented


def test_every_setting_is_documented_with_its_environment_variable() -> None:
    text = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"TRUNKLINE_{name.upper()}" in text, name
